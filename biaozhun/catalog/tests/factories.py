"""Build catalogue rows for tests: `make_standard("GB/T 1.1-2020", issued_on=...)`."""

from datetime import date

from biaozhun import codes
from biaozhun.catalog.models import RelationKind, Standard, StandardRelation
from biaozhun.catalog.services import refresh_status


def make_standard(code: str, *, title_zh: str | None = None, **fields) -> Standard:
    number = codes.parse(code)
    values = {
        "code": number.code,
        "code_norm": number.code_norm,
        "undated_norm": codes.code_norm(number.undated),
        "level": number.family,
        "nature": number.nature or "",
        "prefix": number.prefix,
        "issuer_code": number.issuer_code or "",
        "number": number.number,
        "part": number.part or "",
        "year": number.year,
        "amendment": number.amendment or "",
        "title_zh": title_zh if title_zh is not None else f"{number.code} 的标题",
    }
    values.update(fields)
    return Standard.objects.create(**values)


def relate(source: Standard, target: Standard, kind: str = RelationKind.REPLACES,
           *, refresh: bool = True, as_of: date | None = None) -> StandardRelation:
    relation = StandardRelation.objects.create(
        kind=kind, source=source, source_code=source.code, source_code_norm=source.code_norm,
        target=target, target_code=target.code, target_code_norm=target.code_norm)
    if refresh:
        refresh_status(ids=[source.pk, target.pk], as_of=as_of)
    return relation
