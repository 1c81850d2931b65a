"""Read-only API of the catalogue: standards, classifications, organisations, committees."""

from datetime import date

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from biaozhun import codes
from biaozhun.accounts.models import Organization
from biaozhun.api.schemas import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    ErrorOut,
    NotFoundOut,
    PageOut,
    page_slice,
)
from biaozhun.catalog import selectors
from biaozhun.catalog.models import CCSClass, ICSClass, Standard, TechnicalCommittee
from biaozhun.catalog.selectors import StandardFilters
from biaozhun.core.codes_text import describe

router = Router(tags=["标准目录"])


# --- Schemas ----------------------------------------------------------------------------------


def _code_of(obj) -> str:
    return obj["code"] if isinstance(obj, dict) else obj.code


class StandardSummaryOut(Schema):
    code: str
    title_zh: str
    title_en: str
    level: str
    nature: str
    status: str
    issued_on: date | None
    effective_on: date | None
    abolished_on: date | None
    url: str = Field(description="页面地址")
    api_url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("catalog:standard_detail", args=[_code_of(obj)])

    @staticmethod
    def resolve_api_url(obj) -> str:
        return reverse("api:standard_detail", args=[_code_of(obj)])


class StandardPageOut(PageOut):
    results: list[StandardSummaryOut]


class StandardQuery(Schema):
    q: str | None = Field(None, description="标准号（任意写法）或名称关键词")
    level: str | None = Field(None, description="national / industry / local / group …")
    status: str | None = Field(None, description="upcoming / current / superseded / abolished")
    nature: str | None = Field(None, description="mandatory / recommended / guidance")
    issuer: str | None = Field(None, description="标准代号，如 GB、GB/T、DB31")
    ics: str | None = Field(None, description="ICS 分类号，含下级分类")
    ccs: str | None = Field(None, description="CCS 分类号或一级类目字母")
    year_from: int | None = None
    year_to: int | None = None
    sort: str | None = Field(None, description="code（默认）/ issued / effective")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ClassOut(Schema):
    code: str
    title_zh: str
    depth: int


class IcsOut(ClassOut):
    title_en: str
    parent: str | None = None


class CcsOut(ClassOut):
    parent: str | None = None


class ClassDetailOut(Schema):
    code: str
    title_zh: str
    title_en: str = ""
    depth: int
    ancestors: list[ClassOut]
    children: list[ClassOut]
    standards_url: str


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    short_name: str
    website: str


class OrganizationPageOut(PageOut):
    results: list[OrganizationOut]


class OrganizationDetailOut(OrganizationOut):
    issued: list[StandardSummaryOut]
    drafted: list[StandardSummaryOut]
    proposed: list[StandardSummaryOut]
    supervised: list[StandardSummaryOut]


class CommitteeOut(Schema):
    id: int
    code: str
    name: str
    secretariat: OrganizationOut | None


class CommitteePageOut(PageOut):
    results: list[CommitteeOut]


class RelationOut(Schema):
    kind: str
    code: str
    in_catalog: bool
    title_zh: str | None
    status: str | None
    url: str | None


class EditionOut(Schema):
    code: str
    year: int | None
    status: str
    url: str
    this: bool


class AdoptionOut(Schema):
    code: str
    degree: str


class CommitteeRefOut(Schema):
    id: int
    code: str
    name: str


class OrgRefOut(Schema):
    id: int
    name: str


class StandardDetailOut(StandardSummaryOut):
    prefix: str
    number: str
    part: str
    year: int | None
    amendment: str
    edition_note: str
    scope: str
    first_issued_on: date | None
    reviewed_on: date | None
    review_conclusion: str
    pending_change_on: date | None
    drafters: str
    ics: list[ClassOut]
    ccs: ClassOut | None
    issuing_bodies: list[OrgRefOut]
    competent_department: OrgRefOut | None
    proposing_unit: OrgRefOut | None
    committee: CommitteeRefOut | None
    drafting_orgs: list[OrgRefOut]
    adoptions: list[AdoptionOut]
    aliases: list[str] = Field(default_factory=list,
                               description="同一标准的其他编号（如联合地方标准各方的编号）")
    replaces: list[RelationOut]
    replaced_by: list[RelationOut]
    amendments: list[RelationOut]
    amends: list[RelationOut]
    editions: list[EditionOut]
    text_url: str | None
    is_sample: bool
    is_synthetic: bool


# --- Standards --------------------------------------------------------------------------------


@router.get("/standards", response=StandardPageOut, url_name="standard_list")
def list_standards(request, params: Query[StandardQuery]):
    """标准列表：与页面相同的筛选条件，分页返回。"""
    data = params.dict()
    filters = StandardFilters.from_mapping({k: v for k, v in data.items() if v is not None})
    queryset = selectors.summaries(selectors.filter_standards(filters))
    window = page_slice(params.page, params.page_size)
    return {
        "count": queryset.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": list(queryset[window]),
    }


def _relation(relation, other: Standard | None, code: str) -> dict:
    return {
        "kind": relation.kind,
        "code": other.code if other else code,
        "in_catalog": other is not None,
        "title_zh": other.title_zh if other else None,
        "status": other.status if other else None,
        "url": reverse("catalog:standard_detail", args=[other.code]) if other else None,
    }


def _org(org: Organization | None) -> dict | None:
    return {"id": org.pk, "name": org.name} if org else None


def standard_payload(standard: Standard) -> dict:
    """Everything the detail endpoint returns for one edition (lineage included)."""
    lineage = selectors.lineage(standard)
    return {
        **{field: getattr(standard, field) for field in (
            "code", "title_zh", "title_en", "level", "nature", "status", "issued_on",
            "effective_on", "abolished_on", "prefix", "number", "part", "year", "amendment",
            "edition_note", "scope", "first_issued_on", "reviewed_on", "review_conclusion",
            "pending_change_on", "drafters", "is_sample", "is_synthetic")},
        "url": reverse("catalog:standard_detail", args=[standard.code]),
        "api_url": reverse("api:standard_detail", args=[standard.code]),
        "ics": standard.ics_list,
        "ccs": standard.ccs,
        "issuing_bodies": [_org(o) for o in standard.issuer_list],
        "competent_department": _org(standard.competent_department),
        "proposing_unit": _org(standard.proposing_unit),
        "committee": standard.committee,
        "drafting_orgs": [_org(o) for o in standard.drafting_list],
        "adoptions": [{"code": a.adopted_code, "degree": a.degree}
                      for a in standard.adoption_list],
        "aliases": [alias.code for alias in standard.alias_list],
        "replaces": [_relation(r, r.target, r.target_code) for r in lineage.replaces],
        "replaced_by": [_relation(r, r.source, r.source_code) for r in lineage.replaced_by],
        "amendments": [_relation(r, r.source, r.source_code) for r in lineage.amendments],
        "amends": [_relation(r, r.target, r.target_code) for r in lineage.amends],
        "editions": [{"code": e.code, "year": e.year, "status": e.status,
                      "url": reverse("catalog:standard_detail", args=[e.code]),
                      "this": e.pk == standard.pk} for e in lineage.editions],
        "text_url": reverse("catalog:standard_text", args=[standard.code])
        if standard.text_is_readable else None,
    }


@router.get("/standards/{path:code}", url_name="standard_detail",
            response={200: StandardDetailOut, 404: NotFoundOut, 422: ErrorOut})
def get_standard(request, code: str):
    """单个标准（任意写法的标准号均可），含代替关系、修改单、各版本和采标情况。"""
    standard = selectors.detail_queryset().filter(code=code).first()
    if standard is None:
        try:
            canonical = selectors.canonical_code(code)
        except codes.CodeError as error:
            return HttpStatus(422, {"detail": gettext("不是有效的标准号：%(reason)s") % {
                "reason": describe(error)}})
        if canonical is not None:
            standard = selectors.detail_queryset().get(code=canonical)
    if standard is None:
        unknown = selectors.suggestions_for(code)
        return HttpStatus(404, {"detail": f"目录中暂无 {code}",
                     "suggestions": [s.code for s in unknown.suggestions or []]})
    return HttpStatus(200, standard_payload(standard))


# --- Classifications --------------------------------------------------------------------------


def _class_detail(model, node, ancestors, param: str) -> dict:
    return {
        "code": node.code,
        "title_zh": node.title_zh,
        "title_en": getattr(node, "title_en", ""),
        "depth": node.depth,
        "ancestors": ancestors,
        "children": list(model.objects.filter(parent=node).order_by("code")),
        "standards_url": reverse("api:standard_list") + f"?{param}={node.code}",
    }


@router.get("/ics", response=list[IcsOut])
def list_ics(request, parent: str | None = None):
    """ICS 分类；`parent` 给出时只返回其直接下级，`parent=` 为空时返回一级类目。"""
    queryset = ICSClass.objects.select_related("parent").order_by("code")
    if parent is not None:
        queryset = queryset.filter(parent__code=parent) if parent else queryset.filter(
            parent__isnull=True)
    return [{"code": n.code, "title_zh": n.title_zh, "title_en": n.title_en, "depth": n.depth,
             "parent": n.parent.code if n.parent else None} for n in queryset]


@router.get("/ics/{code}", response={200: ClassDetailOut, 404: ErrorOut})
def get_ics(request, code: str):
    node = ICSClass.objects.filter(code=code).first()
    if node is None:
        return HttpStatus(404, {"detail": f"没有 ICS 分类 {code}"})
    parts = code.split(".")
    above = [".".join(parts[:i]) for i in range(1, len(parts))]
    ancestors = list(ICSClass.objects.filter(code__in=above).order_by("depth", "code"))
    return HttpStatus(200, _class_detail(ICSClass, node, ancestors, "ics"))


@router.get("/ccs", response=list[CcsOut])
def list_ccs(request, parent: str | None = None):
    """CCS 分类；`parent` 的用法同 ICS。"""
    queryset = CCSClass.objects.select_related("parent").order_by("code")
    if parent is not None:
        queryset = queryset.filter(parent__code=parent) if parent else queryset.filter(
            parent__isnull=True)
    return [{"code": n.code, "title_zh": n.title_zh, "depth": n.depth,
             "parent": n.parent.code if n.parent else None} for n in queryset]


@router.get("/ccs/{code}", response={200: ClassDetailOut, 404: ErrorOut})
def get_ccs(request, code: str):
    node = CCSClass.objects.filter(code=code).first()
    if node is None:
        return HttpStatus(404, {"detail": f"没有 CCS 分类 {code}"})
    ancestors = []
    if node.parent_id:
        ancestors = list(CCSClass.objects.filter(
            Q(pk=node.parent_id) | Q(children__pk=node.parent_id)).distinct().order_by("depth"))
    return HttpStatus(200, _class_detail(CCSClass, node, ancestors, "ccs"))


# --- Organisations and committees -------------------------------------------------------------


class NamedQuery(Schema):
    q: str | None = Field(None, description="名称关键词")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/organizations", response=OrganizationPageOut)
def list_organizations(request, params: Query[NamedQuery]):
    queryset = Organization.objects.order_by("name")
    if params.q:
        q = selectors.clean_text(params.q)
        queryset = queryset.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    return {"count": queryset.count(), "page": params.page, "page_size": params.page_size,
            "results": list(queryset[page_slice(params.page, params.page_size)])}


_ROLE_SIZE = 20


@router.get("/organizations/{int:id}", response={200: OrganizationDetailOut, 404: ErrorOut})
def get_organization(request, id: int):
    """机构及其发布、起草、提出、主管的标准（每类最新 20 项）。"""
    organization = Organization.objects.filter(pk=id).first()
    if organization is None:
        return HttpStatus(404, {"detail": f"没有编号为 {id} 的机构"})
    roles = {"issued": "issuing_bodies", "drafted": "drafting_orgs",
             "proposed": "proposing_unit", "supervised": "competent_department"}
    payload = {field: getattr(organization, field)
               for field in ("name", "kind", "short_name", "website")}
    payload["id"] = organization.pk
    for key, field in roles.items():
        payload[key] = list(selectors.summaries(Standard.objects.filter(
            **{field: organization})).order_by("-issued_on", "code")[:_ROLE_SIZE])
    return HttpStatus(200, payload)


@router.get("/committees", response=CommitteePageOut)
def list_committees(request, params: Query[NamedQuery]):
    queryset = TechnicalCommittee.objects.select_related("secretariat").order_by("code", "name")
    if params.q:
        q = selectors.clean_text(params.q)
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return {"count": queryset.count(), "page": params.page, "page_size": params.page_size,
            "results": list(queryset[page_slice(params.page, params.page_size)])}


@router.get("/committees/{int:id}", response={200: CommitteeOut, 404: ErrorOut})
def get_committee(request, id: int):
    committee = TechnicalCommittee.objects.select_related("secretariat").filter(pk=id).first()
    if committee is None:
        return HttpStatus(404, {"detail": f"没有编号为 {id} 的技术委员会"})
    return HttpStatus(200, committee)
