"""Reads for validity checking: the catalogue snapshot a batch of references needs.

A fixed handful of bulk queries whatever the number of references: the editions of every
referenced standard (by undated key), editions missed that way (by code key), then the
replacement chains one hop per query pair, then codes near unknown numbers.
"""

from collections.abc import Iterable

from django.db import connection

from biaozhun import codes
from biaozhun.catalog.models import Standard, StandardRelation
from biaozhun.catalog.selectors import other_nature_keys
from biaozhun.validity.resolution import Edition, Link, Occurrence, Snapshot

CHUNK = 2000
MAX_HOPS = 25
NEARBY_PER_NUMBER = 5
_HIGH = "\uffff"

_EDITION_FIELDS = ("code", "code_norm", "undated_norm", "year", "amendment", "title_zh",
                   "title_en", "issued_on", "effective_on", "abolished_on", "declared_status")


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _load_editions(snapshot: Snapshot, field: str, keys: Iterable[str]) -> set[str]:
    """Add the editions whose `field` is in `keys`; returns the code_norms added."""
    added: set[str] = set()
    for batch in _chunks(sorted(set(keys))):
        for row in Standard.objects.filter(**{f"{field}__in": batch}).values_list(
                *_EDITION_FIELDS):
            (code, norm, undated, year, amendment, title_zh, title_en, issued, effective,
             abolished, declared) = row
            if norm in snapshot.editions:
                continue
            snapshot.add_edition(Edition(code, norm, undated, year, amendment,
                                         title_zh or title_en, issued, effective, abolished,
                                         declared))
            added.add(norm)
    return added


def catalog_snapshot(occurrences: Iterable[Occurrence]) -> Snapshot:
    """Everything needed to resolve `occurrences`, in O(hops) queries."""
    snapshot = Snapshot()
    codes_wanted: set[str] = set()
    undated_wanted: set[str] = set()
    numbers: dict[str, codes.StandardNumber] = {}
    for occurrence in occurrences:
        if occurrence.number is None:
            continue
        undated_wanted.add(occurrence.undated_key)
        numbers[occurrence.undated_key] = occurrence.number
        if occurrence.number.year is not None:
            codes_wanted.add(occurrence.key)
            if occurrence.base_key:
                codes_wanted.add(occurrence.base_key)
    frontier = _load_editions(snapshot, "undated_norm", undated_wanted)
    frontier |= _load_editions(snapshot, "code_norm", codes_wanted - snapshot.editions.keys())

    # Follow relations from every loaded edition to its successors and amendments, and load
    # those successors in turn, until no new edition appears (splits, merges, long chains).
    seen_targets: set[str] = set()
    for _hop in range(MAX_HOPS):
        targets = sorted(frontier - seen_targets)
        if not targets:
            break
        seen_targets.update(targets)
        new_sources: set[str] = set()
        for batch in _chunks(targets):
            for kind, source_code, source_norm, target_norm in StandardRelation.objects.filter(
                    target_code_norm__in=batch).values_list(
                    "kind", "source_code", "source_code_norm", "target_code_norm"):
                snapshot.add_link(Link(kind, source_code, source_norm, target_norm))
                if source_norm not in snapshot.editions:
                    new_sources.add(source_norm)
        frontier = _load_editions(snapshot, "code_norm", new_sources)

    unknown = undated_wanted - snapshot.by_undated.keys()
    snapshot.nearby = _nearby(unknown)
    for key, found in _under_other_natures({k: numbers[k] for k in unknown}).items():
        snapshot.nearby[key] = found + [c for c in snapshot.nearby.get(key, ()) if c not in found]
    return snapshot


def _under_other_natures(numbers: dict[str, codes.StandardNumber]) -> dict[str, list[str]]:
    """For each unknown undated key, the editions (not amendments) of the same number under
    the issuer's other natures, newest first: a document citing `GB 19001-2016` means
    `GB/T 19001-2016`. One query per CHUNK keys."""
    wanted: dict[str, list[str]] = {}
    for key, number in numbers.items():
        for other in other_nature_keys(number):
            wanted.setdefault(other, []).append(key)
    rows = []
    for batch in _chunks(sorted(wanted)):
        rows += Standard.objects.filter(undated_norm__in=batch, amendment="").values_list(
            "undated_norm", "code", "year")
    rows.sort(key=lambda r: (-(r[2] or 0), r[1]))
    result: dict[str, list[str]] = {}
    for other, code, _year in rows:
        for key in wanted[other]:
            result.setdefault(key, []).append(code)
    return result


def _nearby(unknown_undated: set[str]) -> dict[str, list[str]]:
    """Codes that start like each unknown undated key without its last character.

    `GB/T99999` → editions whose key starts with `GB/T9999`. Keys shorter than 5 characters
    are skipped: their range would cover a whole prefix. One query per 200 keys: a UNION ALL
    of index range scans with a LIMIT each (an OR of ranges makes SQLite scan far more).
    """
    result: dict[str, list[str]] = {}
    heads = sorted({key[:-1] for key in unknown_undated if len(key) >= 5})
    found: dict[str, list[str]] = {}
    table = Standard._meta.db_table
    for start in range(0, len(heads), 200):
        batch = heads[start:start + 200]
        parts = [f"SELECT * FROM (SELECT %s AS head, code FROM {table} "
                 f"WHERE code_norm >= %s AND code_norm < %s ORDER BY code_norm "
                 f"LIMIT {NEARBY_PER_NUMBER}) AS t{i}" for i in range(len(batch))]
        params = [value for head in batch for value in (head, head, head + _HIGH)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for head, code in cursor.fetchall():
                found.setdefault(head, []).append(code)
    for key in unknown_undated:
        if len(key) >= 5 and key[:-1] in found:
            result[key] = found[key[:-1]]
    return result
