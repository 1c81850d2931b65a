"""Open reads: consultations, published comments, the disposition table, proposals; and the
drafting group's working list of comments."""

from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from ninja import Query

from biaozhun.api.auth import caller, token_or_session
from biaozhun.api.errors import InvalidOut
from biaozhun.api.schemas import ErrorOut
from biaozhun.consultations import permissions, selectors, tables
from biaozhun.consultations.api.common import (
    _consultation,
    _detail,
    _op_id,
    _proposal,
    _public_comment,
    _public_consultations,
    _refusals,
    _staff_comment,
    _summary,
    router,
)
from biaozhun.consultations.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ConsultationOut,
    ConsultationPageOut,
    ConsultationQuery,
    DispositionQuery,
    DispositionsOut,
    DispositionTableOut,
    PageQuery,
    ProposalPageOut,
    ProposalQuery,
    PublicCommentsOut,
)
from biaozhun.consultations.models import PublicProposal

# --- Reads --------------------------------------------------------------------------------------


@router.get("/consultations", url_name="consultations", summary="征求意见列表",
            response={200: ConsultationPageOut, 422: InvalidOut},
            operation_id=_op_id("list_consultations"))
def list_consultations(request, params: Query[ConsultationQuery]):
    """公开的征求意见（标准征求意见稿、立项计划公示、复审结论公示），按开始日期从新到旧；
    可按类型 `kind` 和状态 `state` 筛选，用 `limit`/`offset` 分页。定向征求意见不列出。"""
    queryset = _public_consultations(params)
    page = queryset[params.offset:params.offset + params.limit]
    return {"count": queryset.count(), "limit": params.limit, "offset": params.offset,
            "results": [_summary(c) for c in page]}


@router.get("/consultations/{int:consultation_id}", url_name="consultation_detail",
            response={200: ConsultationOut, 404: ErrorOut}, summary="征求意见详情",
            operation_id=_op_id("get_consultation"))
@_refusals
def get_consultation(request, consultation_id: int):
    """征求意见的公开信息：期限、状态、征求意见稿和编制说明的阅读与下载地址。
    定向征求意见只对受邀单位和专家、主管部门及项目参与方可见（须带令牌或登录）。"""
    return _detail(_consultation(consultation_id, caller(request)))


@router.get("/consultations/{int:consultation_id}/comments", url_name="consultation_comments",
            response={200: PublicCommentsOut, **READ_ERRORS}, summary="意见及处理情况",
            operation_id=_op_id("list_public_comments"))
@_refusals
def list_public_comments(request, consultation_id: int, params: Query[PageQuery]):
    """征求意见结束后公开的意见及其处理意见（按序号）。结束前返回空列表和
    `"published": false`。只含已确认、未屏蔽的意见；提出人只在本人同意时显示姓名和单位，
    否则显示提出方类型；从不包含电子邮箱、IP 地址或屏蔽信息。"""
    consultation = _consultation(consultation_id, caller(request))
    published = consultation.is_public and consultation.is_closed
    comments = selectors.public_comments(consultation)
    page = comments[params.offset:params.offset + params.limit] if published else []
    return {"published": published, "count": comments.count() if published else 0,
            "limit": params.limit, "offset": params.offset,
            "results": [_public_comment(c) for c in page]}


@router.get("/consultations/{int:consultation_id}/disposition-table",
            url_name="consultation_disposition_table",
            response={200: DispositionTableOut, 404: ErrorOut}, summary="意见汇总处理表",
            operation_id=_op_id("get_disposition_table"))
@_refusals
def get_disposition_table(request, consultation_id: int, params: Query[PageQuery]):
    """意见汇总处理表的行（用 `limit`/`offset` 分页）和汇总（按处理意见、按提出方类型）。
    公众在征求意见结束后可见，提出人只在本人同意时显示姓名；起草单位和主管部门（令牌或登录）随时可见工作版
    （姓名和单位）。两种版本都不含电子邮箱、IP 地址和被屏蔽的意见。"""
    user = caller(request)
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
            response={200: DispositionsOut, **WRITE_ERRORS}, summary="意见处理工作列表",
            operation_id=_op_id("list_dispositions"))
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
            response={200: ProposalPageOut, 422: InvalidOut},
            operation_id=_op_id("list_proposals"))
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
