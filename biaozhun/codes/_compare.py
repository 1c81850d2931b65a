"""Formatting and comparison helpers built on ``parse``."""

from __future__ import annotations

import re

from ._model import CodeError, StandardNumber, render_full
from ._parse import parse

_STYLES = ("ascii", "typographic")


def format(number: StandardNumber, style: str = "ascii") -> str:
    """Render a number: "ascii" (canonical, "-" before the year) or "typographic" (em dash
    before the year of Chinese numbers). Edition note and adoption tail are included, so
    ``parse(format(p, style)) == p``."""
    if style not in _STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {_STYLES}")
    if isinstance(number, str):
        number = parse(number)
    return render_full(number, style == "typographic")


def _as_number(x: StandardNumber | str) -> StandardNumber:
    return x if isinstance(x, StandardNumber) else parse(x)


def same_standard(a: StandardNumber | str, b: StandardNumber | str) -> bool:
    """True if both designate the same standard, whatever the edition or amendment."""
    try:
        pa, pb = _as_number(a), _as_number(b)
    except CodeError:
        return False
    return pa.undated.upper() == pb.undated.upper()


_AMD_NUM = re.compile(r"(\d+)")


def _amendment_rank(n: StandardNumber) -> tuple[int, ...]:
    if not n.amendment:
        return ()
    return tuple(int(x) for x in _AMD_NUM.findall(n.amendment.split(":")[0].split("-")[0]))


def is_newer(a: StandardNumber | str, b: StandardNumber | str) -> bool:
    """True if ``a`` is a later edition (or a later amendment of the same edition) of the
    standard ``b``. Undated references are never newer or older."""
    try:
        pa, pb = _as_number(a), _as_number(b)
    except CodeError:
        return False
    if pa.undated.upper() != pb.undated.upper() or pa.year is None or pb.year is None:
        return False
    if pa.year != pb.year:
        return pa.year > pb.year
    if pa.amendment and not pb.amendment:
        return True
    if pa.amendment and pb.amendment:
        return _amendment_rank(pa) > _amendment_rank(pb)
    return False
