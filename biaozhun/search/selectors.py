"""Search reads shared by the page, the API and the command: `search()` and `suggest()`.

Text queries ask the backend for document keys in rank order (capped at COUNT_CAP + 1, so a
term matching a million rows costs a bounded read), re-rank the first RANK_WINDOW by where the
terms occur (title before scope) and compute facets from the keys (status, level, year: exact
up to the cap) and from the window's rows (nature, issuer, ICS and CCS top level). Number
queries go to the B-tree code indexes and are ranked by how closely each edition matches the
number.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from biaozhun import codes
from biaozhun.catalog.models import Level, Nature, Standard, Status
from biaozhun.catalog.selectors import (
    SUMMARY_FIELDS,
    StandardFilters,
    filter_standards,
    nearest_editions,
)
from biaozhun.core.text import highlight_spans, matches, normalize
from biaozhun.search import index
from biaozhun.search.backends import ID_MASK, RankFilter, decode, get_backend
from biaozhun.search.query import ParsedQuery, parse_query

COUNT_CAP = 10_000  # matches counted exactly; beyond, "more than 10,000" (PostgreSQL: maybe fewer)
# With a nature / issuer / ICS / CCS filter every match is tested against the catalogue;
# counting stops sooner (the hits themselves stay exact, page after page).
ROW_FILTER_CAP = 1_000
DID_YOU_MEAN = 5  # suggestions for a number without that edition
RANK_WINDOW = 1_000  # candidates re-ranked by match quality; the rest keep the static order
CODE_LIMIT = 1_000  # editions a number query considers
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SNIPPET = 80  # characters of scope shown around the first match
_HIGH = "\uffff"

# Match kinds, best first.
EXACT, EDITION, PREFIX, PART, TITLE, TEXT = "exact", "edition", "prefix", "part", "title", "text"


@dataclass
class Hit:
    standard: Standard
    match: str
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    query: ParsedQuery
    filters: StandardFilters
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # more than COUNT_CAP matches; `total` is the cap
    page: int = 1
    page_size: int = PAGE_SIZE
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facets_sampled: bool = False  # nature / issuer / CCS counted over the first RANK_WINDOW
    did_you_mean: list[Standard] = field(default_factory=list)
    notice: str = ""  # "mixed_fallback": no edition of the number has the words

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _rank_filter(filters: StandardFilters) -> RankFilter:
    return RankFilter(
        statuses=(filters.status,) if filters.status else (),
        levels=(filters.level,) if filters.level else (),
        year_from=filters.year_from, year_to=filters.year_to)


def _row_where(filters: StandardFilters, tagged: frozenset[str] = frozenset()
               ) -> tuple[str, list] | None:
    """SQL for the filters that are neither in the document key (status, level, year) nor
    answered by the index (`tagged`): nature, issuer, ICS, CCS."""
    row_only = StandardFilters(
        nature="" if "nature" in tagged else filters.nature,
        issuer="" if "issuer" in tagged else filters.issuer, ics=filters.ics, ccs=filters.ccs)
    if not row_only.active():
        return None
    queryset = filter_standards(row_only)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = queryset.query.where.as_sql(compiler, connection)
    return sql, list(params)


def _tags(filters: StandardFilters, tagged: frozenset[str]) -> tuple[tuple[str, str], ...]:
    return tuple((name, getattr(filters, name)) for name in sorted(tagged)
                 if getattr(filters, name))


# --- ranking ----------------------------------------------------------------------------------

def _static_key(status: str, level: str, year: int | None) -> int:
    return index.rank_of(status, level, year)


@lru_cache(maxsize=20_000)
def _normalized(text: str) -> str:
    # Editions of one standard share a title; so do many catalogue rows.
    return normalize(text)


def _title_hit(title: str, terms) -> bool:
    norm = _normalized(title)
    return all(term.text in norm for term in terms)


def _highlight(text: str, needles: list[str]) -> SafeString:
    spans = highlight_spans(text, needles)
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # every piece escaped above


def _snippet(scope: str, needles: list[str]) -> SafeString:
    if not scope or not needles:
        return mark_safe("")
    spans = highlight_spans(scope, needles)
    if not spans:
        return mark_safe("")
    start = max(0, spans[0][0] - SNIPPET // 3)
    end = min(len(scope), start + SNIPPET)
    piece = _highlight(scope[start:end], needles)
    return mark_safe(("…" if start else "") + piece + ("…" if end < len(scope) else ""))


# --- facets -----------------------------------------------------------------------------------

def _facet(counter: Counter, labels: dict[str, str], selected: str, *, limit: int = 0,
           order: list[str] | None = None) -> list[FacetValue]:
    if selected:
        return [FacetValue(selected, labels.get(selected, selected), counter.get(selected, 0),
                           True)]
    items = [(v, n) for v, n in counter.items() if v and n]
    if order is not None:
        items.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    else:
        items.sort(key=lambda item: (-item[1], item[0]))
    if limit:
        items = items[:limit]
    return [FacetValue(v, labels.get(v, v), n) for v, n in items]


def _decade(year: int | None) -> str:
    return f"{year // 10 * 10}" if year else ""


def _facets(filters: StandardFilters, ranks: Counter, rows: list[dict]) -> dict[str, list]:
    """Facet values with counts: status, level and decade from the rank of every counted
    match (`ranks`: rank → matches), the others from the re-ranked window's rows."""
    levels, statuses, decades = Counter(), Counter(), Counter()
    for rank, count in ranks.items():
        key = decode(rank << 32)
        levels[key.level] += count
        statuses[key.status] += count
        decades[_decade(key.year)] += count
    natures = Counter(r["nature"] for r in rows)
    issuers = Counter(r["prefix"] for r in rows)
    ccs = Counter((r["ccs__code"] or "")[:1] for r in rows)
    ics = Counter(top for tops in _ics_tops([r["id"] for r in rows]).values() for top in tops)
    level_labels, status_labels = dict(Level.choices), dict(Status.choices)
    decade_labels = {d: f"{d}–{int(d) + 9}" for d in decades if d}
    return {
        "level": _facet(levels, level_labels, filters.level, order=list(Level.values)),
        "status": _facet(statuses, status_labels, filters.status, order=list(Status.values)),
        "nature": _facet(natures, dict(Nature.choices), filters.nature,
                         order=list(Nature.values)),
        "issuer": _facet(issuers, {}, filters.issuer, limit=12),
        "ics": _facet(ics, {}, filters.ics, order=sorted(ics)),
        "ccs": _facet(ccs, {}, filters.ccs, order=[chr(c) for c in range(65, 91)]),
        "decade": [] if (filters.year_from or filters.year_to) else _facet(
            decades, decade_labels, "", order=sorted(decade_labels, reverse=True)),
    }


_WINDOW_SQL = """
SELECT s.id, s.nature, s.prefix, c.code, s.title_zh, s.title_en FROM catalog_standard s
LEFT JOIN catalog_ccsclass c ON c.id = s.ccs_id WHERE {}"""


def _in_ids(column: str, ids: list[int]) -> tuple[str, list]:
    """`column IN (…ids)`: one array parameter on PostgreSQL (a thousand placeholders cost
    it more to parse and plan than to run), placeholders on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def _ics_tops(ids: list[int]) -> dict[int, set[str]]:
    """Top-level ICS fields (`97` of `97.100.10`) of these editions, one query."""
    if not ids:
        return {}
    tops: dict[int, set[str]] = {}
    condition, params = _in_ids("t.standard_id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.standard_id, i.code FROM catalog_standard_ics t JOIN catalog_icsclass i "
            f"ON i.id = t.icsclass_id WHERE {condition}", params)
        for pk, code in cursor.fetchall():
            tops.setdefault(pk, set()).add(code.split(".")[0])
    return tops


def _window_rows(ids: list[int]) -> list[dict]:
    """What ranking and the sampled facets need of the window's editions (one raw query:
    the ORM's row handling was a third of a search's time)."""
    if not ids:
        return []
    condition, params = _in_ids("s.id", ids)
    with connection.cursor() as cursor:
        cursor.execute(_WINDOW_SQL.format(condition), params)
        found = {row[0]: {"id": row[0], "nature": row[1], "prefix": row[2], "ccs__code": row[3],
                          "title_zh": row[4], "title_en": row[5]} for row in cursor.fetchall()}
    return [found[i] for i in ids if i in found]


# --- text search ------------------------------------------------------------------------------

def matching_keys(parsed: ParsedQuery, filters: StandardFilters, *, offset: int = 0,
                  limit: int | None = None) -> tuple[list[int], int]:
    """Document keys of the text matches in rank order (up to the count cap + 1 unless
    `limit` is given), and that cap."""
    backend = get_backend()
    rank, tags = _rank_filter(filters), _tags(filters, backend.tagged)
    where = _row_where(filters, backend.tagged)
    # PostgreSQL counts fewer matches of a frequent term (see PostgresBackend.count_cap).
    cap = backend.count_cap(parsed.terms, ROW_FILTER_CAP if where else COUNT_CAP, tags)
    keys = backend.keys(
        parsed.terms, rank=rank, where=where, tags=tags,
        where_indexed=bool(filters.ics or filters.ccs
                           or (filters.issuer and "issuer" not in backend.tagged)),
        limit=cap + 1 if limit is None else limit, offset=offset)
    return keys, cap


def _text_search(parsed: ParsedQuery, filters: StandardFilters, page: int, page_size: int,
                 result: SearchResult) -> list[tuple[int, str]]:
    keys, cap = matching_keys(parsed, filters)
    result.capped = len(keys) > cap
    keys = keys[:cap]
    result.total = len(keys)
    ids = [k & ID_MASK for k in keys]
    window = ids[:RANK_WINDOW]
    rows = _window_rows(window)
    result.facets = _facets(filters, Counter(k >> 32 for k in keys), rows)
    result.facets_sampled = len(ids) > RANK_WINDOW
    positive = parsed.positive
    in_title = {r["id"] for r in rows
                if _title_hit(f"{r['title_zh']} {r['title_en']}", positive)}
    # Title matches first, each group in the static order (current, national, newer first).
    ordered = [(pk, TITLE) for pk in window if pk in in_title]
    ordered += [(pk, TEXT) for pk in window if pk not in in_title]
    start = (page - 1) * page_size
    if start < len(window):
        chosen = ordered[start:start + page_size]
        if len(chosen) < page_size:
            chosen += [(pk, TEXT) for pk in ids[len(window):len(window) + page_size
                                               - len(chosen)]]
        return chosen
    if start < len(ids):
        return [(pk, TEXT) for pk in ids[start:start + page_size]]
    # Beyond the counted matches: read that page straight from the index.
    more, _cap = matching_keys(parsed, filters, offset=start, limit=page_size)
    return [(k & ID_MASK, TEXT) for k in more]


# --- number search ----------------------------------------------------------------------------

def _range(field_name: str, prefix: str) -> Q:
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix + _HIGH})


def _base_norm(number: codes.StandardNumber) -> tuple[str, str]:
    """The undated key of the whole standard (all its parts) and the part separator."""
    if number.family in ("international", "foreign"):
        return codes.compact(f"{number.prefix} {number.number.split('-')[0]}"), "-"
    return codes.compact(f"{number.prefix} {number.number.split('.')[0]}"), "."


def _code_candidates(number: codes.StandardNumber, filters: StandardFilters,
                     with_text: bool) -> list[dict]:
    exact = number.code_norm
    undated = number.undated_norm
    base, separator = _base_norm(number)
    match = (Q(code_norm=exact) | _range("code_norm", exact) | Q(undated_norm=undated)
             | Q(undated_norm=base) | _range("undated_norm", base + separator))
    queryset = filter_standards(dataclasses.replace(filters, q="")).filter(match)
    fields = ["id", "code_norm", "undated_norm", "status", "level", "year", "nature", "prefix",
              "ccs__code"] + (["search_text"] if with_text else [])
    return list(queryset.order_by("code_norm").values(*fields)[:CODE_LIMIT])


def _code_tier(row: dict, number: codes.StandardNumber, undated_norm: str) -> str:
    if row["code_norm"] == number.code_norm:
        return EXACT
    if row["undated_norm"] == undated_norm:
        return EDITION
    if row["code_norm"].startswith(number.code_norm):
        return PREFIX
    return PART


_TIERS = {EXACT: 0, EDITION: 1, PREFIX: 2, PART: 3}


def _code_search(parsed: ParsedQuery, filters: StandardFilters, page: int, page_size: int,
                 result: SearchResult) -> list[tuple[int, str]]:
    number = parsed.number
    rows = _code_candidates(number, filters, with_text=bool(parsed.terms))
    if parsed.terms:
        wanted = [r for r in rows if all(
            matches(r["search_text"], t) != t.negated for t in parsed.terms)]
        if wanted or not rows:
            rows = wanted
        else:
            result.notice = "mixed_fallback"
    undated_norm = number.undated_norm
    tiered = sorted(
        ((_code_tier(r, number, undated_norm), r) for r in rows),
        key=lambda pair: (_TIERS[pair[0]], _static_key(pair[1]["status"], pair[1]["level"],
                                                         pair[1]["year"]), pair[1]["code_norm"]))
    result.total = len(tiered)
    ranks = Counter(_static_key(r["status"], r["level"], r["year"]) for _tier, r in tiered)
    result.facets = _facets(filters, ranks, [r for _t, r in tiered])
    exact = any(tier == EXACT for tier, _r in tiered)
    if not tiered or (number.year is not None and not exact):
        result.did_you_mean = nearest_editions(number, DID_YOU_MEAN)
    start = (page - 1) * page_size
    return [(r["id"], tier) for tier, r in tiered[start:start + page_size]]


# --- entry points -----------------------------------------------------------------------------

def search(raw: str, filters: StandardFilters | None = None, *, page: int = 1,
           page_size: int = PAGE_SIZE) -> SearchResult:
    """Ranked, filtered, faceted matches of a query, one page of hits with highlights."""
    filters = dataclasses.replace(filters or StandardFilters(), q="")
    parsed = parse_query(raw)
    page = max(1, page)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    result = SearchResult(query=parsed, filters=filters, page=page, page_size=page_size)
    if parsed.number is not None:
        chosen = _code_search(parsed, filters, page, page_size, result)
    elif parsed.positive:
        chosen = _text_search(parsed, filters, page, page_size, result)
    else:
        return result
    found = Standard.objects.only(*SUMMARY_FIELDS, "scope").in_bulk([pk for pk, _ in chosen])
    needles = [t.text for t in parsed.positive]
    for pk, kind in chosen:
        standard = found.get(pk)
        if standard is None:  # deleted between the two reads
            continue
        title = standard.title_zh or standard.title_en
        result.hits.append(Hit(
            standard=standard, match=kind, title_html=_highlight(title, needles),
            snippet_html=_snippet(standard.scope, needles)))
    return result


def suggest(raw: str, limit: int = 8) -> list[dict]:
    """Autocomplete for the search box: numbers starting with the input, then titles."""
    parsed = parse_query(raw)
    out: list[dict] = []
    seen: set[int] = set()
    if parsed.number is not None or any(c.isdigit() for c in parsed.raw):
        # Half-typed numbers ("GB/T 1.") do not parse; their compact form is still a prefix.
        prefix = parsed.number.code_norm if parsed.number else \
            codes.compact(parsed.raw)
        if prefix:
            rows = (Standard.objects.filter(_range("code_norm", prefix))
                    .order_by("code_norm").values("id", "code", "title_zh")[:limit])
            for row in rows:
                seen.add(row["id"])
                out.append({"code": row["code"], "title": row["title_zh"], "kind": "code"})
    if len(out) < limit and parsed.positive:
        keys = get_backend().keys(parsed.terms, limit=limit * 3)
        ids = [k & ID_MASK for k in keys if k & ID_MASK not in seen]
        rows = Standard.objects.only("code", "title_zh").in_bulk(ids)
        titles: set[str] = set()
        for pk in ids:
            row = rows.get(pk)
            if row is None or row.title_zh in titles:
                continue
            titles.add(row.title_zh)
            out.append({"code": row.code, "title": row.title_zh, "kind": "title"})
            if len(out) >= limit:
                break
    return out[:limit]

