"""Consultations and the project lifecycle together: the stage hook, the daily job, a second
round, the whole journey of a guest's comment, and the transparency page's reads."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from biaozhun.consultations import services
from biaozhun.consultations.models import Consultation
from biaozhun.consultations.selectors import (
    comment_by_receipt,
    public_comments,
    transparency,
)
from biaozhun.consultations.tests.factories import (
    GUEST_IP,
    draft_consultation,
    guest,
    member,
    pdf_file,
    plan_consultation,
    solved_challenge,
)
from biaozhun.projects import services as project_services
from biaozhun.projects.models import DocumentKind, EventKind, ProjectEvent
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_project


def test_entering_public_comment_opens_the_draft_consultation(cast, clock):
    consultation = draft_consultation(cast)
    project = consultation.project
    assert (consultation.kind, consultation.title, consultation.administration,
            consultation.opens_on, consultation.closes_on, consultation.is_public) == (
        "draft", f"《{project.title}》（征求意见稿）", cast.administration,
        date(2026, 3, 2), date(2026, 4, 1), True)
    assert (consultation.draft.kind, consultation.explanation.kind) == (
        DocumentKind.COMMENT_DRAFT, DocumentKind.EXPLANATION)
    assert ProjectEvent.objects.filter(project=project,
                                       kind=EventKind.CONSULTATION_OPENED).count() == 1


def test_the_daily_project_job_and_the_consultation_job_agree(cast, clock):
    consultation = draft_consultation(cast)
    clock.today = date(2026, 4, 2)
    report = project_services.run_daily()
    assert report.closed_comment_periods == [consultation.project_id]
    consultation.refresh_from_db()
    assert consultation.closed_at is not None
    assert services.close_due_consultations() == []


def test_a_guest_comments_the_drafters_answer_and_the_public_sees_the_answer(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(
        consultation, by=None, data=guest("油温应写明测量位置。", show_name=False),
        client_ip=GUEST_IP, challenge=solved_challenge())
    services.verify_comment(services.verification_token(comment))
    services.answer_comment(comment, by=cast.drafter, decision="accepted")
    assert list(public_comments(consultation)) == []  # still open
    clock.today = date(2026, 4, 2)
    services.close_due_consultations()
    consultation.refresh_from_db()
    [shown] = public_comments(consultation)
    assert (shown.number, shown.text, shown.public_name, shown.decision) == (
        1, "油温应写明测量位置。", "企业", "accepted")
    followed = comment_by_receipt(comment.receipt)
    assert (followed.pk, followed.decision) == (comment.pk, "accepted")
    assert comment_by_receipt("unknown") is None


def test_a_second_round_opens_a_new_consultation_numbered_from_one(cast, clock):
    first = draft_consultation(cast)
    project = first.project
    services.submit_comment(first, by=cast.outsider, data=member())
    clock.today = date(2026, 4, 2)
    services.close_due_consultations()
    project_services.open_public_comment(project, by=cast.drafter,
                                         closes_on=date(2026, 5, 15))
    second = project.consultations.get(closed_at__isnull=True)
    assert second.pk != first.pk
    assert services.submit_comment(second, by=cast.outsider, data=member()).number == 1
    with pytest.raises(services.ConsultationClosed):
        services.submit_comment(first, by=cast.outsider, data=member())


def test_a_guest_cannot_verify_after_the_comments_were_dealt_with(cast, clock, state_of):
    consultation = draft_consultation(cast)
    project = consultation.project
    comment = services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                      challenge=solved_challenge())
    clock.today = date(2026, 4, 2)
    services.close_due_consultations()
    # Unverified comments do not hold up review.
    for kind in (DocumentKind.REVIEW_DRAFT, DocumentKind.DISPOSITION_TABLE):
        project_services.upload_document(project, by=cast.drafter, kind=kind,
                                         upload=pdf_file(f"{kind}.pdf"))
    project_services.set_reviewers(project, by=cast.admin, reviewers=cast.experts)
    project_services.send_to_technical_review(project, by=cast.drafter)
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        services.verify_comment(services.verification_token(comment))
    assert refused.value.message_dict == {"token": ["该征求意见的意见处理已经结束，无法再确认。"]}
    assert state_of() == before


def test_a_guest_may_verify_during_comment_resolution(cast, clock):
    consultation = draft_consultation(cast)
    comment = services.submit_comment(consultation, by=None, data=guest(), client_ip=GUEST_IP,
                                      challenge=solved_challenge())
    clock.today = date(2026, 4, 2)
    services.close_due_consultations()
    assert services.verify_comment(services.verification_token(comment)).is_verified


# --- transparency --------------------------------------------------------------------------------


def test_the_transparency_page_reads_in_six_bounded_queries(cast, clock,
                                                           django_assert_num_queries):
    from biaozhun.consultations.tests.test_proposals import proposal_data

    proposed = make_project(cast, stage=Stage.PROPOSED, title="湘绣 针法术语")
    planned = make_project(cast, stage=Stage.PLANNED, title="湘莲 加工技术规范")
    drafting = draft_consultation(cast, title="臭豆腐 制作规范").project
    services.submit_proposal(by=cast.outsider, data=proposal_data(cast))
    plan = plan_consultation(cast, days=45)
    targeted = services.open_consultation(
        by=cast.admin, kind=Consultation.Kind.TARGETED, administration=cast.administration,
        title="定向", opens_on=clock.today, closes_on=clock.today + timedelta(days=30),
        invited_users=[cast.experts[0]])
    with django_assert_num_queries(6):
        page = transparency()
        assert [p.title for p in page.proposals] == ["湘菜 剁椒鱼头烹饪技术规范"]
        assert page.proposals_total == 1
        assert [p.pk for p in page.proposed_projects] == [proposed.pk]
        assert {year: [p.pk for p in projects] for year, projects in page.plan.items()} == {
            2026: sorted([planned.pk, drafting.pk],
                         key=lambda pk: next(p.reference for p in (planned, drafting)
                                             if p.pk == pk))}
        counts = {stage: n for stage, _, n in page.stage_counts}
        assert (counts["proposed"], counts["planned"], counts["public_comment"],
                counts["filed"]) == (1, 1, 1, 0)
        assert page.stage_counts[0] == ("proposed", "立项申请", 1)
        opened = [(c.pk, c.days_left) for c in page.open_consultations]
    assert opened == [(drafting.consultations.get().pk, 30), (plan.pk, 45)]
    assert targeted.pk not in [pk for pk, _ in opened]
