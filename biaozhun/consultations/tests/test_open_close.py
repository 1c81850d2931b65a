"""Opening plan, review and targeted consultations; closing every kind on time, idempotently,
with the system as actor on the project's record."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from biaozhun.consultations import services
from biaozhun.consultations.models import Consultation, Subscription
from biaozhun.consultations.tests.factories import (
    draft_consultation,
    member,
    plan_consultation,
    targeted_consultation,
)
from biaozhun.projects import services as project_services
from biaozhun.projects.models import EventKind, ProjectEvent
from biaozhun.projects.stages import Stage

TODAY = date(2026, 3, 2)  # the frozen clock


def _open(cast, **overrides):
    fields = {"by": cast.admin, "kind": Consultation.Kind.PLAN,
              "administration": cast.administration, "title": "2026年度地方标准制修订计划",
              "opens_on": TODAY, "closes_on": TODAY + timedelta(days=30), "plan_year": 2026}
    return services.open_consultation(**{**fields, **overrides})


def test_administrator_opens_a_plan_consultation_for_the_minimum_period(cast, clock):
    consultation = _open(cast, description="公示拟列入计划的项目。")
    assert (consultation.kind, consultation.title, consultation.plan_year) == (
        "plan", "2026年度地方标准制修订计划", 2026)
    assert (consultation.opens_on, consultation.closes_on) == (TODAY, date(2026, 4, 1))
    assert consultation.is_public is True
    assert consultation.state == Consultation.State.OPEN
    assert consultation.created_by == cast.admin
    assert consultation.project is None


def test_opening_announces_to_confirmed_subscribers_after_commit(
        cast, clock, django_capture_on_commit_callbacks):
    Subscription.objects.create(email="a@example.com", category="plan", confirmed_at=clock.now())
    Subscription.objects.create(email="b@example.com", category="draft",
                                confirmed_at=clock.now())
    Subscription.objects.create(email="c@example.com", category="all")  # not confirmed
    with django_capture_on_commit_callbacks(execute=True):
        consultation = _open(cast)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["a@example.com"], f"【征求意见】{consultation.title}")]


def test_a_scheduled_consultation_is_not_open_yet(cast, clock):
    consultation = _open(cast, opens_on=TODAY + timedelta(days=3),
                         closes_on=TODAY + timedelta(days=33))
    assert consultation.state == Consultation.State.SCHEDULED
    with pytest.raises(services.ConsultationClosed) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=member())
    assert refused.value.state == Consultation.State.SCHEDULED
    assert str(refused.value) == "征求意见将于 2026-03-05 开始。"


@pytest.mark.parametrize("overrides, errors", [
    ({"kind": "draft"}, {"kind": ["标准征求意见稿随项目进入征求意见阶段自动发布，不能在此发起。"]}),
    ({"kind": "poll"}, {"kind": ["类型无效。"]}),
    ({"closes_on": date(2026, 3, 31)},
     {"closes_on": ["征求意见期不少于30 日，截止日期最早为 2026-04-01。"]}),
    ({"opens_on": date(2026, 3, 1), "closes_on": date(2026, 4, 30)},
     {"opens_on": ["开始日期不能早于今天。"]}),
    ({"title": "  "}, {"title": ["请填写标题。"]}),
    ({"plan_year": None}, {"plan_year": ["请填写计划年度。"]}),
    ({"kind": "targeted", "plan_year": None},
     {"invited_organizations": ["定向征求意见须至少邀请一个单位或一位专家。"]}),
])
def test_invalid_openings_are_refused_with_field_errors(cast, clock, state_of, overrides,
                                                        errors):
    before = state_of()
    with pytest.raises(ValidationError) as refused:
        _open(cast, **overrides)
    assert refused.value.message_dict == errors
    assert state_of() == before


def test_the_minimum_applies_to_targeted_consultations_too(cast, clock):
    with pytest.raises(ValidationError) as refused:
        _open(cast, kind="targeted", plan_year=None, closes_on=TODAY + timedelta(days=10),
              invited_organizations=[cast.department])
    assert list(refused.value.message_dict) == ["closes_on"]


def test_invitations_belong_to_targeted_consultations_only(cast, clock):
    with pytest.raises(ValidationError) as refused:
        _open(cast, invited_users=[cast.experts[0]])
    assert refused.value.message_dict == {
        "invited_organizations": ["只有定向征求意见才邀请单位和专家。"]}


def test_a_targeted_consultation_is_private_and_keeps_its_invitees(cast, clock):
    consultation = targeted_consultation(cast, organizations=[cast.department],
                                         users=[cast.experts[0]])
    assert consultation.is_public is False
    assert list(consultation.invited_organizations.all()) == [cast.department]
    assert list(consultation.invited_users.all()) == [cast.experts[0]]


@pytest.mark.parametrize("persona, allowed", [
    ("anonymous", False), ("outsider", False), ("drafter", False), ("department", False),
    ("expert", False), ("administrator", True), ("partner_admin", False),
])
def test_only_administrators_of_that_administration_open_consultations(cast, clock, state_of,
                                                                      persona, allowed):
    by = cast.personas()[persona]
    before = state_of()
    if allowed:
        assert _open(cast, by=by).created_by == by
    else:
        with pytest.raises(PermissionDenied):
            _open(cast, by=by)
        assert state_of() == before


def test_a_superuser_may_open_for_any_administration(cast, clock):
    assert _open(cast, by=cast.superuser, administration=cast.partner).administration == \
        cast.partner


# --- closing ----------------------------------------------------------------------------------


def test_a_consultation_closes_the_day_after_its_last_day(cast, clock):
    consultation = plan_consultation(cast)
    assert services.close_due_consultations(today=date(2026, 4, 1)) == []
    assert services.close_due_consultations(today=date(2026, 4, 2)) == [consultation.pk]
    consultation.refresh_from_db()
    assert consultation.closed_at is not None
    assert consultation.state == Consultation.State.CLOSED


def test_closing_is_idempotent(cast, clock, state_of):
    plan_consultation(cast)
    draft_consultation(cast)
    clock.today = date(2026, 4, 2)
    assert len(services.close_due_consultations()) == 2
    before = state_of()
    assert services.close_due_consultations() == []
    assert state_of() == before


def test_a_draft_consultation_closes_through_its_project_with_the_system_as_actor(cast, clock):
    consultation = draft_consultation(cast)
    project = consultation.project
    services.submit_comment(consultation, by=cast.outsider, data=member())
    clock.today = date(2026, 4, 2)
    assert services.close_due_consultations() == [consultation.pk]
    project.refresh_from_db()
    consultation.refresh_from_db()
    assert project.stage == Stage.COMMENT_RESOLUTION
    assert consultation.closed_at is not None
    last = list(ProjectEvent.objects.filter(project=project).order_by("-seq")[:2])
    assert [(e.kind, e.actor, e.actor_label, e.payload) for e in reversed(last)] == [
        (EventKind.STAGE_CHANGED, None, "系统", {}),
        (EventKind.CONSULTATION_CLOSED, None, "系统",
         {"consultation": consultation.pk, "comments": 1}),
    ]


def test_a_draft_consultation_of_a_terminated_project_refuses_comments_and_closes(
        cast, clock):
    consultation = draft_consultation(cast)
    project_services.terminate(consultation.project, by=cast.admin, reason="上级标准已发布")
    with pytest.raises(services.ConsultationClosed) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=member())
    assert refused.value.state == Consultation.State.CLOSED
    clock.today = date(2026, 4, 2)
    assert services.close_due_consultations() == [consultation.pk]
    event = ProjectEvent.objects.filter(project=consultation.project).order_by("-seq").first()
    assert (event.kind, event.actor_label) == (EventKind.CONSULTATION_CLOSED, "系统")


def test_after_closing_no_comment_is_accepted(cast, clock, state_of):
    consultation = plan_consultation(cast)
    clock.today = date(2026, 4, 2)
    before = state_of()
    with pytest.raises(services.ConsultationClosed) as refused:
        services.submit_comment(consultation, by=cast.outsider, data=member())
    assert str(refused.value) == "征求意见已结束，不再接受意见。"
    assert state_of() == before


def test_the_command_reports_what_it_closed(cast, clock, capsys):
    consultation = plan_consultation(cast)
    call_command("close_consultations", "--date", "2026-04-02")
    assert capsys.readouterr().out == f"结束征求意见 1 个。\n  #{consultation.pk} {consultation.title}\n"
    call_command("close_consultations", "--date", "2026-04-02")
    assert capsys.readouterr().out == "结束征求意见 0 个。\n"


def test_serve_runs_the_command_every_hour():
    from biaozhun.core.management.commands.serve import PERIODIC

    assert PERIODIC["close_consultations"] == 3600
