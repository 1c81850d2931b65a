"""The demo participation `make run` adds: comments on the open demo consultation (one
answered), a proposal from the public; idempotent; refused before the demo projects."""

import pytest
from django.core.management import call_command

from biaozhun.accounts.services import ensure_demo_accounts
from biaozhun.consultations.demo import (
    DEMO_CONSULTATION_TITLE,
    DEMO_PROPOSAL_TITLE,
    ensure_demo_participation,
)
from biaozhun.consultations.models import Comment, PublicProposal
from biaozhun.projects.demo import ensure_demo_projects

pytestmark = pytest.mark.django_db


def test_demo_comments_and_proposal_are_made_once():
    ensure_demo_accounts()
    ensure_demo_projects()
    assert ensure_demo_participation() == (2, True)
    assert ensure_demo_participation() == (0, False)
    comments = list(Comment.objects.filter(consultation__title=DEMO_CONSULTATION_TITLE)
                    .order_by("number").values_list("number", "decision"))
    assert comments == [(1, "partly"), (2, "")]
    assert PublicProposal.objects.get().title == DEMO_PROPOSAL_TITLE


def test_the_command_needs_the_demo_projects(settings):
    settings.DEBUG = True
    ensure_demo_accounts()
    with pytest.raises(Exception, match="演示项目尚未创建"):
        call_command("load_demo_participation")
    assert (Comment.objects.count(), PublicProposal.objects.count()) == (0, 0)
