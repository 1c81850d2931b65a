"""API of local standard projects (issue #6): public reads, and every workflow action.

Reads are open. Writes take an API token (`Authorization: Bearer bz_…`) or the signed-in
session with its CSRF token, and call the same services as the pages. Refusals are mapped
per endpoint (`_refusals`, built on `biaozhun.api.errors.refusals`) to the API's error shape
`{"detail": "..."}`, extended with `reasons` (409) or `errors` (422): not signed in 401,
`PermissionDenied` 403, unknown project, request or action 404, `InvalidTransition` and
`NumberingError` 409, `ValidationError` 422. JSON bodies and query strings are parsed by
`biaozhun.api.errors` rather than by ninja so that a malformed date answers in that same shape.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus

from biaozhun import codes
from biaozhun.accounts.models import Organization, User
from biaozhun.api.auth import caller, token_or_session
from biaozhun.api.errors import (
    Id,
    InvalidOut,
    NotFound,
    StrictIn,
    field_errors,
    json_body,
    json_response,
    parse_body,
    parse_query,
    query_parameters,
    refusals,
    refuse_nul,
)
from biaozhun.api.schemas import MAX_OFFSET, MAX_PAGE_SIZE, ErrorOut
from biaozhun.catalog.models import Standard
from biaozhun.catalog.selectors import canonical_code
from biaozhun.core.codes_text import describe
from biaozhun.projects import numbering, selectors, services
from biaozhun.projects import permissions as perms
from biaozhun.projects.guards import vote_outcome
from biaozhun.projects.models import (
    Deadline,
    DocumentKind,
    ExtensionRequest,
    NumberSequence,
    Project,
    ProjectDocument,
    ProjectEvent,
)
from biaozhun.projects.stages import (
    ALLOWED,
    MAIN_LINE,
    STAGE_CODES,
    TERMINAL,
    InvalidTransition,
    Stage,
)

router = Router(tags=["地方标准项目"])

# Once the draft is out for comment, the draft and its explanation are public (征求意见).
PUBLIC_AFTER_COMMENT = frozenset({DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION})


# --- Errors -------------------------------------------------------------------------------------


class ConflictOut(Schema):
    detail: str
    reasons: list[str] = Field(description="不能执行的原因（流程或前置条件）")
    from_stage: str = Field("", description="当前阶段")
    to_stage: str = Field("", description="目标阶段")


WRITE_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                409: ConflictOut, 422: InvalidOut}


def _transition_refused(exc: InvalidTransition) -> JsonResponse:
    return json_response(409, {"detail": str(exc), "reasons": [str(r) for r in exc.reasons],
                               "from_stage": str(exc.from_stage), "to_stage": str(exc.to_stage)})


def _numbering_refused(exc: numbering.NumberingError) -> JsonResponse:
    return json_response(409, {"detail": str(exc), "reasons": [str(exc)], "from_stage": "",
                               "to_stage": ""})


# 404, 403 and 422 as in every app (`biaozhun.api.errors`); 409 for the lifecycle's refusals.
_refusals = refusals({InvalidTransition: _transition_refused,
                      numbering.NumberingError: _numbering_refused})


# --- Output schemas -------------------------------------------------------------------------------


class OrgRefOut(Schema):
    id: int
    name: str


class ProjectSummaryOut(Schema):
    id: int
    reference: str | None = Field(description="项目编号，如 2026-00012")
    title: str = Field(description="标准名称")
    stage: str = Field(description="阶段（见 /projects/stages）")
    stage_label: str = Field(description="阶段名称")
    stage_code: str = Field(description="GB/T 16733 阶段代码，如 30.20")
    administration: OrgRefOut = Field(description="主管部门（牵头）")
    plan_year: int | None = Field(description="计划年度")
    code: str = Field(description="标准号（发布后）")
    updated_at: datetime
    url: str = Field(description="页面地址")
    api_url: str


class ProjectPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[ProjectSummaryOut]


class JurisdictionOut(Schema):
    administration: OrgRefOut
    is_lead: bool = Field(description="牵头方")
    approved_at: datetime | None = Field(description="批准时间")
    sequence: int | None = Field(description="本方顺序号（各方分别编号时）")
    code: str = Field(description="本方标准号")


class DeadlineOut(Schema):
    kind: str
    label: str
    due_on: date = Field(description="截止日期")
    provisional: bool = Field(description="暂定：涉及尚未录入节假日安排的年份")
    basis: str = Field(description="计算依据")
    responsible: OrgRefOut | None = Field(description="责任单位")
    met_at: datetime | None = Field(description="完成时间；未完成为 null")
    overdue_since: date | None = Field(description="逾期日期")


class ExtensionRequestOut(Schema):
    id: int
    state: str = Field(description="pending | granted | refused")
    current_due_on: date
    requested_due_on: date
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str
    decision_url: str = Field(description="决定接口（POST）")


class DocumentOut(Schema):
    id: int
    kind: str
    label: str
    version: int
    original_name: str
    extension: str
    size: int = Field(description="字节")
    sha256: str
    note: str
    uploaded_at: datetime
    public: bool = Field(description="是否公开（征求意见稿和编制说明自征求意见起公开）")
    download_url: str | None = Field(description="下载地址；未公开的材料为 null")


class VoteOut(Schema):
    round: int = Field(description="审查轮次")
    panel: int = Field(description="专家组人数（不含起草单位人员）")
    present: int = Field(description="出席（已表决）")
    approve: int
    disapprove: int
    abstain: int
    quorum: str = Field(description="出席比例要求")
    majority: str = Field(description="同意比例要求（占出席）")
    quorum_met: bool
    passed: bool


class ActionOut(Schema):
    name: str = Field(description="操作名，用于 POST /projects/{id}/actions/{name}")
    label: str
    to_stage: str = Field(description="目标阶段；不改变阶段的操作为空")
    blocked_by: list[str] = Field(description="尚不满足的前置条件；为空时可以执行")
    api_url: str


class ProjectOut(ProjectSummaryOut):
    title_en: str
    scope: str = Field(description="范围和主要技术内容")
    reasons: str = Field(description="立项理由")
    kind: str = Field(description="new 制定 | revision 修订")
    nature: str = Field(description="recommended 推荐性 | mandatory 强制性")
    revises: str | None = Field(description="被修订标准的标准号")
    stage_entered_at: datetime | None
    is_closed: bool = Field(description="已结束（备案、不予立项或终止）")
    proposing_unit: OrgRefOut | None = Field(description="提出单位")
    competent_department: OrgRefOut | None = Field(description="行业主管部门")
    committee: OrgRefOut | None = Field(description="归口技术委员会")
    drafting_orgs: list[OrgRefOut] = Field(description="起草单位")
    numbering: str = Field(description="联合标准编号方式：shared 共用 | each 各方分别编号")
    jurisdictions: list[JurisdictionOut] = Field(description="参与地区及其批准时间")
    comment_opens_on: date | None
    comment_closes_on: date | None
    review_round: int
    issuer: str = Field(description="标准代号，如 DB43/T")
    sequence: int | None = Field(description="顺序号")
    issued_on: date | None
    effective_on: date | None
    filed_on: date | None
    standard_api_url: str | None = Field(description="发布后目录中的标准")
    deadlines: list[DeadlineOut]
    extension_requests: list[ExtensionRequestOut]
    documents: list[DocumentOut] = Field(description="材料（各版本）")
    vote: VoteOut = Field(description="本轮技术审查表决结果")
    novelty: list[dict] = Field(description="查新结果：相近的现行标准")
    novelty_checked_at: datetime | None
    event_count: int
    created_at: datetime
    events_url: str
    actions: list[ActionOut] = Field(
        description="调用者现在可执行的操作（匿名访问时为空）")


class EventOut(Schema):
    seq: int
    kind: str
    label: str
    actor_label: str = Field(description="操作人；系统自动处理时为“系统”")
    at: datetime
    from_stage: str
    to_stage: str
    note: str
    hash: str = Field(description="本条事件的 SHA-256")
    prev_hash: str = Field(description="上一条事件的哈希，首条为空")


class StageOut(Schema):
    stage: str
    label: str
    code: str = Field(description="GB/T 16733 阶段代码")
    next: list[str] = Field(description="允许进入的下一阶段")
    terminal: bool = Field(description="终止状态（无后续阶段）")
    main_line: bool = Field(description="属于主流程（立项→备案）")


class AdjustmentOut(Schema):
    from_value: int
    to_value: int
    reason: str
    by: str
    at: datetime


class NumberSequenceOut(Schema):
    issuer: str = Field(description="标准代号，如 DB43/T")
    last_sequence: int = Field(description="已用最大顺序号")
    next_sequence: int = Field(description="下一个编号（未预留；参考目录中已有的最大号）")
    updated_at: datetime
    adjustments: list[AdjustmentOut] = Field(description="最近的调整记录")


# --- Input schemas ----------------------------------------------------------------------------


class ProjectQuery(Schema):
    q: str | None = Field(None, description="名称关键词、项目编号或标准号")
    stage: Literal[tuple(Stage.values)] | None = Field(None, description="阶段，如 drafting")
    administration: Id | None = Field(None, description="参与的主管部门 id")
    year: int | None = Field(None, ge=1, le=9999, description="计划年度")
    overdue: bool = Field(False, description="只看有逾期期限的项目")
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="每页条数（最多 100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class ProposeIn(StrictIn):
    title: str = Field(description="标准名称")
    scope: str = Field("", description="范围和主要技术内容")
    reasons: str = Field("", description="立项理由")
    kind: Literal["new", "revision"] = Field("new", description="new 制定 | revision 修订")
    nature: Literal["recommended", "mandatory"] = Field("recommended", description="标准性质")
    revises: str | None = Field(None, description="被修订标准的标准号（任意写法），修订项目必填")
    administration: Id = Field(description="标准化行政主管部门（牵头）id")
    partners: list[Id] = Field([], description="联合制定的其他主管部门 id")
    numbering: Literal["shared", "each"] = Field("shared", description="联合标准编号方式")
    proposing_unit: Id | None = Field(None, description="提出单位 id")
    competent_department: Id | None = Field(None, description="行业主管部门 id")
    committee: Id | None = Field(None, description="归口技术委员会（机构）id")
    drafting_orgs: list[Id] = Field([], description="起草单位 id")


class EmptyIn(StrictIn):
    pass


class EvaluateIn(StrictIn):
    accept: bool = Field(description="true 同意立项，false 不予立项")
    opinion: str = Field(description="评估意见")


class ReasonIn(StrictIn):
    reason: str = Field(description="理由")


class PlanIn(StrictIn):
    plan_year: int = Field(description="计划年度")
    drafting_due_on: date | None = Field(None, description="完成起草期限；默认按规定期限计算")


class ExtensionIn(StrictIn):
    requested_due_on: date = Field(description="申请延至")
    reason: str = Field(description="延期理由")


class OpenCommentIn(StrictIn):
    closes_on: date = Field(description="征求意见截止日期")
    opens_on: date | None = Field(None, description="开始日期，默认今天")


class ReviewersIn(StrictIn):
    reviewer_ids: list[Id] = Field(description="审查专家（用户）id")


class VoteIn(StrictIn):
    choice: Literal["approve", "disapprove", "abstain"] = Field(
        description="approve 同意 | disapprove 不同意 | abstain 弃权")
    opinion: str = Field("", description="审查意见")


class PublishIn(StrictIn):
    issued_on: date = Field(description="发布日期")
    effective_on: date = Field(description="实施日期")


class FileIn(StrictIn):
    filed_on: date = Field(description="备案日期")
    filing_number: str = Field("", description="备案号")


class DecisionIn(StrictIn):
    grant: bool = Field(description="true 同意，false 不同意")
    note: str = Field("", description="决定说明；不同意时必填")


class AdjustIn(StrictIn):
    issuer: str = Field(description="标准代号，如 DB43/T 或 DB4301/T")
    last_sequence: int = Field(le=2**31 - 1, description="新的已用最大顺序号")
    reason: str = Field(description="调整理由")


# --- Payloads ---------------------------------------------------------------------------------


def _org(org: Organization | None) -> dict | None:
    return {"id": org.pk, "name": org.name} if org else None


def _summary(project: Project) -> dict:
    return {
        "id": project.pk, "reference": project.reference, "title": project.title,
        "stage": project.stage, "stage_label": str(Stage(project.stage).label),
        "stage_code": project.stage_code, "administration": _org(project.administration),
        "plan_year": project.plan_year, "code": project.code,
        "updated_at": project.updated_at, "url": project.get_absolute_url(),
        "api_url": reverse("api:project_detail", args=[project.pk]),
    }


def _document(document: ProjectDocument, project: Project) -> dict:
    public = document.kind in PUBLIC_AFTER_COMMENT and project.comment_opens_on is not None
    return {
        "id": document.pk, "kind": document.kind, "label": str(document.get_kind_display()),
        "version": document.version, "original_name": document.original_name,
        "extension": document.extension, "size": document.size, "sha256": document.sha256,
        "note": document.note, "uploaded_at": document.uploaded_at, "public": public,
        "download_url": reverse("projects:document", args=[project.pk, document.pk])
        if public else None,
    }


def _deadline(deadline: Deadline) -> dict:
    return {"kind": deadline.kind, "label": str(deadline.get_kind_display()),
            "due_on": deadline.due_on, "provisional": deadline.provisional,
            "basis": deadline.basis, "responsible": _org(deadline.responsible),
            "met_at": deadline.met_at, "overdue_since": deadline.overdue_since}


def _extension(request: ExtensionRequest) -> dict:
    return {
        "id": request.pk, "state": request.state, "current_due_on": request.current_due_on,
        "requested_due_on": request.requested_due_on, "reason": request.reason,
        "requested_at": request.requested_at, "decided_at": request.decided_at,
        "decision_note": request.decision_note,
        "decision_url": reverse("api:project_extension_decision",
                                args=[request.project_id, request.pk]),
    }


def _vote(project: Project) -> dict:
    outcome = vote_outcome(project)
    return {"round": project.review_round, "panel": outcome.panel, "present": outcome.present,
            "approve": outcome.approve, "disapprove": outcome.disapprove,
            "abstain": outcome.abstain, "quorum": str(outcome.quorum),
            "majority": str(outcome.majority), "quorum_met": outcome.quorum_met,
            "passed": outcome.passed}


def _actions(project: Project, user) -> list[dict]:
    if user is None or not user.is_authenticated:
        return []
    return [{"name": a.name, "label": a.label, "to_stage": a.to_stage,
             "blocked_by": list(a.blocked_by),
             "api_url": reverse(f"api:project_action_{a.name}", args=[project.pk])}
            for a in selectors.available_actions(user, project)]


def project_payload(project: Project, user) -> dict:
    """Everything public about one project, plus what `user` may do to it now."""
    documents = project.documents.all()
    deadlines = project.deadlines.select_related("responsible")
    return {
        **_summary(project),
        **{field: getattr(project, field) for field in (
            "title_en", "scope", "reasons", "kind", "nature", "stage_entered_at", "is_closed",
            "numbering", "comment_opens_on", "comment_closes_on", "review_round", "issuer",
            "sequence", "issued_on", "effective_on", "filed_on", "novelty",
            "novelty_checked_at", "event_count", "created_at")},
        "revises": project.revises.code if project.revises else None,
        "proposing_unit": _org(project.proposing_unit),
        "competent_department": _org(project.competent_department),
        "committee": _org(project.committee),
        "drafting_orgs": [_org(o) for o in project.drafting_orgs.all()],
        "jurisdictions": [{"administration": _org(j.administration), "is_lead": j.is_lead,
                           "approved_at": j.approved_at, "sequence": j.sequence,
                           "code": j.code} for j in project.jurisdiction_list],
        "standard_api_url": reverse("api:standard_detail", args=[project.standard.code])
        if project.standard else None,
        "deadlines": [_deadline(d) for d in deadlines],
        "extension_requests": [_extension(r) for r in project.extension_requests.all()],
        "documents": [_document(d, project) for d in documents],
        "vote": _vote(project),
        "events_url": reverse("api:project_events", args=[project.pk]),
        "actions": _actions(project, user),
    }


def _project(project_id: int) -> Project:
    project = selectors.detail_queryset().filter(pk=project_id).first()
    if project is None:
        raise NotFound(f"没有编号为 {project_id} 的项目")
    return project


def _fresh(project_id: int, request: HttpRequest) -> dict:
    return project_payload(_project(project_id), request.user)




# --- Reads --------------------------------------------------------------------------------------


@router.get("/projects", response={200: ProjectPageOut, 422: InvalidOut}, url_name="projects",
            openapi_extra=query_parameters(ProjectQuery), summary="项目列表")
@_refusals
def list_projects(request):
    """地方标准项目列表，按最近更新排序；筛选条件与页面相同，用 `limit`/`offset` 分页。"""
    params = parse_query(request, ProjectQuery)
    filters = selectors.ProjectFilters(
        q=params.q or "", stage=params.stage or "", administration=params.administration,
        year=params.year, overdue=params.overdue)
    queryset = selectors.filter_projects(filters)
    page = queryset[params.offset:params.offset + params.limit]
    return {"count": queryset.count(), "limit": params.limit, "offset": params.offset,
            "results": [_summary(p) for p in page]}


@router.get("/projects/stages", response=list[StageOut], url_name="project_stages",
            summary="阶段与流转规则")
def list_stages(request):
    """各阶段、阶段代码及允许进入的下一阶段（流程转换表）。"""
    return [{"stage": s.value, "label": str(s.label), "code": STAGE_CODES[s],
             "next": [n.value for n in Stage if n in ALLOWED[s]],
             "terminal": s in TERMINAL, "main_line": s in MAIN_LINE} for s in Stage]


@router.get("/projects/numbers", auth=token_or_session, url_name="project_numbers",
            response={200: list[NumberSequenceOut], 401: ErrorOut, 403: ErrorOut},
            summary="编号序列")
@_refusals
def list_numbers(request):
    """各标准代号已用的最大顺序号和下一个编号（标准化管理员）。"""
    if not perms.can_adjust_numbers(request.user):
        raise PermissionDenied
    return [_sequence(row) for row in NumberSequence.objects.prefetch_related(
        "adjustments__by").order_by("issuer")]


def _sequence(row: NumberSequence) -> dict:
    return {"issuer": row.issuer, "last_sequence": row.last_sequence,
            "next_sequence": numbering.preview(row.issuer), "updated_at": row.updated_at,
            "adjustments": [{"from_value": a.from_value, "to_value": a.to_value,
                             "reason": a.reason, "by": str(a.by), "at": a.at}
                            for a in list(row.adjustments.all())[:10]]}


_ISSUER = re.compile(r"DB\d{2}(?:\d{2}){0,2}(?:/T)?")


@router.post("/projects/numbers/adjust", auth=token_or_session,
             url_name="project_numbers_adjust", openapi_extra=json_body(AdjustIn),
             response={200: NumberSequenceOut, **WRITE_ERRORS}, summary="调整编号序列")
@_refusals
def adjust_numbers(request):
    """设定某一标准代号已用的最大顺序号，须说明理由（标准化管理员）。

    标准代号含斜杠（如 `DB43/T`），因此放在请求体中，而不放在路径里：路径中的 `%2F`
    可能被反向代理解码或拒绝。"""
    if not perms.can_adjust_numbers(request.user):
        raise PermissionDenied
    data = parse_body(request, AdjustIn)
    issuer = data.issuer.strip().upper()
    if not _ISSUER.fullmatch(issuer):
        raise ValidationError({"issuer": "标准代号应为 DB + 行政区划代码（可加 /T），如 DB43/T。"})
    numbering.adjust(issuer, last_sequence=data.last_sequence, by=request.user,
                     reason=data.reason)
    return _sequence(NumberSequence.objects.get(issuer=issuer))


@router.get("/projects/{int:project_id}", url_name="project_detail",
            response={200: ProjectOut, 404: ErrorOut}, summary="项目详情")
@_refusals
def get_project(request, project_id: int):
    """项目的公开信息：参与地区、起草单位、期限、材料、表决结果、查新结果；
    `actions` 为调用者（令牌或登录会话）现在可执行的操作。"""
    return project_payload(_project(project_id), caller(request))


@router.get("/projects/{int:project_id}/events", url_name="project_events",
            response={200: list[EventOut], 404: ErrorOut}, summary="项目过程记录")
@_refusals
def list_events(request, project_id: int):
    """项目的全部事件，按序号排列；每条记录上一条的哈希，可据此核验未被篡改。"""
    if not Project.objects.filter(pk=project_id).exists():
        raise NotFound(f"没有编号为 {project_id} 的项目")
    return [{"seq": e.seq, "kind": e.kind, "label": str(e.get_kind_display()),
             "actor_label": e.actor_label, "at": e.at, "from_stage": e.from_stage,
             "to_stage": e.to_stage, "note": e.note, "hash": e.hash, "prev_hash": e.prev_hash}
            for e in ProjectEvent.objects.filter(project_id=project_id).order_by("seq")]


# --- Writes -------------------------------------------------------------------------------------


def _organizations(ids: list[int], field: str) -> list[Organization]:
    found = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"没有编号为 {'、'.join(missing)} 的机构。"})
    return [found[i] for i in dict.fromkeys(ids)]


def _organization(pk: int | None, field: str) -> Organization | None:
    return None if pk is None else _organizations([pk], field)[0]


def _revised_standard(text: str | None) -> Standard | None:
    """The catalogue edition a revision project revises, from a number in any spelling."""
    if not text or not text.strip():
        return None
    try:
        code = canonical_code(text.strip())
    except codes.CodeError as error:
        raise ValidationError({"revises": gettext("不是有效的标准号：%(reason)s") % {
            "reason": describe(error)}}) from None
    if code is None:
        raise ValidationError({"revises": f"目录中没有标准 {text.strip()}。"})
    return Standard.objects.get(code=code)


@router.post("/projects", auth=token_or_session, url_name="projects",
             openapi_extra=json_body(ProposeIn),
             response={201: ProjectOut, **WRITE_ERRORS}, summary="提交立项申请")
@_refusals
def propose(request):
    """提交立项申请（任何登录用户）。立项申请书可随后以 `proposal_form` 类型上传。"""
    data = parse_body(request, ProposeIn)
    errors: dict[str, list[str]] = {}
    resolved: dict[str, Any] = {}
    lookups = {
        "administration": lambda: _organization(data.administration, "administration"),
        "partners": lambda: tuple(_organizations(data.partners, "partners")),
        "proposing_unit": lambda: _organization(data.proposing_unit, "proposing_unit"),
        "competent_department": lambda: _organization(data.competent_department,
                                                      "competent_department"),
        "committee": lambda: _organization(data.committee, "committee"),
        "drafting_orgs": lambda: tuple(_organizations(data.drafting_orgs, "drafting_orgs")),
        "revises": lambda: _revised_standard(data.revises),
    }
    for name, lookup in lookups.items():
        try:
            resolved[name] = lookup()
        except ValidationError as exc:
            errors.update(field_errors(exc))
    if errors:
        raise ValidationError(errors)
    project = services.propose(services.ProposalData(
        title=data.title, scope=data.scope, reasons=data.reasons, kind=data.kind,
        nature=data.nature, numbering=data.numbering, **resolved), by=request.user)
    return HttpStatus(201, _fresh(project.pk, request))


_KINDS = "材料类型：" + "、".join(f"{value} {label}" for value, label in DocumentKind.choices)


@router.post("/projects/{int:project_id}/documents", auth=token_or_session,
             url_name="project_documents", response={201: DocumentOut, **WRITE_ERRORS},
             summary="上传材料")
@_refusals
def upload_document(request, project_id: int,
                    kind: Annotated[str, Form(description=_KINDS)] = "",
                    note: Annotated[str, Form(description="说明")] = "",
                    file: Annotated[UploadedFile | None, File(description="PDF、DOCX 等")] = None):
    """以 multipart/form-data 上传一份材料的新版本；旧版本保留。
    谁可上传哪类材料见项目说明（如起草稿只由起草单位上传）。"""
    project = _project(project_id)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": f"可选值：{'、'.join(DocumentKind.values)}。"})
    if not perms.can_upload(request.user, project, kind):
        raise PermissionDenied
    if file is None:
        raise ValidationError({"file": "请选择文件。"})
    refuse_nul({"note": note, "file": file.name or ""})
    try:
        document = services.upload_document(project, by=request.user, kind=kind, upload=file,
                                            note=note)
    except ValidationError as exc:
        raise ValidationError(field_errors(exc, default="file")) from None
    project.refresh_from_db(fields=["comment_opens_on"])
    return HttpStatus(201, _document(document, project))


def _reviewers(ids: list[int]) -> list[User]:
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"reviewer_ids": f"没有编号为 {'、'.join(missing)} 的用户。"})
    return [found[i] for i in dict.fromkeys(ids)]


# action → (body, call). Names, bodies and permissions are those of selectors.ACTIONS and the
# services; the test suite checks the two tables name the same actions.
ACTION_CALLS: dict[str, tuple[type[Schema], Any]] = {
    "evaluate": (EvaluateIn, lambda p, by, d: services.evaluate(
        p, by=by, accept=d.accept, opinion=d.opinion)),
    "reject": (ReasonIn, lambda p, by, d: services.reject(p, by=by, reason=d.reason)),
    "plan": (PlanIn, lambda p, by, d: services.include_in_plan(
        p, by=by, plan_year=d.plan_year, drafting_due_on=d.drafting_due_on)),
    "start_drafting": (EmptyIn, lambda p, by, d: services.start_drafting(p, by=by)),
    "request_extension": (ExtensionIn, lambda p, by, d: services.request_extension(
        p, by=by, requested_due_on=d.requested_due_on, reason=d.reason)),
    "open_public_comment": (OpenCommentIn, lambda p, by, d: services.open_public_comment(
        p, by=by, closes_on=d.closes_on, opens_on=d.opens_on)),
    "close_public_comment": (EmptyIn, lambda p, by, d: services.close_public_comment(p, by=by)),
    "set_reviewers": (ReviewersIn, lambda p, by, d: services.set_reviewers(
        p, by=by, reviewers=_reviewers(d.reviewer_ids))),
    "send_to_technical_review": (EmptyIn, lambda p, by, d: services.send_to_technical_review(
        p, by=by)),
    "vote": (VoteIn, lambda p, by, d: services.cast_vote(
        p, by=by, choice=d.choice, opinion=d.opinion)),
    "submit_for_approval": (EmptyIn, lambda p, by, d: services.submit_for_approval(p, by=by)),
    "return_for_rework": (ReasonIn, lambda p, by, d: services.return_for_rework(
        p, by=by, reason=d.reason)),
    "approve": (EmptyIn, lambda p, by, d: services.approve(p, by=by)),
    "publish": (PublishIn, lambda p, by, d: services.publish(
        p, by=by, issued_on=d.issued_on, effective_on=d.effective_on)),
    "file": (FileIn, lambda p, by, d: services.file_standard(
        p, by=by, filed_on=d.filed_on, filing_number=d.filing_number)),
    "terminate": (ReasonIn, lambda p, by, d: services.terminate(p, by=by, reason=d.reason)),
}


# Service argument names that differ from the body's field names, for 422 field errors.
_SERVICE_FIELDS = {"set_reviewers": {"reviewers": "reviewer_ids"}}


def _action_view(name: str):
    body, call = ACTION_CALLS[name]
    permitted = selectors.ACTIONS[name][3]

    renamed = _SERVICE_FIELDS.get(name, {})

    @_refusals
    def run_action(request, project_id: int):
        project = _project(project_id)
        # Who before what: an outsider learns nothing from the body's validation.
        if not permitted(request.user, project):
            raise PermissionDenied
        data = parse_body(request, body)
        try:
            call(project, request.user, data)
        except ValidationError as exc:
            errors = field_errors(exc)
            raise ValidationError({renamed.get(f, f): m for f, m in errors.items()}) from None
        return _fresh(project_id, request)

    run_action.__name__ = f"project_action_{name}"
    run_action.__doc__ = f"{selectors.ACTIONS[name][0]}；成功时返回更新后的项目。"
    return run_action


for _name in ACTION_CALLS:
    router.add_api_operation(
        f"/projects/{{int:project_id}}/actions/{_name}", ["POST"], _action_view(_name),
        auth=token_or_session, response={200: ProjectOut, **WRITE_ERRORS},
        url_name=f"project_action_{_name}", operation_id=f"project_action_{_name}",
        summary=f"操作：{selectors.ACTIONS[_name][0]}",
        openapi_extra=json_body(ACTION_CALLS[_name][0],
                                 required=bool(ACTION_CALLS[_name][0].model_fields)))


@router.post("/projects/{int:project_id}/actions/{action}", auth=token_or_session,
             include_in_schema=False, response=WRITE_ERRORS)
@_refusals
def unknown_action(request, project_id: int, action: str):
    _project(project_id)
    raise NotFound(f"没有操作 {action}；可用的操作见 /projects/{{id}} 的 actions。")


@router.post("/projects/{int:project_id}/extensions/{int:request_id}/decision",
             auth=token_or_session, url_name="project_extension_decision",
             openapi_extra=json_body(DecisionIn),
             response={200: ProjectOut, **WRITE_ERRORS}, summary="决定延期申请")
@_refusals
def decide_extension(request, project_id: int, request_id: int):
    """同意或不同意延期申请（牵头主管部门）；同意时起草期限延至申请的日期。"""
    project = _project(project_id)
    extension = ExtensionRequest.objects.filter(project=project, pk=request_id).first()
    if extension is None:
        raise NotFound(f"项目 {project_id} 没有编号为 {request_id} 的延期申请")
    if not perms.can_decide_extension(request.user, project):
        raise PermissionDenied
    data = parse_body(request, DecisionIn)
    services.decide_extension(extension, by=request.user, grant=data.grant, note=data.note)
    return _fresh(project_id, request)

