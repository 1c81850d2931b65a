"""Fixtures of the consultations tests: the personas (`cast`), a frozen clock (`clock`), and
`state_of(consultation)`, everything a refused call must leave unchanged."""

import pytest
from django.core import mail

from biaozhun.projects.tests.conftest import Clock, clock  # noqa: F401  (fixture)
from biaozhun.projects.tests.factories import make_cast

__all__ = ["Clock"]


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def state_of():
    """`state_of(consultation)`: its comments, moderation, attachments, the event chains
    (the project's and the consultation's own) and the mail sent so far."""
    from biaozhun.consultations.models import (
        Comment,
        CommentAttachment,
        Consultation,
        ConsultationEvent,
        ModerationAction,
        PublicProposal,
        Subscription,
    )
    from biaozhun.projects.models import Project, ProjectEvent

    def snapshot(consultation=None) -> dict:
        state = {
            "comments": sorted(Comment.objects.values_list(
                "pk", "number", "verified_at", "hidden_at", "hidden_reason", "decision",
                "decision_reason", "answered_by", "duplicate_of")),
            "attachments": CommentAttachment.objects.count(),
            "moderation": ModerationAction.objects.count(),
            "events": ProjectEvent.objects.count(),
            "consultation_events": ConsultationEvent.objects.count(),
            "projects": sorted(Project.objects.values_list("pk", "stage", "event_count")),
            "consultations": sorted(Consultation.objects.values_list(
                "pk", "closed_at", "comment_count", "is_public", "event_count")),
            "proposals": sorted(PublicProposal.objects.values_list(
                "pk", "state", "decision_reason", "project")),
            "subscriptions": sorted(Subscription.objects.values_list(
                "pk", "token", "confirmed_at", "unsubscribed_at")),
            "mail": len(mail.outbox),
        }
        return state

    return snapshot
