"""Write validated records to the database in bulk: upsert keyed on the canonical code."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
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
from biaozhun.catalog.services import refresh_status, resolve_relations

BATCH = 1000
# Columns an import overwrites on an existing edition (everything the file describes).
UPDATE_FIELDS = [
    "code", "undated_norm", "level", "nature", "prefix", "issuer_code", "number", "part", "year",
    "amendment", "edition_note", "title_zh", "title_en", "scope", "issued_on", "effective_on",
    "abolished_on", "first_issued_on", "reviewed_on", "review_conclusion", "ccs",
    "competent_department", "proposing_unit", "committee", "drafters", "public_text",
    "declared_status", "is_sample", "is_synthetic", "import_run", "imported_at", "updated_at",
]


@dataclass(slots=True)
class LoadResult:
    created: int = 0
    updated: int = 0
    dangling: list = field(default_factory=list)


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(model, field: str, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in _chunks(sorted(keys)):
        found.update(model.objects.filter(**{f"{field}__in": batch}).values_list(field, "pk"))
    return found


def _organizations(records: list[StandardRecord]) -> dict[str, int]:
    names = {n for r in records for n in (*r.issuers, *r.drafting_orgs,
                                          r.competent_department, r.proposing_unit) if n}
    found = _existing(Organization, "name", names)
    missing = names - found.keys()
    if missing:
        Organization.objects.bulk_create([Organization(name=n) for n in sorted(missing)],
                                         batch_size=BATCH, ignore_conflicts=True)
        found.update(_existing(Organization, "name", missing))
    return found


def _committees(records: list[StandardRecord]) -> dict[str, int]:
    wanted = {r.committee.name: r.committee.code for r in records if r.committee}
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
    for code in sorted(wanted - found.keys(), key=lambda c: (c.count("."), c)):
        parent = found.get(code.rsplit(".", 1)[0]) if "." in code else None
        found[code] = ICSClass.objects.create(code=code, parent_id=parent,
                                              depth=code.count(".") + 1).pk
    return found


def ensure_ccs(code_list: set[str]) -> dict[str, int]:
    """CCS nodes by code (`A`, `A00`), creating unknown ones under their letter."""
    wanted = set(code_list) | {c[0] for c in code_list}
    found = _existing(CCSClass, "code", wanted)
    for code in sorted(wanted - found.keys(), key=len):
        parent = found.get(code[0]) if len(code) > 1 else None
        found[code] = CCSClass.objects.create(code=code, parent_id=parent,
                                              depth=1 if len(code) == 1 else 2).pk
    return found


def _standard(record: StandardRecord, refs: dict, run: ImportRun | None, now) -> Standard:
    number = record.number
    return Standard(
        code=number.code, code_norm=number.code_norm,
        undated_norm=codes.code_norm(number.undated), level=number.family,
        nature=record.nature, prefix=number.prefix, issuer_code=number.issuer_code or "",
        number=number.number, part=number.part or "", year=number.year,
        amendment=number.amendment or "", edition_note=record.edition_note,
        title_zh=record.title_zh, title_en=record.title_en, scope=record.scope,
        issued_on=record.issued_on, effective_on=record.effective_on,
        abolished_on=record.abolished_on, first_issued_on=record.first_issued_on,
        reviewed_on=record.reviewed_on, review_conclusion=record.review_conclusion,
        ccs_id=refs["ccs"].get(record.ccs),
        competent_department_id=refs["orgs"].get(record.competent_department),
        proposing_unit_id=refs["orgs"].get(record.proposing_unit),
        committee_id=refs["committees"].get(record.committee.name) if record.committee else None,
        drafters=record.drafters, public_text=record.public_text,
        declared_status=record.declared_status, is_sample=record.is_sample,
        is_synthetic=record.is_synthetic, import_run=run, imported_at=now,
        created_at=now, updated_at=now,
    )


def _relations(records: list[StandardRecord], run: ImportRun | None) -> list[StandardRelation]:
    relations: dict[tuple[str, str, str], StandardRelation] = {}

    def add(kind: str, source: str, target: str) -> None:
        key = (codes.code_norm(source), codes.code_norm(target), kind)
        relations.setdefault(key, StandardRelation(
            kind=kind, source_code=source, source_code_norm=key[0], target_code=target,
            target_code_norm=key[1], import_run=run))

    for record in records:
        for other, partial in record.replaces:
            add(RelationKind.PARTIALLY_REPLACES if partial else RelationKind.REPLACES,
                record.code, other)
        for other, partial in record.replaced_by:
            add(RelationKind.PARTIALLY_REPLACES if partial else RelationKind.REPLACES,
                other, record.code)
        if record.number.amendment:
            add(RelationKind.AMENDS, record.code, _base_code(record.number))
    return list(relations.values())


def _base_code(number: codes.StandardNumber) -> str:
    """The edition an amendment amends: its code without the amendment part."""
    return number.code.split("/" + number.amendment)[0] if "/" in number.code else number.code


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
        norms = {r.code_norm for r in records}
        before = _existing(Standard, "code_norm", norms)
        result.updated = len(before)
        result.created = len(norms) - len(before)
        objects = [_standard(r, refs, run, now) for r in records]
        Standard.objects.bulk_create(
            objects, batch_size=BATCH, update_conflicts=True, unique_fields=["code_norm"],
            update_fields=UPDATE_FIELDS)
        ids = _existing(Standard, "code_norm", norms)
        id_list = list(ids.values())

        # Many-to-many and adoptions: the file is the truth for the rows it describes.
        Through = Standard.ics.through
        IssuerThrough = Standard.issuing_bodies.through
        DraftThrough = Standard.drafting_orgs.through
        for batch in _chunks(id_list):
            Through.objects.filter(standard_id__in=batch).delete()
            IssuerThrough.objects.filter(standard_id__in=batch).delete()
            DraftThrough.objects.filter(standard_id__in=batch).delete()
            Adoption.objects.filter(standard_id__in=batch).delete()
        ics_rows, issuer_rows, draft_rows, adoptions = [], [], [], []
        for r in records:
            pk = ids[r.code_norm]
            ics_rows += [Through(standard_id=pk, icsclass_id=refs["ics"][c])
                         for c in dict.fromkeys(r.ics)]
            issuer_rows += [IssuerThrough(standard_id=pk, organization_id=refs["orgs"][n])
                            for n in dict.fromkeys(r.issuers)]
            draft_rows += [DraftThrough(standard_id=pk, organization_id=refs["orgs"][n])
                           for n in dict.fromkeys(r.drafting_orgs)]
            adoptions += [Adoption(standard_id=pk, adopted_code=code,
                                   adopted_code_norm=codes.code_norm(code), degree=degree)
                          for code, degree in r.adopts]
        for model, rows in ((Through, ics_rows), (IssuerThrough, issuer_rows),
                            (DraftThrough, draft_rows), (Adoption, adoptions)):
            model.objects.bulk_create(rows, batch_size=BATCH)

        relations = _relations(records, run)
        StandardRelation.objects.bulk_create(relations, batch_size=BATCH, ignore_conflicts=True)
        resolve_relations()
        result.dangling = dangling_for(norms)
        if refresh:
            refresh_status(ids=id_list)
    return result


def dangling_for(norms: set[str], limit: int = 1000) -> list[tuple[str, str, str]]:
    """Relations touching these editions whose other end is not in the catalogue."""
    found: list[tuple[str, str, str]] = []
    for batch in _chunks(sorted(norms)):
        rows = StandardRelation.objects.filter(
            Q(source__isnull=True, target_code_norm__in=batch)
            | Q(target__isnull=True, source_code_norm__in=batch))
        found += rows.values_list("source_code", "kind", "target_code")[:limit - len(found)]
        if len(found) >= limit:
            break
    return found
