"""Finding standard numbers in running text.

The text is folded once (length-preserving, so offsets stay valid) and searched with the
case-sensitive master pattern. A candidate must start with a known prefix; the checks below
drop the shapes that are mostly noise in real documents (``HS 8471`` customs codes, ``SAE
1020`` steel grades, ``GB 2023年``).
"""

from __future__ import annotations

import re

from ._data import CN_CODES, CN_NO_SLASH
from ._model import CodeError, Match, StandardNumber
from ._parse import build_cn, build_foreign, build_intl
from ._patterns import EXTRACT_RE, fold

# Bare two-letter industry codes and their slash-less spellings ("GAT") collide with
# ordinary abbreviations; they only count when the reference is dated.
_TWO_LETTER_INDUSTRY = [
    c for c, (family, _) in CN_CODES.items() if len(c) == 2 and family == "industry"
]
_NEEDS_YEAR_CN = frozenset(
    _TWO_LETTER_INDUSTRY + [s for s, (c, _) in CN_NO_SLASH.items() if c in _TWO_LETTER_INDUSTRY]
)
_NEEDS_YEAR_FOREIGN = frozenset(["AS", "KS", "NF", "SAE", "API", "AWS", "CSA"])
_NOT_AFTER_UNDATED = "年月日元号"
# Every reference starts with an upper-case ASCII letter that does not continue a word:
# jumping from one such letter to the next is much faster than searching with the master
# pattern at every position of a mostly Chinese text.
_CANDIDATE = re.compile(r"(?<![A-Za-z0-9_])[A-Z]")


def _accept(m: re.Match, num: StandardNumber, s: str, end: int) -> bool:
    if num.year is None:
        if end < len(s) and s[end] in _NOT_AFTER_UNDATED:
            return False
        if m.group("cn") is not None:
            spelled = m.group("c_code")
            if spelled is not None and spelled in _NEEDS_YEAR_CN and not m.group("c_nat"):
                return False
        elif (
            m.group("fx") is not None
            and num.prefix in _NEEDS_YEAR_FOREIGN
            and not num.number[0].isalpha()
        ):
            return False
    return True


def extract(text: str) -> list[Match]:
    """Every standard number in ``text``, in order, with character offsets into ``text``."""
    if not text:
        return []
    s = fold(text)
    out: list[Match] = []
    match_at = EXTRACT_RE.match
    last_end = 0
    for c in _CANDIDATE.finditer(s):
        pos = c.start()
        if pos < last_end:
            continue
        m = match_at(s, pos)
        if m is None:
            continue
        try:
            if m.group("cn") is not None:
                num, end = build_cn(m, text, extracting=True)
            elif m.group("intl") is not None:
                num, end = build_intl(m, text), m.end()
            else:
                num, end = build_foreign(m, text), m.end()
        except CodeError:
            continue
        if not _accept(m, num, s, end):
            continue
        # Trailing spaces or a line break consumed by the pattern are not part of the match.
        start = m.start()
        while end > start and s[end - 1] in " \t\r\n":
            end -= 1
        out.append(Match(start, end, text[start:end], num))
        last_end = end
    return out
