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
        "undated_norm": number.undated_norm,
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


def make_ics(code: str, title_zh: str = "", *, title_en: str = ""):
    """An ICS node; its parent is the node one level up when that exists (create top-down)."""
    from biaozhun.catalog.models import ICSClass

    parts = code.split(".")
    parent = ICSClass.objects.filter(code=".".join(parts[:-1])).first() if len(parts) > 1 else None
    return ICSClass.objects.create(code=code, title_zh=title_zh or f"ICS {code}",
                                   title_en=title_en, depth=len(parts), parent=parent)


def make_ccs(code: str, title_zh: str = "", *, parent=None):
    from biaozhun.catalog.models import CCSClass

    return CCSClass.objects.create(code=code, title_zh=title_zh or f"CCS {code}",
                                   depth=1 if len(code) == 1 else 2, parent=parent)


def make_organization(name: str, **fields):
    from biaozhun.accounts.models import Organization

    return Organization.objects.create(name=name, **fields)
