"""Value types of the codes package: the error, the parsed number and an extraction match."""

from __future__ import annotations

import re
from dataclasses import dataclass

FAMILIES = ("national", "industry", "local", "group", "enterprise", "international", "foreign")

# Version markers of the IEC catalogue (redline, consolidated, commented, extended, series,
# database). They follow the dated code after a space, so formatting must know them.
VERSION_MARKERS = frozenset(["CSV", "RLV", "CMV", "EXV", "EXV-CMV", "EXV-RLV", "SER", "DB", "PRV"])


# Why a text is not a standard number: each kind of ``CodeError`` and the names of its
# ``params``. The kinds are stable identifiers: callers word the reason in their own language
# from them (the English ``reason`` is for logs and the command line).
ERROR_KINDS: dict[str, tuple[str, ...]] = {
    "not_a_string": ("type",),
    "empty": (),
    "no_prefix": ("start",),
    "unknown_prefix": ("prefix",),
    "prefix_without_number": ("prefix",),
    "group_prefix_incomplete": ("start",),
    "enterprise_prefix_incomplete": ("start",),
    "local_prefix_without_region": ("start",),
    "unknown_province": ("code", "prefix"),
    "unknown_city": ("code", "prefix"),
    "no_nature_form": ("prefix", "nature"),
    "missing_number": (),
    "text_after_year": (),
    "unexpected_text": ("text", "after"),
    "bad_amendment": ("number",),
    "amendment_needs_year": (),
    "bad_adopted": ("reference",),
}


class CodeError(ValueError):
    """A text that is not a standard number.

    ``str(e)`` and ``e.reason`` say why in English, ``e.text`` is the input, ``e.kind`` (a key
    of ``ERROR_KINDS``) and ``e.params`` (str values) say the same for translation.
    """

    def __init__(self, reason: str, text: str = "", kind: str = "", params: dict | None = None):
        super().__init__(reason)
        self.reason = reason
        self.text = text
        self.kind = kind
        self.params = params if params is not None else {}

    def __reduce__(self):
        return (type(self), (self.reason, self.text, self.kind, self.params))


@dataclass(frozen=True, slots=True)
class StandardNumber:
    """A parsed standard number.

    ``year_sep`` is not part of the public interface: it remembers the separator before the
    year so that formatting is a pure function; empty means the family default (":" for
    international numbers and CECS, "-" otherwise).
    """

    family: str
    prefix: str
    nature: str | None
    issuer_code: str
    number: str
    part: str | None
    year: int | None
    amendment: str | None = None
    edition_note: str | None = None
    adoption: tuple[tuple[str, str | None], ...] = ()
    year_sep: str = ""

    @property
    def level(self) -> str:
        return self.family

    @property
    def undated(self) -> str:
        return f"{self.prefix} {self.number}"

    @property
    def undated_norm(self) -> str:
        """The compact key of `undated`, shared by every edition of the standard."""
        return compact(self.undated)

    @property
    def code(self) -> str:
        return render_code(self, False)

    @property
    def code_norm(self) -> str:
        return compact(render_code(self, False))

    def __str__(self) -> str:
        return render_code(self, False)


@dataclass(frozen=True, slots=True)
class Match:
    """A reference found in running text: ``text[start:end] == raw``."""

    start: int
    end: int
    raw: str
    number: StandardNumber

    @property
    def code(self) -> str:
        return self.number.code


_CHINESE = frozenset(["national", "industry", "local", "group", "enterprise"])


_DIGIT_GAP = re.compile(r"(?<=\d)\s+(?=\d)")
_SPACE = re.compile(r"\s+")


def compact(code: str) -> str:
    """The compact key: upper case, no whitespace, except one space where two digits meet.

    That space keeps `DB31 123-2020` (Shanghai, number 123) apart from `DB3112 3-2020`.
    """
    return _SPACE.sub("", _DIGIT_GAP.sub("\x00", code.upper())).replace("\x00", " ")


def join_supplement(base: str, supp: str) -> str:
    """Append a supplement: "+AMD1:2023" joins directly, a version marker after a space,
    everything else (amendments, corrigenda, XG) after a slash."""
    if supp[0] == "+":
        return base + supp
    head = supp.split("/", 1)[0].split(" ", 1)[0]
    if head in VERSION_MARKERS:
        return f"{base} {supp}"
    return f"{base}/{supp}"


def render_code(n: StandardNumber, typographic: bool) -> str:
    """The code (prefix, number, year, amendment) in ASCII or typographic style."""
    chinese = n.family in _CHINESE or n.prefix in ("DG/TJ", "DGJ")
    base = f"{n.prefix} {n.number}"
    if n.year is not None:
        sep = n.year_sep or (":" if n.family == "international" or n.prefix == "CECS" else "-")
        if typographic and chinese and sep == "-":
            sep = "\u2014"
        base = f"{base}{sep}{n.year}"
    if n.amendment:
        supp = n.amendment
        if typographic and chinese:
            supp = supp.replace("-", "\u2014")
        base = join_supplement(base, supp)
    return base


def render_full(n: StandardNumber, typographic: bool) -> str:
    """The code plus edition note and adoption tail, parseable back into the same value."""
    out = render_code(n, typographic)
    if n.edition_note:
        out += f"\uff08{n.edition_note}\uff09" if typographic else f"({n.edition_note})"
    for code, degree in n.adoption:
        if degree is None:
            out += f"/{code}"
        elif typographic:
            out += f"\uff08{code}\uff0c{degree}\uff09"
        else:
            out += f" ({code}, {degree})"
    return out
