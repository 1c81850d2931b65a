"""Writes: opening a consultation, comments and their answers, moderation, duplicates, and
proposals from the public. Every write takes a token or the signed-in session."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from ninja.responses import Status as HttpStatus

from biaozhun.accounts.forms import client_ip
from biaozhun.accounts.models import Organization, User
from biaozhun.api.auth import token_or_session
from biaozhun.api.errors import field_errors, json_body
from biaozhun.consultations import permissions, services
from biaozhun.consultations.api.common import (
    _body,
    _comment,
    _consultation,
    _detail,
    _fresh_comment,
    _op_id,
    _proposal,
    _proposal_for,
    _proposal_receipt,
    _refusals,
    _staff_comment,
    router,
)
from biaozhun.consultations.api.schemas import (
    SUBMIT_ERRORS,
    WRITE_ERRORS,
    AcceptedOut,
    AnswerIn,
    CommentIn,
    CommentReceiptOut,
    ConsultationOut,
    DuplicatesIn,
    OpenIn,
    ProposalIn,
    ProposalOut,
    ProposalReceiptOut,
    ReasonIn,
    StaffCommentOut,
)
from biaozhun.consultations.models import Comment
from biaozhun.projects.models import ReviewCampaign

# --- Writes -------------------------------------------------------------------------------------


def _by_ids(model, ids: list[int], field: str, **filters) -> list:
    found = {o.pk: o for o in model.objects.filter(pk__in=ids, **filters)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"没有编号为 {'、'.join(missing)} 的记录。"})
    return [found[i] for i in dict.fromkeys(ids)]


@router.post("/consultations", auth=token_or_session, url_name="consultations_open",
             openapi_extra=json_body(OpenIn),
             response={201: ConsultationOut, **WRITE_ERRORS}, summary="发起征求意见",
             operation_id=_op_id("open_consultation"))
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
            errors.update(field_errors(exc))
    if errors:
        raise ValidationError(errors)
    consultation = services.open_consultation(
        by=request.user, kind=data.kind, title=data.title, description=data.description,
        opens_on=data.opens_on, closes_on=data.closes_on, plan_year=data.plan_year,
        **resolved)
    return HttpStatus(201, _detail(_consultation(consultation.pk, request.user)))


@router.post("/consultations/{int:consultation_id}/comments", auth=token_or_session,
             url_name="consultation_comment", openapi_extra=json_body(CommentIn),
             response={201: CommentReceiptOut, **SUBMIT_ERRORS}, summary="提出意见",
             operation_id=_op_id("submit_comment"))
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
             openapi_extra=json_body(AnswerIn),
             response={200: StaffCommentOut, **WRITE_ERRORS}, summary="答复意见",
             operation_id=_op_id("answer_comment"))
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
        summary=_summary_text, openapi_extra=json_body(ReasonIn))


@router.post("/consultations/{int:consultation_id}/duplicates", auth=token_or_session,
             url_name="consultation_duplicates", openapi_extra=json_body(DuplicatesIn),
             response={200: list[StaffCommentOut], **WRITE_ERRORS}, summary="合并同类意见",
             operation_id=_op_id("group_duplicates"))
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
             openapi_extra=json_body(ProposalIn),
             response={201: ProposalReceiptOut, **SUBMIT_ERRORS}, summary="提出立项建议",
             operation_id=_op_id("submit_proposal"))
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


@router.post("/proposals/{int:proposal_id}/accept", auth=token_or_session,
             url_name="proposal_accept", response={200: AcceptedOut, **WRITE_ERRORS},
             summary="立项建议转为立项申请",
             operation_id=_op_id("accept_proposal"))
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
             url_name="proposal_decline", openapi_extra=json_body(ReasonIn),
             response={200: ProposalOut, **WRITE_ERRORS}, summary="不予采纳立项建议",
             operation_id=_op_id("decline_proposal"))
@_refusals
def decline_proposal(request, proposal_id: int):
    """受理的主管部门不予采纳建议，须说明理由；建议人在回执页面和邮件中看到该理由。"""
    proposal = _proposal_for(proposal_id)
    if not permissions.can_decide_proposal(request.user, proposal):
        raise PermissionDenied
    data = _body(request, ReasonIn)
    services.decline_proposal(proposal, by=request.user, reason=data.reason)
    return _proposal(_proposal_for(proposal_id))
