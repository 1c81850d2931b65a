"""Understanding a query: a standard number, words, or both.

A query (or a run of up to four of its whitespace-separated parts, longest first) that parses
as a standard number (`gbt1.1`, `GB/T 1.1—2020`, `ＧＢ２７６０`, `DB4301/T 12`, `ISO 9001`) goes to
the code index; whatever remains is text, split into terms by `biaozhun.core.text`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from biaozhun import codes
from biaozhun.core.text import Term, parse_terms

MAX_QUERY = 200
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class ParsedQuery:
    """`number` is the standard number found in the query (None for a text search)."""

    raw: str
    number: codes.StandardNumber | None = None
    number_text: str = ""
    terms: list[Term] = field(default_factory=list)

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def negative(self) -> list[Term]:
        return [t for t in self.terms if t.negated]

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.positive

    @property
    def mode(self) -> str:
        if self.number is not None:
            return "mixed" if self.positive else "code"
        return "text" if self.positive else "empty"


def _as_number(text: str) -> codes.StandardNumber | None:
    if not (_DIGIT.search(text) and _LETTER.search(text)):
        return None
    try:
        return codes.parse(text)
    except codes.CodeError:
        return None


def parse_query(raw: str) -> ParsedQuery:
    """Split `raw` into a standard number (if any) and text terms."""
    raw = " ".join(unicodedata.normalize("NFKC", raw or "").split())[:MAX_QUERY]
    if not raw:
        return ParsedQuery(raw="")
    whole = _as_number(raw)
    if whole is not None:
        return ParsedQuery(raw=raw, number=whole, number_text=raw)
    parts = raw.split(" ")
    for size in range(min(4, len(parts)), 0, -1):
        for start in range(len(parts) - size + 1):
            span = " ".join(parts[start:start + size])
            if span.startswith(("-", '"')):
                continue
            number = _as_number(span)
            if number is not None:
                rest = " ".join(parts[:start] + parts[start + size:])
                return ParsedQuery(raw=raw, number=number, number_text=span,
                                   terms=parse_terms(rest))
    return ParsedQuery(raw=raw, terms=parse_terms(raw))
