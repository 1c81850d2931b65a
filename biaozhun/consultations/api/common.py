"""The router, the refusal mapping, payloads and lookups shared by reads and writes."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema

from biaozhun.api.errors import MESSAGES, NotFound, json_response, parse_body, refusals
from biaozhun.consultations import permissions, selectors, services
from biaozhun.consultations.abuse import RateLimited
from biaozhun.consultations.api.schemas import ConsultationQuery
from biaozhun.consultations.models import Comment, Consultation, PublicProposal
from biaozhun.projects.stages import InvalidTransition

router = Router(tags=["公众参与"])


def _op_id(view_name: str) -> str:
    """The OpenAPI operationId ninja derived when this API was one module, `api.py`: pinned so
    that splitting it into a package renames no operation for generated clients."""
    return f"biaozhun_consultations_api_{view_name}"


# --- Errors -------------------------------------------------------------------------------------


def _closed(exc: services.ConsultationClosed) -> JsonResponse:
    return json_response(409, {"detail": str(exc), "reasons": [str(exc)]})


def _transition_refused(exc: InvalidTransition) -> JsonResponse:
    reasons = [str(r) for r in exc.reasons] or [str(exc)]
    return json_response(409, {"detail": "；".join(reasons), "reasons": reasons})


def _rate_limited(exc: RateLimited) -> JsonResponse:
    response = json_response(429, {"detail": str(exc), "retry_after": exc.retry_after_seconds})
    response["Retry-After"] = str(exc.retry_after_seconds)
    return response


# 404, 403 and 422 as in every app (`biaozhun.api.errors`); 409 and 429 for this app's refusals.
_refusals = refusals({services.ConsultationClosed: _closed,
                      InvalidTransition: _transition_refused,
                      RateLimited: _rate_limited})

# A value out of its bounds answers "超出范围。" here, not the bound itself (as in projects).
_MESSAGES = {**MESSAGES, "greater_than_equal": "超出范围。", "less_than_equal": "超出范围。"}


def _body(request: HttpRequest, schema: type[Schema]):
    """The JSON body validated by `schema`; ValidationError (→ 422) when it is not.

    Unlike the projects API, a NUL character is not refused here (`allow_nul`): this keeps the
    behaviour this module had before the shared `biaozhun.api.errors`.
    """
    return parse_body(request, schema, messages=_MESSAGES)




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

