"""Moderation: hide (never delete) and restore with the reason on record; hidden comments
never count, never show publicly and never hold up technical review."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from biaozhun.consultations import services
from biaozhun.consultations.models import Comment, ModerationAction
from biaozhun.consultations.selectors import public_comments, visible_comments
from biaozhun.consultations.tests.factories import (
    draft_consultation,
    member,
    pdf_file,
    plan_consultation,
)
from biaozhun.projects import services as project_services
from biaozhun.projects.models import DocumentKind, EventKind, ProjectEvent
from biaozhun.projects.stages import Stage


def test_hiding_keeps_the_comment_and_puts_the_reason_on_record(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member("广告内容"))
    hidden = services.hide_comment(comment, by=cast.admin, reason="与标准内容无关的广告")
    assert (hidden.hidden_reason, hidden.hidden_by) == ("与标准内容无关的广告", cast.admin)
    assert hidden.hidden_at is not None
    assert Comment.objects.filter(pk=comment.pk).exists()
    action = ModerationAction.objects.get()
    assert (action.comment, action.action, action.reason, action.by) == (
        comment, "hidden", "与标准内容无关的广告", cast.admin)
    consultation.refresh_from_db()
    assert consultation.comment_count == 0
    event = ProjectEvent.objects.filter(project=consultation.project).order_by("-seq").first()
    assert (event.kind, event.actor, event.note, event.payload) == (
        EventKind.COMMENT_HIDDEN, cast.admin, "与标准内容无关的广告",
        {"consultation": consultation.pk, "comment": comment.pk, "number": 1})


def test_restoring_shows_the_comment_again_with_both_actions_on_record(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member())
    services.hide_comment(comment, by=cast.drafter, reason="疑似重复提交")
    restored = services.restore_comment(comment, by=cast.admin, reason="核实为有效意见")
    assert (restored.hidden_at, restored.hidden_reason, restored.hidden_by) == (None, "", None)
    assert list(comment.moderation.order_by("pk").values_list("action", "reason", "by")) == [
        ("hidden", "疑似重复提交", cast.drafter.pk), ("restored", "核实为有效意见", cast.admin.pk)]
    consultation.refresh_from_db()
    assert consultation.comment_count == 1
    kinds = list(ProjectEvent.objects.filter(project=consultation.project).order_by("-seq")
                 .values_list("kind", flat=True)[:2])
    assert kinds == [EventKind.COMMENT_RESTORED, EventKind.COMMENT_HIDDEN]


@pytest.mark.parametrize("reason, errors", [
    ("", {"reason": ["请说明理由。"]}),
    ("   ", {"reason": ["请说明理由。"]}),
    ("长" * 301, {"reason": ["不超过 300 字（现有 301 字）。"]}),
])
def test_a_reason_is_required(cast, clock, state_of, reason, errors):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member())
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.hide_comment(comment, by=cast.admin, reason=reason)
    assert refused.value.message_dict == errors
    assert state_of() == before


def test_hiding_twice_or_restoring_a_visible_comment_is_refused(cast, clock, state_of):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member())
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.restore_comment(comment, by=cast.admin, reason="恢复")
    assert refused.value.message_dict == {"comment": ["该意见未被屏蔽。"]}
    assert state_of() == before
    services.hide_comment(comment, by=cast.admin, reason="广告")
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.hide_comment(comment, by=cast.admin, reason="广告")
    assert refused.value.message_dict == {"comment": ["该意见已被屏蔽。"]}
    assert state_of() == before


@pytest.mark.parametrize("persona, allowed", [
    ("anonymous", False), ("outsider", False), ("drafter", True), ("department", False),
    ("expert", False), ("administrator", True), ("partner_admin", False),
])
def test_who_moderates_a_draft_consultation(cast, clock, state_of, persona, allowed):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member())
    by = cast.personas()[persona]
    before = state_of()
    if allowed:
        assert services.hide_comment(comment, by=by, reason="广告").hidden_by == by
    else:
        with pytest.raises(PermissionDenied):
            services.hide_comment(comment, by=by, reason="广告")
        assert state_of() == before


@pytest.mark.parametrize("persona, allowed", [
    ("anonymous", False), ("outsider", False), ("drafter", False), ("department", False),
    ("expert", False), ("administrator", True), ("partner_admin", False),
])
def test_who_moderates_other_consultations(cast, clock, state_of, persona, allowed):
    consultation = plan_consultation(cast)
    comment = services.submit_comment(consultation, by=cast.outsider, data=member())
    by = cast.personas()[persona]
    before = state_of()
    if allowed:
        services.hide_comment(comment, by=by, reason="广告")
        assert ProjectEvent.objects.count() == before["events"]  # no project, no chain
    else:
        with pytest.raises(PermissionDenied):
            services.hide_comment(comment, by=by, reason="广告")
        assert state_of() == before


def test_hidden_comments_never_show_publicly(cast, clock):
    consultation = plan_consultation(cast)
    kept = services.submit_comment(consultation, by=cast.outsider,
                                   data=member("有效意见", email="secret@example.com"),
                                   client_ip="198.51.100.4")
    hidden = services.submit_comment(consultation, by=cast.outsider, data=member("广告"))
    services.hide_comment(hidden, by=cast.admin, reason="广告")
    clock.advance(31)
    shown = list(public_comments(consultation))
    assert [c.pk for c in shown] == [kept.pk]
    assert {"email", "client_ip", "hidden_reason", "author_id",
            "receipt"} <= shown[0].get_deferred_fields()
    assert [c.pk for c in visible_comments(consultation)] == [kept.pk]


def test_a_hidden_comment_does_not_hold_up_technical_review(cast, clock):
    consultation = draft_consultation(cast)
    project = consultation.project
    answered = services.submit_comment(consultation, by=cast.outsider, data=member())
    spam = services.submit_comment(consultation, by=cast.outsider, data=member("广告"))
    services.answer_comment(answered, by=cast.drafter, decision="accepted")
    services.hide_comment(spam, by=cast.drafter, reason="广告")
    clock.today = date(2026, 4, 2)
    assert services.close_due_consultations() == [consultation.pk]
    for kind in (DocumentKind.REVIEW_DRAFT, DocumentKind.DISPOSITION_TABLE):
        project_services.upload_document(project, by=cast.drafter, kind=kind,
                                         upload=pdf_file(f"{kind}.pdf"))
    project_services.set_reviewers(project, by=cast.admin, reviewers=cast.experts)
    project_services.send_to_technical_review(project, by=cast.drafter)
    project.refresh_from_db()
    assert project.stage == Stage.TECHNICAL_REVIEW
