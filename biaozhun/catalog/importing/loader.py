"""Write validated records to the database in bulk: upsert keyed on the canonical code.

The hot path writes with multi-row `INSERT … ON CONFLICT` statements built here (the same
SQL runs on SQLite ≥ 3.24 and PostgreSQL): Django's `bulk_create` builds a model instance
per row and was two thirds of the time of a 70k-row catalogue import.
"""

import dataclasses
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from biaozhun import codes
from biaozhun.accounts.models import Organization
from biaozhun.catalog.importing.records import StandardRecord
from biaozhun.catalog.models import (
    Adoption,
    CCSClass,
    ICSClass,
    ImportRun,
    RelationKind,
    Standard,
    StandardRelation,
    TechnicalCommittee,
)
from biaozhun.catalog.services import (
    analyze_catalog,
    forget_catalog_figures,
    refresh_status,
    resolve_relations,
)
from biaozhun.catalog.status import derive_status
from biaozhun.core.text import search_text

BATCH = 1000
ANALYZE_AFTER = 10_000  # rows; a bigger import refreshes the planner statistics
# Columns an import overwrites on an existing edition (everything the file describes).
UPDATE_FIELDS = [
    "code", "undated_norm", "level", "nature", "prefix", "issuer_code", "number", "part", "year",
    "amendment", "edition_note", "title_zh", "title_en", "scope", "issued_on", "effective_on",
    "abolished_on", "first_issued_on", "reviewed_on", "review_conclusion", "ccs",
    "competent_department", "proposing_unit", "committee", "drafters", "public_text",
    "declared_status", "is_sample", "is_synthetic", "import_run", "imported_at", "updated_at",
    "search_text",
]


@dataclass(slots=True)
class LoadResult:
    created: int = 0
    updated: int = 0
    dangling: list = field(default_factory=list)


def _chunks(items: Sequence, size: int = BATCH) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _max_params() -> int:
    if connection.vendor == "sqlite":
        # Django assumes the historical limit of 999; the linked library reports its own.
        raw = connection.connection
        if raw is not None and hasattr(raw, "getlimit"):
            return min(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 30000)
        return 999
    return 30000  # PostgreSQL allows 65535 bind parameters per statement


def insert_rows(model, fields: Sequence[str], rows: Sequence[Sequence], *,
                conflict: Sequence[str] = (), update: Sequence[str] = (),
                ignore: bool = False) -> None:
    """Bulk INSERT into `model`'s table, optionally `ON CONFLICT (…) DO UPDATE / DO NOTHING`.

    `fields` are field names; values must be database-ready (dates adapted, foreign keys as
    ids). SQLite gets multi-row VALUES statements, PostgreSQL a COPY.
    """
    if not rows:
        return
    connection.ensure_connection()
    meta = model._meta
    quote = connection.ops.quote_name
    objects = [meta.get_field(name) for name in fields]
    head = (f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(f.column) for f in objects)}) ")
    tail = ""
    if update:
        tail = (" ON CONFLICT ("
                + ", ".join(quote(meta.get_field(n).column) for n in conflict)
                + ") DO UPDATE SET " + ", ".join(
                    f"{quote(c)} = EXCLUDED.{quote(c)}"
                    for c in (meta.get_field(n).column for n in update)))
    elif ignore:
        tail = " ON CONFLICT DO NOTHING"
    # The DB-API cursor, not Django's wrapper: on SQLite the wrapper rewrites every `%s` of
    # these long statements with a regular expression.
    cursor = connection.connection.cursor()
    try:
        if connection.vendor == "postgresql":
            # COPY into a scratch table, then one INSERT … SELECT: psycopg formats COPY rows
            # in C, while a 30,000-placeholder statement is parsed on the client in Python.
            scratch = quote(f"_load_{meta.db_table}")
            columns = ", ".join(quote(f.column) for f in objects)
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS SELECT {columns} "
                           f"FROM {quote(meta.db_table)} WITH NO DATA")
            with cursor.copy(f"COPY {scratch} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"{head}SELECT {columns} FROM {scratch}{tail}")
            cursor.execute(f"DROP TABLE {scratch}")
        else:
            one = "(" + ", ".join(["?"] * len(objects)) + ")"
            per = max(1, min(2000, _max_params() // len(objects)))
            for batch in _chunks(rows, per):
                cursor.execute(head + "VALUES " + ", ".join([one] * len(batch)) + tail,
                               [value for row in batch for value in row])
    finally:
        cursor.close()


def _existing(model, field: str, keys: set[str]) -> dict[str, int]:
    """key → pk of the rows whose `field` is one of `keys` (raw SQL: the ORM's lookup
    preparation cost more than the queries on a 50k-row import)."""
    if not keys:
        return {}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field(field).column)
    pk = quote(model._meta.pk.column)
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        if len(keys) > 2000:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            if cursor.fetchone()[0] <= 4 * len(keys):
                # Most of the table is wanted: one scan beats thousands of index lookups.
                cursor.execute(f"SELECT {column}, {pk} FROM {table}")
                return {key: value for key, value in cursor.fetchall() if key in keys}
        per = max(1, min(5000, _max_params() - 1))
        for batch in _chunks(sorted(keys), per):
            cursor.execute(f"SELECT {column}, {pk} FROM {table} WHERE {column} IN ("
                           + ", ".join(["%s"] * len(batch)) + ")", batch)
            found.update(cursor.fetchall())
    return found


def _organizations(records: list[StandardRecord]) -> dict[str, int]:
    names = {n for r in records for n in (*r.issuers, *r.drafting_orgs,
                                          r.competent_department, r.proposing_unit) if n}
    if not names:
        return {}
    found = _existing(Organization, "name", names)
    missing = names - found.keys()
    if missing:
        Organization.objects.bulk_create([Organization(name=n) for n in sorted(missing)],
                                         batch_size=BATCH, ignore_conflicts=True)
        found.update(_existing(Organization, "name", missing))
    return found


def _committees(records: list[StandardRecord]) -> dict[str, int]:
    wanted = {r.committee.name: r.committee.code for r in records if r.committee}
    if not wanted:
        return {}
    found = _existing(TechnicalCommittee, "name", set(wanted))
    missing = set(wanted) - found.keys()
    if missing:
        TechnicalCommittee.objects.bulk_create(
            [TechnicalCommittee(name=n, code=wanted[n]) for n in sorted(missing)],
            batch_size=BATCH, ignore_conflicts=True)
        found.update(_existing(TechnicalCommittee, "name", missing))
    return found


def ensure_ics(code_list: set[str]) -> dict[str, int]:
    """ICS nodes by code, creating unknown ones (and their parents) with empty titles."""
    wanted = set()
    for code in code_list:
        parts = code.split(".")
        wanted.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    found = _existing(ICSClass, "code", wanted)
    missing = wanted - found.keys()
    for depth in (1, 2, 3):  # parents first, one statement per level
        level = sorted(c for c in missing if c.count(".") + 1 == depth)
        if not level:
            continue
        ICSClass.objects.bulk_create([
            ICSClass(code=c, depth=depth,
                     parent_id=found.get(c.rsplit(".", 1)[0]) if depth > 1 else None)
            for c in level], batch_size=BATCH)
        found.update(_existing(ICSClass, "code", set(level)))
    return found


def ccs_range_parent(code: str, ranges: Iterable[str]) -> str | None:
    """The level-2 range node (`A00/09`) that covers a level-3 code (`A01`), if any."""
    if len(code) != 3:
        return None
    for node in ranges:
        if node[0] == code[0] and len(node) == 6 and node[1:3] <= code[1:3] <= node[4:6]:
            return node
    return None


def ensure_ccs(code_list: set[str]) -> dict[str, int]:
    """CCS nodes by code (`A`, `A00`), creating unknown ones under their range or letter."""
    wanted = set(code_list) | {c[0] for c in code_list}
    found = _existing(CCSClass, "code", wanted)
    missing = wanted - found.keys()
    if not missing:
        return found
    ranges = dict(CCSClass.objects.filter(code__contains="/").values_list("code", "pk"))
    depths = dict(CCSClass.objects.filter(pk__in=ranges.values()).values_list("pk", "depth"))
    for code in sorted(missing, key=len):
        if len(code) == 1:
            parent, depth = None, 1
        elif (node := ccs_range_parent(code, ranges)) is not None:
            parent, depth = ranges[node], depths[ranges[node]] + 1
        else:
            parent, depth = found.get(code[0]), 2
        found[code] = CCSClass.objects.create(code=code, parent_id=parent, depth=depth).pk
    return found


def base_code(number: codes.StandardNumber) -> str:
    """The edition an amendment amends: the same number without its supplement."""
    return dataclasses.replace(number, amendment=None).code


class _Writer:
    """Turns records into rows of `catalog_standard`, every concrete column in model order."""

    def __init__(self, refs: dict, run: ImportRun | None, now):
        self.refs = refs
        fields = [f for f in Standard._meta.concrete_fields if not f.primary_key]
        self.fields = [f.name for f in fields]
        stamp = connection.ops.adapt_datetimefield_value(now)
        # Every column in table order, with the model default for columns no record
        # describes; each row is a copy of this with the record's values laid over it.
        self.template = {f.column: f.get_db_prep_save(f.get_default(), connection)
                         for f in fields}
        self.template.update({"import_run_id": run.pk if run else None,
                              "imported_at": stamp, "created_at": stamp, "updated_at": stamp})
        self.adapt_date = connection.ops.adapt_datefield_value
        self.today = timezone.localdate()

    def row(self, r: StandardRecord, code: str, norm: str) -> list:
        number = r.number
        d = self.adapt_date
        refs = self.refs
        row = self.template.copy()
        row.update({
            "code": code, "code_norm": norm,
            "undated_norm": number.undated_norm, "level": number.family,
            "nature": r.nature, "prefix": number.prefix,
            "issuer_code": number.issuer_code or "", "number": number.number,
            "part": number.part or "", "year": number.year,
            "amendment": number.amendment or "", "edition_note": r.edition_note,
            "title_zh": r.title_zh, "title_en": r.title_en, "scope": r.scope,
            "issued_on": d(r.issued_on) if r.issued_on else None,
            "effective_on": d(r.effective_on) if r.effective_on else None,
            "abolished_on": d(r.abolished_on) if r.abolished_on else None,
            "first_issued_on": d(r.first_issued_on) if r.first_issued_on else None,
            "reviewed_on": d(r.reviewed_on) if r.reviewed_on else None,
            "review_conclusion": r.review_conclusion,
            "ccs_id": refs["ccs"].get(r.ccs) if r.ccs else None,
            "competent_department_id": refs["orgs"].get(r.competent_department)
            if r.competent_department else None,
            "proposing_unit_id": refs["orgs"].get(r.proposing_unit)
            if r.proposing_unit else None,
            "committee_id": refs["committees"].get(r.committee.name) if r.committee else None,
            "drafters": r.drafters, "public_text": r.public_text,
            "declared_status": r.declared_status, "is_sample": r.is_sample,
            "is_synthetic": r.is_synthetic,
            # The record carries every name the search column needs: no query per row.
            "search_text": search_text(
                code, r.title_zh, r.title_en, r.scope, *r.issuers, *r.drafting_orgs,
                r.competent_department, r.proposing_unit,
                *((r.committee.name, r.committee.code) if r.committee else ())),
        })
        # A new row starts with the status the dates give it (the same rule, before any
        # relation), so the refresh that follows rewrites only rows that relations change.
        # On conflict the status column is not overwritten: the refresh handles those.
        derived = derive_status(
            as_of=self.today, issued_on=r.issued_on, effective_on=r.effective_on,
            abolished_on=r.abolished_on, declared_status=r.declared_status)
        row["status"] = derived.status
        row["pending_change_on"] = d(derived.pending_change_on) \
            if derived.pending_change_on else None
        return list(row.values())


def _codes_of(records: list[StandardRecord]) -> tuple[list[str], list[str]]:
    """Code and code_norm of each record, rendered once (they are computed properties)."""
    rendered = [r.number.code for r in records]
    return rendered, [codes.compact(code) for code in rendered]


def _relation_rows(records: list[StandardRecord]) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(source_norm, target_norm, kind) → (source_code, target_code) the records declare."""
    relations: dict[tuple[str, str, str], tuple[str, str]] = {}

    def add(kind: str, source: str, source_norm: str, target: str, target_norm: str) -> None:
        relations.setdefault((source_norm, target_norm, kind), (source, target))

    for record, code, norm in zip(records, *_codes_of(records), strict=True):
        for other, partial in record.replaces:
            kind = RelationKind.PARTIALLY_REPLACES if partial else RelationKind.REPLACES
            add(kind, code, norm, other, codes.code_norm(other))
        for other, partial in record.replaced_by:
            kind = RelationKind.PARTIALLY_REPLACES if partial else RelationKind.REPLACES
            add(kind, other, codes.code_norm(other), code, norm)
        if record.number.amendment:
            base = base_code(record.number)
            add(RelationKind.AMENDS, code, norm, base, codes.compact(base))
    return relations


def insert_relations(relations: dict[tuple[str, str, str], tuple[str, str]],
                     run: ImportRun | None, known: dict[str, int] | None = None) -> None:
    """Insert relations (existing ones are left alone), with both ends resolved if present.

    `known` maps code_norm → pk for editions the caller already knows; other ends are looked
    up. An end missing from the catalogue stays NULL (a dangling relation, code kept).
    """
    known = dict(known or {})
    others = {n for key in relations for n in key[:2]} - known.keys()
    known.update(_existing(Standard, "code_norm", others))
    run_id = run.pk if run else None
    rows = [(kind, source, source_norm, known.get(source_norm), target, target_norm,
             known.get(target_norm), run_id)
            for (source_norm, target_norm, kind), (source, target) in relations.items()]
    rows.sort(key=lambda row: (row[2], row[5], row[0]))
    insert_rows(StandardRelation, ["kind", "source_code", "source_code_norm", "source",
                                   "target_code", "target_code_norm", "target", "import_run"],
                rows, ignore=True)


def refresh_after_import(ids: Sequence[int]) -> None:
    """Refresh statuses of the given editions; one full pass when they are most of the table."""
    if not ids:
        return
    if 2 * len(ids) >= Standard.objects.count():
        refresh_status()
    else:
        refresh_status(ids=ids)


def load_records(records: list[StandardRecord], run: ImportRun | None = None,
                 *, refresh: bool = True) -> LoadResult:
    """Upsert the records, their classifications, organisations and relations atomically."""
    result = LoadResult()
    if not records:
        return result
    now = timezone.now()
    with transaction.atomic():
        refs = {
            "orgs": _organizations(records),
            "committees": _committees(records),
            "ics": ensure_ics({c for r in records for c in r.ics}),
            "ccs": ensure_ccs({r.ccs for r in records if r.ccs}),
        }
        code_list, norm_list = _codes_of(records)
        norms = set(norm_list)
        before = _existing(Standard, "code_norm", norms)
        result.updated = len(before)
        result.created = len(norms) - len(before)
        writer = _Writer(refs, run, now)
        unique: dict[str, list] = {}
        # The last row for a code wins, as with one UPDATE after another.
        for r, code, norm in zip(records, code_list, norm_list, strict=True):
            unique[norm] = writer.row(r, code, norm)
        insert_rows(Standard, writer.fields, [unique[n] for n in sorted(unique)],
                    conflict=["code_norm"], update=UPDATE_FIELDS)
        ids = _existing(Standard, "code_norm", norms)
        id_list = sorted(ids.values())

        # Many-to-many and adoptions: the file is the truth for the rows it describes.
        Through = Standard.ics.through
        IssuerThrough = Standard.issuing_bodies.through
        DraftThrough = Standard.drafting_orgs.through
        if before:
            old = sorted(before.values())
            for batch in _chunks(old):
                Through.objects.filter(standard_id__in=batch).delete()
                IssuerThrough.objects.filter(standard_id__in=batch).delete()
                DraftThrough.objects.filter(standard_id__in=batch).delete()
                Adoption.objects.filter(standard_id__in=batch).delete()
        ics_rows, issuer_rows, draft_rows, adoptions = {}, {}, {}, {}
        for r, norm in zip(records, norm_list, strict=True):
            pk = ids[norm]
            for c in r.ics:
                ics_rows[(pk, refs["ics"][c])] = None
            for n in r.issuers:
                issuer_rows[(pk, refs["orgs"][n])] = None
            for n in r.drafting_orgs:
                draft_rows[(pk, refs["orgs"][n])] = None
            for code, degree in r.adopts:
                adoptions.setdefault((pk, codes.code_norm(code)), (code, degree))
        for through, target, rows in ((Through, "icsclass", ics_rows),
                                      (IssuerThrough, "organization", issuer_rows),
                                      (DraftThrough, "organization", draft_rows)):
            insert_rows(through, ["standard", target], list(rows), ignore=True)
        insert_rows(Adoption, ["standard", "adopted_code", "adopted_code_norm", "degree"],
                    [(pk, code, norm, degree) for (pk, norm), (code, degree) in adoptions.items()])

        insert_relations(_relation_rows(records), run, ids)
        resolve_relations()
        result.dangling = dangling_for(norms)
        if refresh:
            refresh_after_import(id_list)
        forget_catalog_figures()
    if len(records) >= ANALYZE_AFTER:
        analyze_catalog()
    return result


def dangling_for(norms: set[str], limit: int = 1000) -> list[tuple[str, str, str]]:
    """Relations touching these editions whose other end is not in the catalogue."""
    found: list[tuple[str, str, str]] = []
    rows = StandardRelation.objects.filter(
        Q(source__isnull=True) | Q(target__isnull=True)).order_by("pk").values_list(
        "source_code", "kind", "target_code", "source_code_norm", "target_code_norm",
        "source_id", "target_id")
    for source, kind, target, source_norm, target_norm, source_id, target_id in rows.iterator(
            chunk_size=5000):
        if (source_id is None and target_norm in norms) or (
                target_id is None and source_norm in norms):
            found.append((source, kind, target))
            if len(found) >= limit:
                break
    return found
