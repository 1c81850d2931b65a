"""Export any filtered list of editions in the import columns, so that a round trip is exact."""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet

from biaozhun.catalog.importing.columns import (
    ALL_COLUMNS,
    COLUMNS,
    NATURE_ZH,
    REVIEW_ZH,
    STATUS_ZH,
)
from biaozhun.catalog.models import RelationKind, Standard, StandardRelation

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_CHUNK = 2000


def _date(value) -> str:
    return value.isoformat() if value else ""


def _relation_maps(ids: list[int]) -> tuple[dict, dict]:
    replaces: dict[int, list[str]] = defaultdict(list)
    replaced_by: dict[int, list[str]] = defaultdict(list)
    kinds = (RelationKind.REPLACES, RelationKind.PARTIALLY_REPLACES)
    for start in range(0, len(ids), _CHUNK):
        batch = ids[start:start + _CHUNK]
        for source_id, kind, target_code in StandardRelation.objects.filter(
                source_id__in=batch, kind__in=kinds).values_list(
                "source_id", "kind", "target_code").order_by("target_code_norm"):
            replaces[source_id].append(("~" if kind == RelationKind.PARTIALLY_REPLACES else "")
                                       + target_code)
        for target_id, kind, source_code in StandardRelation.objects.filter(
                target_id__in=batch, kind__in=kinds).values_list(
                "target_id", "kind", "source_code").order_by("source_code_norm"):
            replaced_by[target_id].append(
                ("~" if kind == RelationKind.PARTIALLY_REPLACES else "") + source_code)
    return replaces, replaced_by


def iter_rows(queryset: QuerySet[Standard], *, chinese: bool = False) -> Iterator[dict]:
    """One dict per edition, keyed by canonical column name, values as text."""
    queryset = queryset.order_by("code_norm").select_related(
        "ccs", "committee", "competent_department", "proposing_unit")
    ids = list(queryset.values_list("pk", flat=True))
    replaces, replaced_by = _relation_maps(ids)
    prefetch = (
        Prefetch("ics", to_attr="ics_list"),
        Prefetch("issuing_bodies", to_attr="issuer_list"),
        Prefetch("drafting_orgs", to_attr="drafting_list"),
        Prefetch("adoptions", to_attr="adoption_list"),
    )
    for start in range(0, len(ids), _CHUNK):
        batch = ids[start:start + _CHUNK]
        for s in queryset.model.objects.filter(pk__in=batch).order_by("code_norm").select_related(
                "ccs", "committee", "competent_department", "proposing_unit").prefetch_related(
                *prefetch):
            committee = ""
            if s.committee:
                committee = s.committee.name if not s.committee.code or \
                    s.committee.code == s.committee.name else \
                    f"{s.committee.code} {s.committee.name}"
            yield {
                "code": s.code,
                "title_zh": s.title_zh,
                "title_en": s.title_en,
                "status": STATUS_ZH[s.status] if chinese else s.status,
                "issued_on": _date(s.issued_on),
                "effective_on": _date(s.effective_on),
                "abolished_on": _date(s.abolished_on),
                "replaces": ";".join(replaces.get(s.pk, [])),
                "replaced_by": ";".join(replaced_by.get(s.pk, [])),
                "ics": ";".join(sorted(c.code for c in s.ics_list)),
                "ccs": s.ccs.code if s.ccs else "",
                "issuer": ";".join(sorted(o.name for o in s.issuer_list)),
                "committee": committee,
                "drafting_orgs": ";".join(sorted(o.name for o in s.drafting_list)),
                "adopts": ";".join(sorted(f"{a.adopted_code} {a.degree}".strip()
                                          for a in s.adoption_list)),
                "scope": s.scope,
                "nature": (NATURE_ZH.get(s.nature, "") if chinese else s.nature),
                "competent_department": s.competent_department.name
                if s.competent_department else "",
                "proposing_unit": s.proposing_unit.name if s.proposing_unit else "",
                "first_issued_on": _date(s.first_issued_on),
                "reviewed_on": _date(s.reviewed_on),
                "review_conclusion": (REVIEW_ZH.get(s.review_conclusion, "") if chinese
                                      else s.review_conclusion),
                "drafters": s.drafters,
                "public_text": "1" if s.public_text else "",
                "edition_note": s.edition_note,
            }


def export_standards(queryset: QuerySet[Standard], fmt: str, *, chinese: bool = False) -> bytes:
    """The whole export as bytes (CSV is UTF-8 with BOM so that Excel opens it correctly)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    headers = [COLUMNS[c] for c in ALL_COLUMNS] if chinese else ALL_COLUMNS
    rows = iter_rows(queryset, chinese=chinese)
    if fmt == "json":
        data = [{h: row[c] for h, c in zip(headers, ALL_COLUMNS, strict=True)} for row in rows]
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row[c] for c in ALL_COLUMNS])
        return ("\ufeff" + buffer.getvalue()).encode()
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("standards")
    sheet.append(headers)
    for row in rows:
        # Written as text so that codes and dates survive Excel untouched.
        sheet.append([row[c] for c in ALL_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
