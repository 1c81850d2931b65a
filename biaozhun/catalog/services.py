"""Writes with business meaning on the catalogue. Views, API, admin and commands call these."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from biaozhun.catalog.models import RelationKind, Standard, StandardRelation, Status
from biaozhun.catalog.status import Successor, derive_status

logger = logging.getLogger(__name__)

_CHUNK = 2000
FIGURES_CACHE_KEY = "catalog:figures:{field}"
FIGURES_CACHE_SECONDS = 300
FIGURE_FIELDS = ("level", "status")


def forget_catalog_figures() -> None:
    """Drop the cached catalogue counts once the current transaction commits."""
    transaction.on_commit(lambda: cache.delete_many(
        [FIGURES_CACHE_KEY.format(field=f) for f in FIGURE_FIELDS]))


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def analyze_catalog() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk write.

    Until autovacuum gets to it, a table that just grew by a million rows has no statistics
    and the planner picks sequential scans for the list filters (seconds instead of ms).
    SQLite's planner does well on its index heuristics alone, so nothing is done there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_standard, catalog_standardrelation, "
                           "catalog_standard_ics")


def resolve_relations() -> None:
    """Attach dangling relation ends to editions that now exist (importers report the rest)."""
    for end in ("source", "target"):
        matching = Standard.objects.filter(code_norm=OuterRef(f"{end}_code_norm")).values("pk")[:1]
        StandardRelation.objects.filter(**{f"{end}__isnull": True}).update(
            **{end: Subquery(matching)})


def _successors_of(target_ids: list[int] | None) -> dict[int, list[Successor]]:
    relations = StandardRelation.objects.filter(
        kind=RelationKind.REPLACES, source__isnull=False, target__isnull=False)
    result: dict[int, list[Successor]] = defaultdict(list)
    batches = [None] if target_ids is None else list(_chunks(target_ids))
    for batch in batches:
        rows = relations if batch is None else relations.filter(target_id__in=batch)
        for target_id, issued, effective, declared in rows.values_list(
                "target_id", "source__issued_on", "source__effective_on",
                "source__declared_status").iterator(chunk_size=_CHUNK):
            result[target_id].append(Successor(issued, effective, declared))
    return result


def refresh_status(*, as_of: date | None = None, ids: Iterable[int] | None = None) -> int:
    """Recompute and store the status of the given editions (all when `ids` is None).

    Idempotent; only rows whose status changes are written. Returns the number changed.
    Amendments (修改单) follow their base: when the base is superseded or abolished, so are
    they.
    """
    as_of = as_of or timezone.localdate()
    id_list = None if ids is None else sorted(set(ids))
    if id_list is not None:
        # An edition's status depends on its successors; amendments depend on their base.
        related = set()
        for batch in _chunks(id_list):
            related.update(StandardRelation.objects.filter(
                kind=RelationKind.REPLACES, source_id__in=batch, target__isnull=False,
            ).values_list("target_id", flat=True))
            related.update(StandardRelation.objects.filter(
                kind=RelationKind.AMENDS, target_id__in=batch, source__isnull=False,
            ).values_list("source_id", flat=True))
        id_list = sorted(set(id_list) | related)

    successors = _successors_of(id_list)
    amendment_base = dict(StandardRelation.objects.filter(
        kind=RelationKind.AMENDS, source__isnull=False, target__isnull=False,
    ).values_list("source_id", "target_id")) if id_list is None else {}
    if id_list is not None:
        for batch in _chunks(id_list):
            amendment_base.update(StandardRelation.objects.filter(
                kind=RelationKind.AMENDS, source_id__in=batch, target__isnull=False,
            ).values_list("source_id", "target_id"))

    fields = ("pk", "issued_on", "effective_on", "abolished_on", "declared_status", "status",
              "pending_change_on")
    computed: dict[int, tuple[str, date | None]] = {}
    current: dict[int, tuple[str, date | None]] = {}
    batches = [None] if id_list is None else list(_chunks(id_list))
    for batch in batches:
        rows = Standard.objects.all() if batch is None else Standard.objects.filter(pk__in=batch)
        for pk, issued, effective, abolished, declared, status, pending in rows.values_list(
                *fields).iterator(chunk_size=_CHUNK):
            derived = derive_status(
                as_of=as_of, issued_on=issued, effective_on=effective, abolished_on=abolished,
                declared_status=declared, successors=successors.get(pk, ()))
            computed[pk] = (derived.status, derived.pending_change_on)
            current[pk] = (status, pending)

    base_status = dict(Standard.objects.filter(
        pk__in=[b for b in amendment_base.values() if b not in computed]
    ).values_list("pk", "status")) if amendment_base else {}
    for amendment_id, base_id in amendment_base.items():
        if amendment_id not in computed:
            continue
        base = computed[base_id][0] if base_id in computed else base_status.get(base_id)
        if base in (Status.SUPERSEDED, Status.ABOLISHED):
            computed[amendment_id] = (base, None)

    changes: dict[tuple[str, date | None], list[int]] = defaultdict(list)
    for pk, value in computed.items():
        if current[pk] != value:
            changes[value].append(pk)
    with transaction.atomic():
        for (status, pending), pks in changes.items():
            for batch in _chunks(pks, 500):
                Standard.objects.filter(pk__in=batch).update(
                    status=status, pending_change_on=pending)
    changed = sum(len(p) for p in changes.values())
    if changed:
        forget_catalog_figures()
    logger.info("refresh_status as of %s: %d of %d editions changed", as_of, changed,
                len(computed))
    return changed
