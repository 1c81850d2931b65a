"""Text normalisation for search: one definition shared by the index and the query parser.

`normalize` folds a text the way a Chinese reader does not notice: NFKC (full-width → ASCII),
traditional → simplified (OpenCC `t2s`), lower case. `search_text` turns normalised text into
the tokens the full-text index stores: every Latin/digit word, and for each run of CJK
characters its overlapping bigrams followed by the run's last character. A CJK substring of
two or more characters is then exactly a phrase of consecutive bigrams, and a single character
is a prefix of a token, so substring search is exact without a dictionary (jieba would lose
recall on words it segments differently).

Pure Python + opencc; no Django, so `catalog` can fill its column without importing `search`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

# CJK Unified Ideographs, Extension A, compatibility ideographs and the supplementary planes.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """NFKC, traditional → simplified, lower case (the form both index and queries use)."""
    if not text:
        return ""
    return _t2s().convert(unicodedata.normalize("NFKC", text)).lower()


def _tokens(norm: str) -> list[str]:
    out: list[str] = []
    add, extend = out.append, out.extend
    for run, word in _RUN.findall(norm):
        if run:
            extend(map(str.__add__, run, run[1:]))  # overlapping bigrams
            add(run[-1])
        else:
            add(word)
    return out


@lru_cache(maxsize=65536)
def _part_text(part: str) -> str:
    # Organisation, committee and title strings repeat across thousands of editions.
    return " ".join(_tokens(normalize(part)))


def tokens(text: str) -> list[str]:
    """Index tokens of `text` (normalised first)."""
    return _tokens(normalize(text))


def search_text(*parts: str) -> str:
    """The `search_text` column: index tokens of every non-empty part, space-separated.

    Parts are indexed separately (a bigram never spans two fields).
    """
    texts = [_part_text(p) if len(p) < 200 else " ".join(_tokens(normalize(p)))
             for p in parts if p]
    return " ".join(t for t in texts if t)


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: `tokens` must occur consecutively; (token, is_prefix) pairs.

    `text` is the normalised term (used for highlighting and by the tests' oracle).
    """

    text: str
    tokens: tuple[tuple[str, bool], ...]
    negated: bool = False


def term_tokens(norm: str) -> tuple[tuple[str, bool], ...]:
    """Phrase tokens for a normalised term.

    The last piece may stop anywhere inside an indexed word (prefix); every earlier piece must
    end where the indexed run ends, so it is matched with the run's own tokens.
    """
    pieces = _RUN.findall(norm)
    out: list[tuple[str, bool]] = []
    for index, (run, word) in enumerate(pieces):
        last = index == len(pieces) - 1
        if word:
            out.append((word, last))
        elif last:
            if len(run) == 1:
                out.append((run, True))
            else:
                out.extend((run[i:i + 2], False) for i in range(len(run) - 1))
        else:
            out.extend((run[i:i + 2], False) for i in range(len(run) - 1))
            out.append((run[-1], False))
    return tuple(out)


def parse_terms(query: str) -> list[Term]:
    """Split a query into terms: whitespace separates terms, "quoted phrases" stay one term,
    a leading `-` excludes. Terms without any indexable character are dropped."""
    terms: list[Term] = []
    for match in _QUERY_PART.finditer(normalize(query)):
        if match.group(3) is not None:
            raw = match.group(3)
            negated = raw.startswith("-") and len(raw) > 1
            raw = raw[1:] if negated else raw
        else:
            negated, raw = bool(match.group(1)), " ".join(match.group(2).split())
        found = term_tokens(raw)
        if found:
            terms.append(Term(text=raw, tokens=found, negated=negated))
    return terms


def highlight_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of every occurrence of the normalised `needles`.

    Normalisation is applied per character so that offsets map back to the original text
    (NFKC may expand a character; it then maps to the whole original character).
    """
    if not text or not needles:
        return []
    joined = unicodedata.normalize("NFKC", text).lower()
    owner: list[int] | None = None  # None: offsets in `joined` are offsets in `text`
    if len(joined) != len(text):
        chars = [unicodedata.normalize("NFKC", char).lower() for char in text]
        owner = [index for index, folded in enumerate(chars) for _ in folded]
        joined = "".join(chars)
    converted = _t2s().convert(joined)
    if len(converted) == len(joined):
        joined = converted
    spans: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        start = joined.find(needle)
        while start != -1:
            end = start + len(needle)
            spans.append((start, end) if owner is None else (owner[start], owner[end - 1] + 1))
            start = joined.find(needle, start + len(needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def matches(indexed: str, term: Term) -> bool:
    """Whether a `search_text` value contains `term` (the index's semantics, in Python)."""
    words = indexed.split()
    wanted = term.tokens
    size = len(wanted)
    for start in range(len(words) - size + 1):
        for offset, (token, prefix) in enumerate(wanted):
            word = words[start + offset]
            if not (word.startswith(token) if prefix else word == token):
                break
        else:
            return True
    return False
