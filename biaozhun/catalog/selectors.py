"""Reads of the catalogue shared by the pages and the API.

Every filter is written so that the database can answer it from an index at a million rows:
prefix matches are expressed as ranges (`code >= p AND code < p + U+FFFF`) because SQLite's
LIKE is case-insensitive and cannot use a B-tree index.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, Q, QuerySet

from biaozhun import codes
from biaozhun.catalog.models import (
    CCSClass,
    ICSClass,
    Level,
    Nature,
    RelationKind,
    Standard,
    StandardAlias,
    StandardRelation,
    Status,
)
from biaozhun.catalog.services import FIGURES_CACHE_KEY, FIGURES_CACHE_SECONDS
from biaozhun.core.codes_text import describe

# Beyond this many matches a page says "more than N" instead of counting every row.
COUNT_CAP = 10_000
EXPORT_CAP = 50_000
_HIGH = "\uffff"

SORTS = {
    "code": ("code",),
    "issued": (F("issued_on").desc(nulls_last=True), "code"),
    "effective": (F("effective_on").desc(nulls_last=True), "code"),
}
SORTS["-issued_on"] = SORTS["issued"]  # field-style aliases, as API clients tend to write
SORTS["-effective_on"] = SORTS["effective"]
DEFAULT_SORT = "code"

# Columns a list row shows; everything else stays in the database.
SUMMARY_FIELDS = (
    "code", "code_norm", "level", "nature", "prefix", "year", "title_zh", "title_en", "status",
    "issued_on", "effective_on", "abolished_on", "pending_change_on",
)


@dataclass(frozen=True)
class StandardFilters:
    """The filters of the standard list, already cleaned (empty string = not filtered)."""

    q: str = ""
    level: str = ""
    status: str = ""
    nature: str = ""
    issuer: str = ""
    ics: str = ""
    ccs: str = ""
    year_from: int | None = None
    year_to: int | None = None
    sort: str = DEFAULT_SORT

    @classmethod
    def from_mapping(cls, data) -> "StandardFilters":
        """Build from request parameters, silently dropping values that are not valid."""

        def text(name: str) -> str:
            return clean_text(data.get(name) or "")

        def year(name: str) -> int | None:
            value = text(name)
            return int(value) if value.isdigit() and 1900 <= int(value) <= 2999 else None

        level, status, nature, sort = text("level"), text("status"), text("nature"), text("sort")
        return cls(
            q=text("q")[:200],
            level=level if level in Level.values else "",
            status=status if status in Status.values else "",
            nature=nature if nature in Nature.values else "",
            issuer=text("issuer").upper()[:40],
            ics=text("ics")[:20],
            ccs=text("ccs").upper()[:20],
            year_from=year("year_from"),
            year_to=year("year_to"),
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def active(self) -> dict[str, str]:
        """The filters in use, as request parameters (sort excluded)."""
        result = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name != "sort" and value not in ("", None):
                result[field.name] = str(value)
        return result


def clean_text(value: str) -> str:
    """NFKC (full-width → ASCII) and collapsed whitespace."""
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def _prefix_range(field: str, prefix: str) -> Q:
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _HIGH})


def _code_query(text: str) -> Q | None:
    """Match by standard number when `text` parses as one; None when it does not."""
    try:
        number = codes.parse(text)
    except codes.CodeError:
        return None
    code_norm = number.code_norm
    undated_norm = number.undated_norm
    match = Q(code_norm=code_norm) | _prefix_range("code_norm", code_norm)
    if number.year is None:
        match |= Q(undated_norm=undated_norm)
    return match


def _issuer_query(issuer: str) -> Q:
    """`GB` covers GB, GB/T and GB/Z; `DB31` covers DB31 and DB31/T; `GB/T` only itself."""
    issuer = issuer.replace(" ", "")
    # A canonical code starts with its prefix and a space, so one range of the unique code
    # index, [GB␠, GB0), holds "GB …" and every "GB/… …" (" " < "/" < "0" in ASCII) already
    # in list order; the OR then drops the few other prefixes inside that range.
    return (Q(code__gte=issuer + " ", code__lt=issuer + "0")
            & (Q(prefix=issuer) | Q(prefix__startswith=issuer + "/")))


def ics_descendants(code: str) -> QuerySet[ICSClass]:
    """The ICS node `code` and every node below it (`01` → `01.120`, `01.120.10` …)."""
    return ICSClass.objects.filter(Q(code=code) | _prefix_range("code", code + "."))


def ccs_descendants(code: str) -> QuerySet[CCSClass]:
    """A CCS letter covers every code starting with it; a full code matches itself."""
    if len(code) == 1:
        return CCSClass.objects.filter(_prefix_range("code", code))
    return CCSClass.objects.filter(code=code)


def filter_standards(filters: StandardFilters) -> QuerySet[Standard]:
    """The editions matching `filters`, sorted; no columns restricted, no joins added."""
    qs = Standard.objects.all()
    if filters.q:
        by_code = _code_query(filters.q)
        if by_code is not None:
            qs = qs.filter(by_code)
        else:
            qs = qs.filter(Q(title_zh__icontains=filters.q) | Q(title_en__icontains=filters.q)
                           | Q(code__icontains=filters.q))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.nature:
        qs = qs.filter(nature=filters.nature)
    if filters.issuer:
        qs = qs.filter(_issuer_query(filters.issuer))
    if filters.ics:
        through = Standard.ics.through.objects.filter(
            icsclass__in=ics_descendants(filters.ics)).values("standard_id")
        qs = qs.filter(pk__in=through)
    if filters.ccs:
        qs = qs.filter(ccs__in=ccs_descendants(filters.ccs))
    if filters.year_from is not None:
        qs = qs.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        qs = qs.filter(year__lte=filters.year_to)
    return qs.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def summaries(qs: QuerySet[Standard]) -> QuerySet[Standard]:
    """Restrict a list query to the columns a row shows."""
    return qs.only(*SUMMARY_FIELDS)


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """Count up to `cap + 1` rows: the database stops early instead of scanning everything."""
    return qs.order_by().values("pk")[: cap + 1].count()


def standard_by_code(code: str, queryset: QuerySet[Standard] | None = None) -> Standard | None:
    return (queryset if queryset is not None else Standard.objects.all()).filter(
        code=code).first()


def detail_queryset() -> QuerySet[Standard]:
    """A standard with everything its page shows, in a constant number of queries."""
    return Standard.objects.select_related(
        "ccs", "committee", "competent_department", "proposing_unit", "import_run",
    ).prefetch_related(
        Prefetch("ics", queryset=ICSClass.objects.order_by("code"), to_attr="ics_list"),
        Prefetch("issuing_bodies", to_attr="issuer_list"),
        Prefetch("drafting_orgs", to_attr="drafting_list"),
        Prefetch("adoptions", to_attr="adoption_list"),
        Prefetch("aliases", to_attr="alias_list"),
    )


@dataclass
class Lineage:
    """What an edition replaced, what replaced it, its amendments and all its editions."""

    replaces: list[StandardRelation]
    replaced_by: list[StandardRelation]
    amendments: list[StandardRelation]
    amends: list[StandardRelation]
    editions: list[Standard]

    @property
    def successor_published(self) -> bool:
        return any(r.kind == RelationKind.REPLACES for r in self.replaced_by)


_RELATED_FIELDS = ("code", "title_zh", "status", "issued_on", "effective_on", "year")


def lineage(standard: Standard) -> Lineage:
    """Relations of `standard` (two queries: relations, editions)."""
    relations = list(
        StandardRelation.objects.filter(Q(source=standard) | Q(target=standard))
        .select_related("source", "target")
        .only("kind", "source_code", "target_code", "source_code_norm", "target_code_norm",
              *(f"source__{f}" for f in _RELATED_FIELDS),
              *(f"target__{f}" for f in _RELATED_FIELDS))
        .order_by("source_code_norm", "target_code_norm"))
    # Full replacements before partial ones, each group by code.
    relations.sort(key=lambda r: r.kind == RelationKind.PARTIALLY_REPLACES)
    replacing = (RelationKind.REPLACES, RelationKind.PARTIALLY_REPLACES)
    replaces, replaced_by, amendments, amends = [], [], [], []
    for relation in relations:
        outgoing = relation.source_id == standard.pk
        if relation.kind in replacing:
            (replaces if outgoing else replaced_by).append(relation)
        elif outgoing:
            amends.append(relation)
        else:
            amendments.append(relation)
    editions = list(
        Standard.objects.filter(undated_norm=standard.undated_norm)
        .only(*_RELATED_FIELDS, "amendment")
        .order_by(F("year").asc(nulls_first=True), "code"))
    return Lineage(replaces, replaced_by, amendments, amends, editions)


@dataclass
class Unknown:
    """Why a code is not in the catalogue: the parse error, or suggestions."""

    reason: str = ""
    suggestions: list[Standard] | None = None


def suggestions_for(text: str, limit: int = 10) -> Unknown:
    """Why `text` is not a number, or the editions it most likely meant (nearest_editions)."""
    try:
        number = codes.parse(text)
    except codes.CodeError as error:
        return Unknown(reason=describe(error), suggestions=[])
    return Unknown(suggestions=nearest_editions(number, limit))


def nearest_editions(number: codes.StandardNumber, limit: int = 10) -> list[Standard]:
    """"Did you mean" for a number without that edition: the same standard's editions, the
    year asked for (or the newest) first; else the same number under another nature
    (`GB 19001` → `GB/T 19001`); else numbers starting with prefix + number; else numbers one
    keystroke away (`GB 2706` → `GB 2760`)."""
    found = _nearest_in_year(number, Standard.objects.only(*_SUGGESTION_FIELDS).filter(
        undated_norm=number.undated_norm)[:200], limit)
    return (found
            or editions_under_other_natures(number, limit)
            or list(Standard.objects.only(*_SUGGESTION_FIELDS)
                    .filter(_prefix_range("code_norm", number.undated_norm))
                    .order_by("code_norm")[:limit])
            or numbers_one_edit_away(number, limit))


def _nearest_in_year(number: codes.StandardNumber, editions, limit: int) -> list[Standard]:
    target = number.year or 9999
    return sorted(editions, key=lambda s: (abs((s.year or 0) - target), -(s.year or 0),
                                           s.code))[:limit]


# Status order of "did you mean" lists: what is in force first.
_STATUS_FIRST = {Status.CURRENT: 0, Status.UPCOMING: 1, Status.SUPERSEDED: 2,
                 Status.ABOLISHED: 3}
_SUGGESTION_FIELDS = ("code", "code_norm", "undated_norm", "title_zh", "status", "year",
                      "level", "prefix")
# Prefixes by nature: mandatory, /T recommended, /Z guidance (national and industry only).
_NATURE_SUFFIXES = {"national": ("", "/T", "/Z"), "industry": ("", "/T", "/Z"),
                    "local": ("", "/T")}


def _other_natures(number: codes.StandardNumber) -> list[str]:
    base = number.prefix.removesuffix("/T").removesuffix("/Z")
    return [base + suffix for suffix in _NATURE_SUFFIXES.get(number.family, ())
            if base + suffix != number.prefix]


def _undated_keys(number: codes.StandardNumber, prefixes: Iterable[str],
                  texts: Iterable[str]) -> list[str]:
    """The undated keys of `number` under each prefix with each number text, rendered rather
    than parsed (3 µs instead of 9 each): a key that names no standard simply matches none."""
    return sorted({replace(number, prefix=prefix, number=text).undated_norm
                   for prefix in prefixes for text in texts})


def other_nature_keys(number: codes.StandardNumber) -> list[str]:
    """Undated keys of the same number under the issuer's other natures: `GB 19001` →
    `GB/T19001`, `GB/Z19001`; none for group, enterprise and international numbers."""
    return _undated_keys(number, _other_natures(number), [number.number])


def editions_under_other_natures(number: codes.StandardNumber, limit: int = 10
                                 ) -> list[Standard]:
    """Editions of the same number under the issuer's other natures, the year asked for (or
    the newest) first: people drop or add the `/T` (`GB 19001-2016` for `GB/T 19001-2016`)."""
    keys = other_nature_keys(number)
    if not keys:
        return []
    return _nearest_in_year(number, Standard.objects.only(*_SUGGESTION_FIELDS).filter(
        undated_norm__in=keys, amendment="")[:200], limit)


def _one_edit_variants(text: str) -> set[str]:
    """`text` with one digit missing, one digit added or changed, or two neighbours swapped."""
    digits = "0123456789"
    variants = {text[:i] + text[i + 1:] for i in range(len(text))}
    variants |= {text[:i] + text[i + 1] + text[i] + text[i + 2:] for i in range(len(text) - 1)}
    variants |= {text[:i] + d + text[i + 1:] for i in range(len(text)) if text[i] in digits
                 for d in digits}
    variants |= {text[:i] + d + text[i:] for i in range(len(text) + 1) for d in digits}
    variants.discard(text)
    # No number starts with a separator or a zero, nor ends with a separator.
    return {v for v in variants if v and v[0] in digits[1:] and v[-1] in digits}


def numbers_one_edit_away(number: codes.StandardNumber, limit: int = 10) -> list[Standard]:
    """One edition (in force first, then the newest) of each existing number that differs from
    `number` by one keystroke in its digits, under the same prefix or another nature of it:
    `GB 2706` → `GB 2760`, `GB/T 19010` → `GB/T 19001`. Numbers of fewer than three
    characters are left alone: everything is one keystroke from `GB/T 1`. One indexed query."""
    if len(number.number) < 3:
        return []
    keys = _undated_keys(number, [number.prefix, *_other_natures(number)],
                         _one_edit_variants(number.number))
    # Every edition of those numbers as a small tuple (a few per number), then the chosen rows.
    best: dict[str, tuple] = {}
    for undated, pk, status, year, prefix, code_norm in Standard.objects.filter(
            undated_norm__in=keys, amendment="").values_list(
            "undated_norm", "pk", "status", "year", "prefix", "code_norm"):
        edition = (_STATUS_FIRST.get(status, 4), -(year or 0), code_norm)
        if undated not in best or edition < best[undated][0]:
            best[undated] = (edition, (prefix != number.prefix, edition[0], code_norm), pk)
    chosen = [pk for _edition, _order, pk in sorted(best.values(), key=lambda b: b[1])[:limit]]
    rows = Standard.objects.only(*_SUGGESTION_FIELDS).in_bulk(chosen)
    return [rows[pk] for pk in chosen if pk in rows]


def canonical_code(text: str) -> str | None:
    """The stored code of the edition `text` designates under any spelling, or None.

    Raises codes.CodeError when `text` is not a standard number.
    """
    number = codes.parse(text)
    found = Standard.objects.filter(code_norm=number.code_norm).values_list(
        "code", flat=True).first()
    if found is None:
        # Another party's number of a joint standard leads to the edition.
        found = StandardAlias.objects.filter(code_norm=number.code_norm).values_list(
            "standard__code", flat=True).first()
    return found


def count_by(field: str) -> dict[str, int]:
    """{value: count} over the whole catalogue; one aggregate query, cached for a while.

    A full count takes ~100 ms at a million rows, too slow for every home-page view; imports
    and status refreshes drop the cached figures (services.forget_catalog_figures).
    """
    return cache.get_or_set(
        FIGURES_CACHE_KEY.format(field=field),
        lambda: dict(Standard.objects.order_by().values_list(field).annotate(n=Count("pk"))),
        FIGURES_CACHE_SECONDS)


def recently_published(limit: int = 10) -> list[Standard]:
    return list(summaries(Standard.objects.filter(issued_on__isnull=False))
                .order_by("-issued_on", "code")[:limit])


def soon_effective(today: date, limit: int = 10) -> list[Standard]:
    return list(summaries(Standard.objects.filter(effective_on__gt=today))
                .order_by("effective_on", "code")[:limit])
