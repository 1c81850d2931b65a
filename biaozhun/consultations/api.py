"""API of public participation (issue #7): consultations, published comments and answers,
the disposition table, proposals from the public, and every write of the drafting group and
the administration.

Reads are open (`auth=None`); what a caller sees of a targeted (定向) consultation, or of the
working copy of the disposition table, depends on a bearer token or session if one is sent.
Writes take an API token (`Authorization: Bearer bz_…`) or the signed-in session with its
CSRF token and call the same services as the pages. Errors have the API's shape
`{"detail": "..."}` (as in `projects.api`): not signed in 401, `PermissionDenied` 403,
unknown consultation / comment / proposal 404, `ConsultationClosed` or `InvalidTransition`
409 (with `reasons`), `ValidationError` 422 (with `errors` by field), `abuse.RateLimited`
429 (with `retry_after` and the Retry-After header).

Nothing here ever puts a commenter's or proposer's e-mail or IP address, a hidden comment or
moderation data in a public response: public comments come only from
`selectors.public_comments` and name people only through `Comment.public_name`.
"""

import functools
import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from biaozhun.accounts.forms import client_ip
from biaozhun.accounts.models import Organization, User
from biaozhun.api.auth import TokenAuth, token_or_session
from biaozhun.api.schemas import ErrorOut
from biaozhun.consultations import permissions, selectors, services, tables
from biaozhun.consultations.abuse import RateLimited
from biaozhun.consultations.models import Comment, Consultation, PublicProposal
from biaozhun.projects.models import ReviewCampaign
from biaozhun.projects.stages import InvalidTransition

router = Router(tags=["公众参与"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
MAX_LIMIT = 500


# --- Errors -------------------------------------------------------------------------------------


class ConflictOut(Schema):
    detail: str
    reasons: list[str] = Field(description="不能执行的原因")


class InvalidOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(
        description="逐字段的错误信息；`__all__` 为不属于某一字段的错误")


class RateLimitedOut(Schema):
    detail: str
    retry_after: int = Field(description="多少秒后可以再次提交（同 Retry-After 响应头）")


READ_ERRORS: dict[int, Any] = {404: ErrorOut, 422: InvalidOut}
WRITE_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                409: ConflictOut, 422: InvalidOut}
SUBMIT_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 429: RateLimitedOut}


class NotFound(Exception):
    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


def _json(status: int, payload: dict) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _invalid(errors: dict[str, list[str]]) -> JsonResponse:
    detail = "；".join(m for messages in errors.values() for m in messages)
    return _json(422, {"detail": detail or "提交的内容有误。", "errors": errors})


def _refusals(view):
    """Turn the services' refusals into responses; a refusal never becomes a 500."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return _json(404, {"detail": exc.detail})
        except PermissionDenied:
            return _json(403, {"detail": "无权执行此操作。"})
        except services.ConsultationClosed as exc:
            return _json(409, {"detail": str(exc), "reasons": [str(exc)]})
        except InvalidTransition as exc:
            reasons = [str(r) for r in exc.reasons] or [str(exc)]
            return _json(409, {"detail": "；".join(reasons), "reasons": reasons})
        except RateLimited as exc:
            response = _json(429, {"detail": str(exc), "retry_after": exc.retry_after_seconds})
            response["Retry-After"] = str(exc.retry_after_seconds)
            return response
        except ValidationError as exc:
            return _invalid(_field_errors(exc))

    return wrapper


_MESSAGES = {
    "missing": "必填。",
    "extra_forbidden": "不支持此字段。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_type": "日期格式应为 YYYY-MM-DD。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "int_from_float": "应为整数。",
    "bool_parsing": "应为 true 或 false。",
    "bool_type": "应为 true 或 false。",
    "string_type": "应为字符串。",
    "list_type": "应为数组。",
    "greater_than_equal": "超出范围。",
    "less_than_equal": "超出范围。",
}


def _pydantic_errors(exc: pydantic.ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        if error["type"] == "literal_error":
            message = f"可选值：{error['ctx']['expected']}。"
        else:
            message = _MESSAGES.get(error["type"], error["msg"])
        errors.setdefault(field, [])
        if message not in errors[field]:
            errors[field].append(message)
    return errors


def _body(request: HttpRequest, schema: type[Schema]):
    """The JSON body validated by `schema`; ValidationError (→ 422) when it is not."""
    raw: Any = {}
    if request.body:
        try:
            raw = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise ValidationError({"__all__": "请求体应为 JSON 对象。"}) from None
    if not isinstance(raw, dict):
        raise ValidationError({"__all__": "请求体应为 JSON 对象。"})
    try:
        return schema.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError(_pydantic_errors(exc)) from None


def _json_body(schema: type[Schema]) -> dict:
    """OpenAPI for a body this module parses itself (see `_body`)."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema.model_json_schema()}}}}


class StrictIn(Schema):
    model_config = pydantic.ConfigDict(extra="forbid")


def _caller(request: HttpRequest):
    """The caller of an open read: a bearer token's user, else the session's, else None (an
    unusable token on an open read is not an error; the caller is simply anonymous)."""
    if request.headers.get("Authorization"):
        user = TokenAuth()(request)
        if user is not None:
            return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- Output schemas -------------------------------------------------------------------------------


class OrgRefOut(Schema):
    id: int
    name: str


class ProjectRefOut(Schema):
    id: int
    reference: str | None = Field(description="项目编号")
    title: str
    url: str
    api_url: str


class ConsultationSummaryOut(Schema):
    id: int
    kind: str = Field(description="draft 标准征求意见稿 | plan 立项计划公示 | "
                                  "review 复审结论公示 | targeted 定向征求意见")
    kind_label: str
    title: str
    state: str = Field(description="scheduled 未开始 | open 征求意见中 | closed 已结束")
    state_label: str
    opens_on: date
    closes_on: date
    days_left: int = Field(description="距截止还有几天（已结束为 0）")
    administration: OrgRefOut = Field(description="标准化行政主管部门")
    project: ProjectRefOut | None = Field(description="标准征求意见稿所属的项目")
    plan_year: int | None = Field(description="计划年度（立项计划公示）")
    comment_count: int = Field(description="有效意见数（已确认、未屏蔽）")
    url: str = Field(description="页面地址")
    api_url: str


class ConsultationPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[ConsultationSummaryOut]


class DocumentOut(Schema):
    kind: str = Field(description="draft 征求意见稿 | explanation 编制说明")
    label: str
    version: int
    original_name: str
    extension: str
    size: int = Field(description="字节")
    sha256: str
    url: str = Field(description="在浏览器中阅读")
    download_url: str = Field(description="下载原文件")


class ConsultationOut(ConsultationSummaryOut):
    description: str
    is_public: bool = Field(description="false：定向征求意见，仅受邀单位和专家可见")
    closed_at: datetime | None
    documents: list[DocumentOut] = Field(description="征求意见稿和编制说明")
    comment_url: str = Field(description="提交意见的网页表单（访客须回答验证问题并确认邮箱）")
    comments_api_url: str = Field(description="意见及处理情况（征求意见结束后公开）")
    disposition_table_url: str = Field(description="意见汇总处理表页面")
    disposition_table_api_url: str


class PublicCommentOut(Schema):
    number: int = Field(description="序号")
    clause: str = Field(description="章条号")
    paragraph: str = Field(description="段落/图/表")
    type: str = Field(description="general 一般性 | technical 技术性 | editorial 编辑性")
    type_label: str
    text: str = Field(description="意见")
    proposed_change: str = Field(description="修改建议")
    reason: str = Field(description="理由")
    commenter: str = Field(description="提出人：本人同意公开时为姓名（单位），否则为提出方类型")
    commenter_type: str
    commenter_type_label: str
    submitted_at: datetime
    duplicate_of: int | None = Field(description="归入的同类意见序号（同第 N 条）")
    decision: str = Field(description="accepted 采纳 | partly 部分采纳 | not_accepted 不采纳；"
                                      "未处理为空")
    decision_label: str
    decision_reason: str = Field(description="处理理由；同类意见为“同第 N 条：……”")


class PublicCommentsOut(Schema):
    published: bool = Field(description="意见及处理情况是否已公开（征求意见结束后公开）")
    count: int
    limit: int
    offset: int
    results: list[PublicCommentOut]


class TableRowOut(Schema):
    number: int = Field(description="序号")
    clause: str = Field(description="章条号（段落/图/表在括号内）")
    text: str = Field(description="意见内容")
    proposed_change: str = Field(description="修改建议")
    reason: str = Field(description="理由")
    commenter: str = Field(description="提出单位/人")
    decision: str = Field(description="处理意见：采纳 / 部分采纳 / 不采纳 / 未处理")
    decision_reason: str = Field(description="处理理由")


class CountOut(Schema):
    label: str
    count: int


class TableSummaryOut(Schema):
    total: int
    sentence: str
    by_decision: list[CountOut]
    by_commenter_type: list[CountOut]


class DispositionTableOut(Schema):
    published: bool = Field(description="是否可以查看（公众：征求意见结束后）")
    audience: Literal["public", "internal", "none"] = Field(
        description="public 公开版（姓名仅在本人同意时显示）| internal 起草单位工作版 | "
                    "none 尚未公开")
    title: str
    details: str
    count: int = Field(description="行数（有效意见数）")
    limit: int
    offset: int
    rows: list[TableRowOut] = Field(description="按序号排列的本页各行（`limit`/`offset`）")
    summary: TableSummaryOut | None
    xlsx_url: str | None
    docx_url: str | None


class StaffCommentOut(Schema):
    id: int
    number: int
    clause: str
    paragraph: str
    type: str
    text: str
    proposed_change: str
    reason: str
    name: str = Field(description="提出人姓名（工作数据，不对外公开）")
    organization: str
    commenter_type: str
    show_name: bool = Field(description="本人同意公开姓名和单位")
    public_name: str = Field(description="对外显示的提出人")
    submitted_at: datetime
    verified: bool = Field(description="已确认（访客须确认邮箱）")
    hidden: bool = Field(description="已屏蔽（不计入、不公开）")
    hidden_reason: str
    duplicate_of: int | None = Field(description="归入的同类意见序号")
    decision: str
    decision_label: str
    decision_reason: str
    answered_at: datetime | None


class DispositionsOut(Schema):
    count: int
    unanswered: int = Field(description="有效意见中尚未处理的条数")
    unverified: int = Field(description="待邮箱确认的访客意见（不计入，不列出）")
    limit: int
    offset: int
    results: list[StaffCommentOut]


class CommentReceiptOut(Schema):
    number: int = Field(description="意见序号")
    counted: bool = Field(description="是否已计入（登录用户的意见即时计入）")
    receipt_url: str = Field(description="查看意见和处理结果的链接（请妥善保存）")
    consultation_api_url: str


class ProposalOut(Schema):
    id: int
    title: str = Field(description="建议的标准名称")
    state: str = Field(description="received 已收到 | accepted 已立项申请 | declined 不予采纳")
    state_label: str
    administration: str = Field(description="受理的标准化行政主管部门")
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str = Field(description="不予采纳的理由")
    project: ProjectRefOut | None = Field(description="转为的项目")


class ProposalPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[ProposalOut]


class NoveltyOut(Schema):
    code: str
    title_zh: str
    level: str
    status: str
    score: float


class ProposalReceiptOut(ProposalOut):
    novelty: list[NoveltyOut] = Field(description="查新结果：相近的现行标准")
    receipt_url: str = Field(description="查看处理结果的链接")


# --- Input schemas ----------------------------------------------------------------------------


class ConsultationQuery(Schema):
    kind: Literal["draft", "plan", "review"] | None = Field(None, description="类型")
    state: Literal["scheduled", "open", "closed"] | None = Field(None, description="状态")
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10**9)


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**9)


class DispositionQuery(PageQuery):
    unanswered: bool = Field(False, description="只列未处理的意见")


class ProposalQuery(Schema):
    state: Literal["received", "accepted", "declined"] | None = None
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10**9)


class OpenIn(StrictIn):
    kind: Literal["plan", "review", "targeted"] = Field(
        description="plan 立项计划公示 | review 复审结论公示 | targeted 定向征求意见")
    administration: Id = Field(description="标准化行政主管部门 id")
    title: str = Field(description="标题")
    description: str = Field("", description="说明")
    opens_on: date = Field(description="开始日期")
    closes_on: date = Field(description="截止日期（不短于规定的最短期限）")
    plan_year: int | None = Field(None, ge=2000, le=2100,
                                  description="计划年度（立项计划公示必填）")
    campaign: Id | None = Field(None, description="复审工作 id（复审结论公示）")
    invited_organizations: list[Id] = Field([], description="受邀单位 id（定向征求意见）")
    invited_users: list[Id] = Field([], description="受邀专家（用户）id（定向征求意见）")


class CommentIn(StrictIn):
    text: str = Field(description="意见")
    clause: str = Field("", description="章条号，如 5.2.1")
    paragraph: str = Field("", description="段落/图/表")
    type: Literal["general", "technical", "editorial"] = Field(
        "general", description="general 一般性 | technical 技术性 | editorial 编辑性")
    proposed_change: str = Field("", description="修改建议")
    reason: str = Field("", description="理由")
    organization: str = Field("", description="单位；默认为账号所属的第一个单位")
    commenter_type: Literal["individual", "enterprise", "association", "institution",
                            "government", "expert"] = Field("individual", description="提出方类型")
    show_name: bool = Field(False, description="征求意见结束后是否公开姓名和单位")


class AnswerIn(StrictIn):
    decision: Literal["accepted", "partly", "not_accepted"] = Field(
        description="accepted 采纳 | partly 部分采纳 | not_accepted 不采纳")
    reason: str = Field("", description="处理理由；部分采纳和不采纳时必填")


class ReasonIn(StrictIn):
    reason: str = Field(description="理由（记录在案）")


class DuplicatesIn(StrictIn):
    leader_id: Id = Field(description="作为代表的意见 id")
    duplicate_ids: list[Id] = Field(description="归入该意见的同类意见 id")


class ProposalIn(StrictIn):
    title: str = Field(description="建议的标准名称")
    scope: str = Field(description="范围和主要技术内容")
    reasons: str = Field(description="理由和依据")
    administration: Id = Field(description="向哪个标准化行政主管部门提出（id）")
    organization: str = Field("", description="单位；默认为账号所属的第一个单位")


# --- Payloads ---------------------------------------------------------------------------------


def _project_ref(project) -> dict | None:
    if project is None:
        return None
    return {"id": project.pk, "reference": project.reference, "title": project.title,
            "url": project.get_absolute_url(),
            "api_url": reverse("api:project_detail", args=[project.pk])}


def _summary(consultation: Consultation) -> dict:
    state = consultation.state
    return {
        "id": consultation.pk, "kind": consultation.kind,
        "kind_label": str(Consultation.Kind(consultation.kind).label),
        "title": consultation.title, "state": state,
        "state_label": str(Consultation.State(state).label),
        "opens_on": consultation.opens_on, "closes_on": consultation.closes_on,
        "days_left": consultation.days_left if state != Consultation.State.CLOSED else 0,
        "administration": {"id": consultation.administration.pk,
                           "name": consultation.administration.name},
        "project": _project_ref(consultation.project), "plan_year": consultation.plan_year,
        "comment_count": consultation.comment_count, "url": consultation.get_absolute_url(),
        "api_url": reverse("api:consultation_detail", args=[consultation.pk]),
    }


def _documents(consultation: Consultation) -> list[dict]:
    out = []
    for which, document in (("draft", consultation.draft),
                            ("explanation", consultation.explanation)):
        if document is None:
            continue
        out.append({
            "kind": which, "label": str(document.get_kind_display()),
            "version": document.version, "original_name": document.original_name,
            "extension": document.extension, "size": document.size,
            "sha256": document.sha256,
            "url": reverse("consultations:document", args=[consultation.pk, which]),
            "download_url": reverse("projects:document",
                                    args=[document.project_id, document.pk]),
        })
    return out


def _detail(consultation: Consultation) -> dict:
    pk = consultation.pk
    return {
        **_summary(consultation), "description": consultation.description,
        "is_public": consultation.is_public, "closed_at": consultation.closed_at,
        "documents": _documents(consultation),
        "comment_url": reverse("consultations:comment", args=[pk]),
        "comments_api_url": reverse("api:consultation_comments", args=[pk]),
        "disposition_table_url": reverse("consultations:table", args=[pk]),
        "disposition_table_api_url": reverse("api:consultation_disposition_table",
                                             args=[pk]),
    }


def _decision_label(decision: str) -> str:
    return str(selectors.DECISION_LABELS[decision or selectors.UNANSWERED])


def _public_comment(comment: Comment) -> dict:
    """Only fields the public may see; the answer of a duplicate is its leader's."""
    leader = comment.duplicate_of
    if leader is not None:
        decision = leader.decision
        reason = f"同第 {leader.number} 条" + (f"：{leader.decision_reason}"
                                              if leader.decision_reason else "")
    else:
        decision, reason = comment.decision, comment.decision_reason
    return {
        "number": comment.number, "clause": comment.clause, "paragraph": comment.paragraph,
        "type": comment.type, "type_label": str(Comment.Type(comment.type).label),
        "text": comment.text, "proposed_change": comment.proposed_change,
        "reason": comment.reason, "commenter": comment.public_name,
        "commenter_type": comment.commenter_type,
        "commenter_type_label": str(Comment.CommenterType(comment.commenter_type).label),
        "submitted_at": comment.submitted_at,
        "duplicate_of": leader.number if leader is not None else None,
        "decision": decision, "decision_label": _decision_label(decision),
        "decision_reason": reason,
    }


def _staff_comment(comment: Comment) -> dict:
    leader = comment.duplicate_of
    decision = leader.decision if leader is not None else comment.decision
    reason = comment.decision_reason
    if leader is not None:
        reason = f"同第 {leader.number} 条" + (f"：{leader.decision_reason}"
                                              if leader.decision_reason else "")
    return {
        "id": comment.pk, "number": comment.number, "clause": comment.clause,
        "paragraph": comment.paragraph, "type": comment.type, "text": comment.text,
        "proposed_change": comment.proposed_change, "reason": comment.reason,
        "name": comment.name, "organization": comment.organization,
        "commenter_type": comment.commenter_type, "show_name": comment.show_name,
        "public_name": comment.public_name, "submitted_at": comment.submitted_at,
        "verified": comment.is_verified, "hidden": comment.is_hidden,
        "hidden_reason": comment.hidden_reason,
        "duplicate_of": leader.number if leader is not None else None,
        "decision": decision, "decision_label": _decision_label(decision),
        "decision_reason": reason, "answered_at": comment.answered_at,
    }


def _proposal(proposal: PublicProposal) -> dict:
    declined = proposal.state == PublicProposal.State.DECLINED
    return {
        "id": proposal.pk, "title": proposal.title, "state": proposal.state,
        "state_label": str(PublicProposal.State(proposal.state).label),
        "administration": proposal.administration.name, "created_at": proposal.created_at,
        "decided_at": proposal.decided_at,
        "decision_reason": proposal.decision_reason if declined else "",
        "project": _project_ref(proposal.project),
    }


def _proposal_receipt(proposal: PublicProposal) -> dict:
    novelty = [{"code": str(n.get("code", "")), "title_zh": str(n.get("title_zh", "")),
                "level": str(n.get("level", "")), "status": str(n.get("status", "")),
                "score": float(n.get("score") or 0)}
               for n in proposal.novelty if isinstance(n, dict)]
    return {**_proposal(proposal), "novelty": novelty,
            "receipt_url": proposal.get_receipt_url()}


# --- Lookups ------------------------------------------------------------------------------------


def _consultation(consultation_id: int, user) -> Consultation:
    """The consultation if `user` may see it; a targeted one is not found for the others."""
    consultation = Consultation.objects.select_related(
        "administration", "project", "draft", "explanation").filter(
        pk=consultation_id).first()
    if consultation is None or not permissions.can_view_consultation(user, consultation):
        raise NotFound(f"没有编号为 {consultation_id} 的征求意见")
    return consultation


def _comment(consultation: Consultation, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("duplicate_of").filter(
        pk=comment_id, consultation=consultation).first()
    if comment is None:
        raise NotFound(f"征求意见 {consultation.pk} 没有编号为 {comment_id} 的意见")
    return comment


def _fresh_comment(comment: Comment) -> dict:
    return _staff_comment(Comment.objects.select_related("duplicate_of").get(pk=comment.pk))


def _proposal_for(proposal_id: int) -> PublicProposal:
    proposal = PublicProposal.objects.select_related("administration", "project").filter(
        pk=proposal_id).first()
    if proposal is None:
        raise NotFound(f"没有编号为 {proposal_id} 的立项建议")
    return proposal


def _public_consultations(params: ConsultationQuery) -> QuerySet[Consultation]:
    today = timezone.localdate()
    qs = Consultation.objects.filter(is_public=True).select_related(
        "administration", "project")
    if params.kind:
        qs = qs.filter(kind=params.kind)
    ended = Q(closed_at__isnull=False) | Q(closes_on__lt=today)
    if params.state == Consultation.State.CLOSED:
        qs = qs.filter(ended)
    elif params.state == Consultation.State.OPEN:
        qs = qs.exclude(ended).filter(opens_on__lte=today)
    elif params.state == Consultation.State.SCHEDULED:
        qs = qs.exclude(ended).filter(opens_on__gt=today)
    return qs.order_by("-opens_on", "-pk")


# --- Reads --------------------------------------------------------------------------------------


@router.get("/consultations", url_name="consultations", summary="征求意见列表",
            response={200: ConsultationPageOut, 422: InvalidOut})
def list_consultations(request, params: Query[ConsultationQuery]):
    """公开的征求意见（标准征求意见稿、立项计划公示、复审结论公示），按开始日期从新到旧；
    可按类型 `kind` 和状态 `state` 筛选，用 `limit`/`offset` 分页。定向征求意见不列出。"""
    queryset = _public_consultations(params)
    page = queryset[params.offset:params.offset + params.limit]
    return {"count": queryset.count(), "limit": params.limit, "offset": params.offset,
            "results": [_summary(c) for c in page]}


@router.get("/consultations/{int:consultation_id}", url_name="consultation_detail",
            response={200: ConsultationOut, 404: ErrorOut}, summary="征求意见详情")
@_refusals
def get_consultation(request, consultation_id: int):
    """征求意见的公开信息：期限、状态、征求意见稿和编制说明的阅读与下载地址。
    定向征求意见只对受邀单位和专家、主管部门及项目参与方可见（须带令牌或登录）。"""
    return _detail(_consultation(consultation_id, _caller(request)))


@router.get("/consultations/{int:consultation_id}/comments", url_name="consultation_comments",
            response={200: PublicCommentsOut, **READ_ERRORS}, summary="意见及处理情况")
@_refusals
def list_public_comments(request, consultation_id: int, params: Query[PageQuery]):
    """征求意见结束后公开的意见及其处理意见（按序号）。结束前返回空列表和
    `"published": false`。只含已确认、未屏蔽的意见；提出人只在本人同意时显示姓名和单位，
    否则显示提出方类型；从不包含电子邮箱、IP 地址或屏蔽信息。"""
    consultation = _consultation(consultation_id, _caller(request))
    published = consultation.is_public and consultation.is_closed
    comments = selectors.public_comments(consultation)
    page = comments[params.offset:params.offset + params.limit] if published else []
    return {"published": published, "count": comments.count() if published else 0,
            "limit": params.limit, "offset": params.offset,
            "results": [_public_comment(c) for c in page]}


@router.get("/consultations/{int:consultation_id}/disposition-table",
            url_name="consultation_disposition_table",
            response={200: DispositionTableOut, 404: ErrorOut}, summary="意见汇总处理表")
@_refusals
def get_disposition_table(request, consultation_id: int, params: Query[PageQuery]):
    """意见汇总处理表的行（用 `limit`/`offset` 分页）和汇总（按处理意见、按提出方类型）。
    公众在征求意见结束后可见，提出人只在本人同意时显示姓名；起草单位和主管部门（令牌或登录）随时可见工作版
    （姓名和单位）。两种版本都不含电子邮箱、IP 地址和被屏蔽的意见。"""
    user = _caller(request)
    consultation = _consultation(consultation_id, user)
    title, details = tables.heading(consultation)
    if permissions.can_see_disposition_work(user, consultation):
        audience = "internal"
    elif consultation.is_public and consultation.is_closed:
        audience = "public"
    else:
        return {"published": False, "audience": "none", "title": title, "details": details,
                "count": 0, "limit": params.limit, "offset": params.offset, "rows": [],
                "summary": None, "xlsx_url": None, "docx_url": None}
    rows = selectors.disposition_rows(consultation)
    summary = tables.table_summary(consultation)
    return {
        "published": True, "audience": audience, "title": title, "details": details,
        "count": len(rows), "limit": params.limit, "offset": params.offset,
        "rows": [asdict(tables.to_table_row(row, public=audience == "public"))
                 for row in rows[params.offset:params.offset + params.limit]],
        "summary": {"total": summary.total, "sentence": summary.sentence(),
                    "by_decision": [{"label": label, "count": n}
                                    for label, n in summary.by_decision],
                    "by_commenter_type": [{"label": label, "count": n}
                                          for label, n in summary.by_commenter_type]},
        "xlsx_url": reverse("consultations:table_file", args=[consultation.pk, "xlsx"]),
        "docx_url": reverse("consultations:table_file", args=[consultation.pk, "docx"]),
    }


@router.get("/consultations/{int:consultation_id}/dispositions", auth=token_or_session,
            url_name="consultation_dispositions",
            response={200: DispositionsOut, **WRITE_ERRORS}, summary="意见处理工作列表")
@_refusals
def list_dispositions(request, consultation_id: int, params: Query[DispositionQuery]):
    """起草单位和主管部门的工作列表：全部已确认的意见（含已屏蔽的，带屏蔽理由）及其 id、
    处理情况，用于答复、合并同类意见和屏蔽接口。不含电子邮箱和 IP 地址。"""
    consultation = _consultation(consultation_id, request.user)
    if not permissions.can_see_disposition_work(request.user, consultation):
        raise PermissionDenied
    comments = consultation.comments.filter(verified_at__isnull=False).select_related(
        "duplicate_of").order_by("number")
    unanswered = selectors.unanswered(selectors.visible_comments(consultation))
    if params.unanswered:
        comments = selectors.unanswered(comments.filter(hidden_at__isnull=True))
    page = comments[params.offset:params.offset + params.limit]
    return {"count": comments.count(), "unanswered": unanswered.count(),
            "unverified": consultation.comments.filter(verified_at__isnull=True).count(),
            "limit": params.limit, "offset": params.offset,
            "results": [_staff_comment(c) for c in page]}


@router.get("/proposals", url_name="proposals", summary="公开征集的立项建议",
            response={200: ProposalPageOut, 422: InvalidOut})
def list_proposals(request, params: Query[ProposalQuery]):
    """社会公众提出的立项建议及其处理情况（不予采纳时附理由），按提出时间从新到旧。
    不含建议人的姓名、单位和联系方式。"""
    queryset = PublicProposal.objects.select_related("administration", "project").only(
        "pk", "title", "state", "created_at", "decided_at", "decision_reason",
        "administration__name", "project__id", "project__reference", "project__title",
    ).order_by("-created_at", "-pk")
    if params.state:
        queryset = queryset.filter(state=params.state)
    page = queryset[params.offset:params.offset + params.limit]
    return {"count": queryset.count(), "limit": params.limit, "offset": params.offset,
            "results": [_proposal(p) for p in page]}


# --- Writes -------------------------------------------------------------------------------------


def _by_ids(model, ids: list[int], field: str, **filters) -> list:
    found = {o.pk: o for o in model.objects.filter(pk__in=ids, **filters)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"没有编号为 {'、'.join(missing)} 的记录。"})
    return [found[i] for i in dict.fromkeys(ids)]


@router.post("/consultations", auth=token_or_session, url_name="consultations_open",
             openapi_extra=_json_body(OpenIn),
             response={201: ConsultationOut, **WRITE_ERRORS}, summary="发起征求意见")
@_refusals
def open_consultation(request):
    """发起立项计划公示、复审结论公示或定向征求意见（标准化行政主管部门工作人员，
    为本部门发起）。标准征求意见稿的征求意见随项目进入征求意见阶段自动开始，不在此发起。"""
    if not permissions.can_open_consultation(request.user):
        raise PermissionDenied
    data = _body(request, OpenIn)
    errors: dict[str, list[str]] = {}
    resolved: dict[str, Any] = {}
    lookups = {
        "administration": lambda: _by_ids(Organization, [data.administration],
                                          "administration")[0],
        "campaign": lambda: _by_ids(ReviewCampaign, [data.campaign], "campaign")[0]
        if data.campaign else None,
        "invited_organizations": lambda: _by_ids(Organization, data.invited_organizations,
                                                 "invited_organizations"),
        "invited_users": lambda: _by_ids(User, data.invited_users, "invited_users",
                                         is_active=True),
    }
    for name, lookup in lookups.items():
        try:
            resolved[name] = lookup()
        except ValidationError as exc:
            errors.update(_field_errors(exc))
    if errors:
        raise ValidationError(errors)
    consultation = services.open_consultation(
        by=request.user, kind=data.kind, title=data.title, description=data.description,
        opens_on=data.opens_on, closes_on=data.closes_on, plan_year=data.plan_year,
        **resolved)
    return HttpStatus(201, _detail(_consultation(consultation.pk, request.user)))


@router.post("/consultations/{int:consultation_id}/comments", auth=token_or_session,
             url_name="consultation_comment", openapi_extra=_json_body(CommentIn),
             response={201: CommentReceiptOut, **SUBMIT_ERRORS}, summary="提出意见")
@_refusals
def submit_comment(request, consultation_id: int):
    """登录用户（令牌或登录会话）在征求意见期内提出一条意见，即时计入；姓名和电子邮箱取自
    账号。访客请使用网页表单（须回答验证问题并确认电子邮箱），接口不接受访客提交。
    征求意见未开始或已结束时返回 409；提交过于频繁时返回 429。"""
    consultation = _consultation(consultation_id, request.user)
    data = _body(request, CommentIn)
    comment = services.submit_comment(
        consultation, by=request.user, client_ip=client_ip(request),
        data=services.CommentData(
            text=data.text, clause=data.clause, paragraph=data.paragraph, type=data.type,
            proposed_change=data.proposed_change, reason=data.reason,
            organization=data.organization, commenter_type=data.commenter_type,
            show_name=data.show_name))
    return HttpStatus(201, {
        "number": comment.number, "counted": comment.is_verified,
        "receipt_url": comment.get_receipt_url(),
        "consultation_api_url": reverse("api:consultation_detail", args=[consultation.pk])})


@router.post("/consultations/{int:consultation_id}/comments/{int:comment_id}/answer",
             auth=token_or_session, url_name="consultation_comment_answer",
             openapi_extra=_json_body(AnswerIn),
             response={200: StaffCommentOut, **WRITE_ERRORS}, summary="答复意见")
@_refusals
def answer_comment(request, consultation_id: int, comment_id: int):
    """答复一条意见：采纳、部分采纳或不采纳；部分采纳和不采纳须说明理由。再次答复覆盖之前的
    答复（均有记录）。标准征求意见稿由项目的起草单位答复，其他类型由主管部门答复。"""
    consultation = _consultation(consultation_id, request.user)
    comment = _comment(consultation, comment_id)
    if not permissions.can_answer(request.user, consultation):
        raise PermissionDenied
    data = _body(request, AnswerIn)
    services.answer_comment(comment, by=request.user, decision=data.decision,
                            reason=data.reason)
    return _fresh_comment(comment)


def _moderation_view(hide: bool):
    @_refusals
    def moderate(request, consultation_id: int, comment_id: int):
        consultation = _consultation(consultation_id, request.user)
        comment = _comment(consultation, comment_id)
        if not permissions.can_moderate(request.user, consultation):
            raise PermissionDenied
        data = _body(request, ReasonIn)
        act = services.hide_comment if hide else services.restore_comment
        act(comment, by=request.user, reason=data.reason)
        return _fresh_comment(comment)

    moderate.__name__ = "hide_comment" if hide else "restore_comment"
    moderate.__doc__ = ("屏蔽一条意见（不删除），理由记录在案；屏蔽的意见不计入、不公开。"
                        if hide else "恢复显示一条被屏蔽的意见，理由记录在案。")
    return moderate


for _action, _hide, _summary_text in (("hide", True, "屏蔽意见"),
                                      ("restore", False, "恢复显示意见")):
    router.add_api_operation(
        f"/consultations/{{int:consultation_id}}/comments/{{int:comment_id}}/{_action}",
        ["POST"], _moderation_view(_hide), auth=token_or_session,
        response={200: StaffCommentOut, **WRITE_ERRORS},
        url_name=f"consultation_comment_{_action}", operation_id=f"consultation_comment_{_action}",
        summary=_summary_text, openapi_extra=_json_body(ReasonIn))


@router.post("/consultations/{int:consultation_id}/duplicates", auth=token_or_session,
             url_name="consultation_duplicates", openapi_extra=_json_body(DuplicatesIn),
             response={200: list[StaffCommentOut], **WRITE_ERRORS}, summary="合并同类意见")
@_refusals
def group_duplicates(request, consultation_id: int):
    """将同类意见归入一条代表意见：它们采用该意见的处理意见（“同第 N 条”）。
    意见 id 见 `/consultations/{id}/dispositions`。返回被归入的意见。"""
    consultation = _consultation(consultation_id, request.user)
    if not permissions.can_answer(request.user, consultation):
        raise PermissionDenied
    data = _body(request, DuplicatesIn)
    leader = Comment.objects.filter(pk=data.leader_id, consultation=consultation).first()
    if leader is None:
        raise ValidationError({"leader_id": f"本征求意见没有编号为 {data.leader_id} 的意见。"})
    duplicates = _by_ids(Comment, data.duplicate_ids, "duplicate_ids",
                         consultation=consultation)
    rows = services.group_duplicates(leader, by=request.user, duplicates=duplicates)
    return [_staff_comment(c) for c in Comment.objects.select_related("duplicate_of").filter(
        pk__in=[r.pk for r in rows]).order_by("number")]


@router.post("/proposals", auth=token_or_session, url_name="proposals_submit",
             openapi_extra=_json_body(ProposalIn),
             response={201: ProposalReceiptOut, **SUBMIT_ERRORS}, summary="提出立项建议")
@_refusals
def submit_proposal(request):
    """登录用户提出制定地方标准的建议，返回查新结果（相近的现行标准）和查看处理结果的链接；
    建议人姓名和电子邮箱取自账号。访客请使用网页表单。提交过于频繁时返回 429。"""
    data = _body(request, ProposalIn)
    administration = Organization.objects.filter(pk=data.administration).first()
    if administration is None:
        raise ValidationError({"administration": f"没有编号为 {data.administration} 的机构。"})
    proposal = services.submit_proposal(
        by=request.user, client_ip=client_ip(request), data=services.ProposalData(
            title=data.title, scope=data.scope, reasons=data.reasons,
            administration=administration, organization=data.organization))
    return HttpStatus(201, _proposal_receipt(_proposal_for(proposal.pk)))


class AcceptedOut(ProposalOut):
    project_api_url: str


@router.post("/proposals/{int:proposal_id}/accept", auth=token_or_session,
             url_name="proposal_accept", response={200: AcceptedOut, **WRITE_ERRORS},
             summary="立项建议转为立项申请")
@_refusals
def accept_proposal(request, proposal_id: int):
    """受理的主管部门将建议转为地方标准项目（立项申请阶段）；建议人会收到通知。"""
    proposal = _proposal_for(proposal_id)
    if not permissions.can_decide_proposal(request.user, proposal):
        raise PermissionDenied
    project = services.accept_proposal(proposal, by=request.user)
    return {**_proposal(_proposal_for(proposal_id)),
            "project_api_url": reverse("api:project_detail", args=[project.pk])}


@router.post("/proposals/{int:proposal_id}/decline", auth=token_or_session,
             url_name="proposal_decline", openapi_extra=_json_body(ReasonIn),
             response={200: ProposalOut, **WRITE_ERRORS}, summary="不予采纳立项建议")
@_refusals
def decline_proposal(request, proposal_id: int):
    """受理的主管部门不予采纳建议，须说明理由；建议人在回执页面和邮件中看到该理由。"""
    proposal = _proposal_for(proposal_id)
    if not permissions.can_decide_proposal(request.user, proposal):
        raise PermissionDenied
    data = _body(request, ReasonIn)
    services.decline_proposal(proposal, by=request.user, reason=data.reason)
    return _proposal(_proposal_for(proposal_id))
