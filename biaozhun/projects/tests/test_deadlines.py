"""Deadlines in the lifecycle: Chinese working days across 调休, years without holiday data
(provisional deadlines), and the "due this week" reads."""

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from biaozhun.core import workdays
from biaozhun.projects import selectors, services
from biaozhun.projects.models import Deadline, DocumentKind, ProjectEvent
from biaozhun.projects.stages import Stage
from biaozhun.projects.tests.factories import make_project, pdf_file

pytestmark = pytest.mark.django_db


def _deadline(project, kind) -> Deadline:
    return Deadline.objects.get(project=project, kind=kind)


# --- 调休 around National Day 2025 ----------------------------------------------------------


def test_evaluation_period_counts_chinese_working_days_across_national_day(cast, clock):
    # Friday 26 September 2025. Working days after it: Sunday 28 Sep (调休), 29, 30 Sep;
    # 1–8 Oct are holidays; 9, 10 Oct, Saturday 11 Oct (调休), then Mon–Fri to the 20th.
    clock.today = date(2025, 9, 26)
    project = make_project(cast)
    deadline = _deadline(project, "evaluation")
    assert (deadline.due_on, deadline.provisional, deadline.basis) == (
        date(2025, 10, 30), False, "20 个工作日")
    assert deadline.due_on == workdays.due(date(2025, 9, 26), "evaluation").on
    # Counting Mon–Fri alone would have given Friday 24 October.
    assert workdays.working_days_between(date(2025, 9, 26), date(2025, 10, 24)) == 16
    assert workdays.working_days_between(date(2025, 9, 26), date(2025, 10, 30)) == 20
    event = ProjectEvent.objects.get(project=project, kind="deadline_set")
    assert event.payload == {"deadline": "evaluation", "due_on": "2025-10-30",
                             "provisional": False, "basis": "20 个工作日"}


def test_makeup_working_days_count(clock):
    assert workdays.is_workday(date(2025, 9, 28)) is True  # Sunday, 调休
    assert workdays.is_workday(date(2025, 10, 11)) is True  # Saturday, 调休
    assert workdays.is_workday(date(2025, 10, 1)) is False
    assert workdays.is_workday(date(2025, 10, 8)) is False  # Wednesday, holiday


def test_approval_and_publication_periods_across_national_day(cast, clock):
    clock.today = date(2025, 9, 1)
    project = make_project(cast, stage=Stage.TECHNICAL_REVIEW)
    for expert in cast.experts:
        services.cast_vote(project, by=expert, choice="approve")
    for user, kind in [(cast.drafter, DocumentKind.APPROVAL_DRAFT),
                       (cast.department_user, DocumentKind.APPROVAL_FORM),
                       (cast.admin, DocumentKind.REVIEW_MINUTES)]:
        services.upload_document(project, by=user, kind=kind, upload=pdf_file())
    clock.today = date(2025, 9, 26)
    services.submit_for_approval(project, by=cast.drafter)
    assert (_deadline(project, "approval").due_on, _deadline(project, "approval").basis) == (
        date(2025, 10, 30), "20 个工作日")

    services.approve(project, by=cast.admin)
    services.publish(project, by=cast.admin, issued_on=date(2025, 9, 26),
                     effective_on=date(2025, 12, 26))
    public_text, filing = _deadline(project, "public_text"), _deadline(project, "filing")
    assert (public_text.due_on, public_text.provisional) == (date(2025, 10, 30), False)
    assert public_text.due_on == workdays.due(date(2025, 9, 26), "public_text").on
    # Filing counts calendar days: the holiday does not move it.
    assert (filing.due_on, filing.basis) == (date(2025, 11, 25), "60 日")


def test_periods_come_from_settings(cast, clock, settings):
    settings.BIAOZHUN_PERIODS = {**settings.BIAOZHUN_PERIODS, "evaluation": "10 working"}
    clock.today = date(2025, 9, 26)
    project = make_project(cast)
    deadline = _deadline(project, "evaluation")
    # 28, 29, 30 Sep, 9, 10, 11 Oct, 13–16 Oct.
    assert (deadline.due_on, deadline.basis) == (date(2025, 10, 16), "10 个工作日")


# --- years without holiday data ------------------------------------------------------------


def test_a_deadline_in_a_year_without_holiday_data_is_provisional(cast, clock):
    clock.today = date(2027, 3, 1)
    project = make_project(cast)
    deadline = _deadline(project, "evaluation")
    # Counted Monday to Friday: 20 working days after Monday 1 March 2027.
    assert (deadline.due_on, deadline.provisional) == (date(2027, 3, 29), True)
    assert deadline.due_on == workdays.due(date(2027, 3, 1), "evaluation").on
    event = ProjectEvent.objects.get(project=project, kind="deadline_set")
    assert event.payload["provisional"] is True


def test_a_period_that_reaches_into_a_missing_year_is_provisional(cast, clock):
    clock.today = date(2026, 12, 21)
    project = make_project(cast)
    deadline = _deadline(project, "evaluation")
    assert (deadline.due_on, deadline.provisional) == (date(2027, 1, 18), True)


def test_a_provisional_deadline_is_recomputed_once_its_year_is_entered(cast, clock):
    from biaozhun.core.models import WorkCalendarDay, WorkCalendarYear
    from biaozhun.projects.services import run_daily

    clock.today = date(2026, 12, 21)
    project = make_project(cast)
    assert run_daily().recomputed == 0  # 2027 still unknown: nothing to settle
    # The State Council publishes 2027: New Year's Day on Friday 1 January, and a make-up
    # working Saturday on 9 January (made up for this test).
    WorkCalendarYear.objects.create(year=2027, source="manual")
    WorkCalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦",
                                   source="manual")
    WorkCalendarDay.objects.create(date=date(2027, 1, 9), is_workday=True,
                                   name="调休上班（元旦）", source="manual")
    expected = workdays.due(date(2026, 12, 21), "evaluation")
    assert expected.provisional is False
    project.refresh_from_db()
    before = project.event_count
    assert run_daily().recomputed == 1
    deadline = _deadline(project, "evaluation")
    assert (deadline.due_on, deadline.provisional, deadline.basis) == (
        expected.on, False, expected.basis)
    event = ProjectEvent.objects.filter(project=project).order_by("-seq").first()
    assert (event.kind, event.actor_id, event.note, event.payload["was"]) == (
        "deadline_set", None, "节假日安排已录入，期限重新计算", "2027-01-18")
    project.refresh_from_db()
    assert project.event_count == before + 1
    assert run_daily().recomputed == 0  # idempotent


def test_a_period_inside_a_known_year_is_not_provisional(cast, clock):
    clock.today = date(2026, 11, 2)
    project = make_project(cast)
    assert _deadline(project, "evaluation").provisional is False


def test_calendar_months_never_make_a_deadline_provisional(cast, clock):
    project = make_project(cast, stage=Stage.PLANNED)  # plan on 2 March 2026
    drafting = _deadline(project, "drafting")
    assert (drafting.due_on, drafting.provisional, drafting.basis) == (
        date(2027, 3, 2), False, "12 个月")


def test_a_provisional_deadline_is_shown_as_such(cast, clock):
    clock.today = date(2027, 3, 1)
    project = make_project(cast, title="长沙臭豆腐制作规范")
    clock.today = date(2027, 3, 24)  # the deadline is 5 working days ahead
    mail.outbox.clear()
    assert services.run_daily().reminded == 1
    assert mail.outbox[0].subject == "【期限提醒】长沙臭豆腐制作规范：立项评估 2027-03-29"
    assert "截止 2027-03-29（暂定：该年度节假日安排尚未录入）" in mail.outbox[0].body
    assert [(d.project_id, d.provisional) for d in
            selectors.due_this_week_for_user(cast.admin, today=date(2027, 3, 29))] == [
        (project.pk, True)]


def test_entering_the_holidays_of_a_year_is_seen_at_once(cast, clock):
    from biaozhun.core.models import WorkCalendarDay, WorkCalendarYear

    WorkCalendarYear.objects.create(year=2027, complete=True)
    WorkCalendarDay.objects.create(date=date(2027, 3, 15), is_workday=False, name="测试假日")
    clock.today = date(2027, 3, 1)
    project = make_project(cast)
    assert (_deadline(project, "evaluation").due_on,
            _deadline(project, "evaluation").provisional) == (date(2027, 3, 30), False)


# --- due this week -----------------------------------------------------------------------


@pytest.fixture
def week(cast, clock):
    """Wednesday 4 March 2026, with deadlines due around this week."""
    def proposal(title, due):
        project = make_project(cast, title=title)
        Deadline.objects.filter(project=project, kind="evaluation").update(due_on=due)
        return _deadline(project, "evaluation")

    made = {
        "last_week": proposal("上周到期", date(2026, 2, 20)),
        "tuesday": proposal("周二到期", date(2026, 3, 3)),
        "friday": proposal("周五到期", date(2026, 3, 6)),
        "sunday": proposal("周日到期", date(2026, 3, 8)),
        "next_week": proposal("下周到期", date(2026, 3, 9)),
    }
    met = proposal("已完成", date(2026, 3, 5))
    Deadline.objects.filter(pk=met.pk).update(met_at=timezone.now())
    planned = make_project(cast, stage=Stage.PLANNED, title="起草到期")
    Deadline.objects.filter(project=planned, kind="drafting").update(due_on=date(2026, 3, 5))
    made["drafting"] = _deadline(planned, "drafting")
    clock.today = date(2026, 3, 4)
    return made


def test_due_this_week_for_an_administrator(cast, week, django_assert_num_queries):
    admin = type(cast.admin).objects.get(pk=cast.admin.pk)  # no cached organisations
    with django_assert_num_queries(2):
        due = selectors.due_this_week_for_user(admin)
    assert [(d.pk, d.project.title, d.due_on) for d in due] == [
        (week["last_week"].pk, "上周到期", date(2026, 2, 20)),
        (week["tuesday"].pk, "周二到期", date(2026, 3, 3)),
        (week["friday"].pk, "周五到期", date(2026, 3, 6)),
        (week["sunday"].pk, "周日到期", date(2026, 3, 8))]


def test_due_this_week_for_a_drafter(cast, week):
    assert [(d.pk, d.kind, d.responsible.name) for d in
            selectors.due_this_week_for_user(cast.drafter)] == [
        (week["drafting"].pk, "drafting", "长沙市标准化研究院")]


@pytest.mark.parametrize("who", ["outsider", "department_user", "partner_admin"])
def test_due_this_week_for_someone_not_responsible(cast, week, who):
    assert selectors.due_this_week_for_user(getattr(cast, who)) == []


def test_due_this_week_on_a_monday_includes_the_whole_week(cast, week):
    assert [d.due_on for d in selectors.due_this_week_for_user(
        cast.admin, today=date(2026, 3, 2))] == [
        date(2026, 2, 20), date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 8)]


def test_due_this_week_by_organization(cast, week, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = selectors.due_this_week_by_organization()
    # (organisation, due Monday–Sunday of this week, overdue on Wednesday)
    assert rows == [("长沙市市场监督管理局", 3, 2), ("长沙市标准化研究院", 1, 0)]


def test_due_this_week_by_organization_on_another_day(cast, week):
    assert selectors.due_this_week_by_organization(today=date(2026, 3, 9)) == [
        ("长沙市市场监督管理局", 1, 4), ("长沙市标准化研究院", 0, 1)]


def test_met_deadlines_are_never_due(cast, week):
    Deadline.objects.update(met_at=timezone.now())
    assert selectors.due_this_week_for_user(cast.admin) == []
    assert selectors.due_this_week_by_organization() == []


def test_week_bounds_are_monday_to_sunday():
    assert selectors.week_bounds(date(2026, 3, 4)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert selectors.week_bounds(date(2026, 3, 8)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert selectors.week_bounds(date(2026, 3, 9)) == (date(2026, 3, 9), date(2026, 3, 15))


def test_overdue_items_stay_on_the_list_until_met(cast, week):
    services.run_daily()
    assert sorted(Deadline.objects.filter(overdue_since__isnull=False)
                  .values_list("project__title", "overdue_since")) == [
        ("上周到期", date(2026, 3, 4)), ("周二到期", date(2026, 3, 4))]
    assert [d.project.title for d in selectors.due_this_week_for_user(cast.admin)] == [
        "上周到期", "周二到期", "周五到期", "周日到期"]


def test_the_dashboard_counts_overdue_deadlines_in_fixed_queries(cast, week,
                                                                  django_assert_num_queries):
    with django_assert_num_queries(6):
        data = selectors.dashboard()
    assert (data.overdue_count, [d.project.title for d in data.overdue]) == (
        2, ["上周到期", "周二到期"])
    assert (data.total, {s: n for s, _, n in data.by_stage if n}) == (
        7, {"proposed": 6, "planned": 1})
    assert (data.cycle_days, data.cycle_count, data.published_by_year) == (None, 0, [])

    for title in ("甲", "乙"):
        make_project(cast, stage=Stage.PUBLISHED, title=title)
    # Publication forgets the cached cycle times once its transaction commits; the test
    # transaction never commits, so forget them here as that callback would.
    selectors.forget_dashboard_figures()
    with django_assert_num_queries(7):  # one more for the cycle times, however many
        data = selectors.dashboard()
    assert (data.total, data.cycle_count, data.published_by_year) == (9, 2, [(2026, 2)])
    with django_assert_num_queries(5):  # cached: the cycle times are not read again
        assert selectors.dashboard().cycle_count == 2


def test_the_dashboard_measures_openness_from_settled_deadlines(cast):
    """On time = met on or before the due day; settled = met, or marked overdue."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from biaozhun.projects.models import Deadline

    project = make_project(cast, stage=Stage.PUBLISHED, title="公开")
    text = Deadline.objects.get(project=project, kind=Deadline.Kind.PUBLIC_TEXT)
    filing = Deadline.objects.get(project=project, kind=Deadline.Kind.FILING)
    met_late = timezone.make_aware(datetime.combine(text.due_on + timedelta(days=1),
                                                    datetime.min.time()))
    Deadline.objects.filter(pk=text.pk).update(met_at=met_late)
    Deadline.objects.filter(pk=filing.pk).update(overdue_since=filing.due_on)
    openness = {label: (done, total) for label, done, total in selectors.dashboard().openness}
    assert openness == {"标准文本按期免费公开": (0, 1), "按期备案": (0, 1),
                        "按期完成立项评估": (1, 1), "按计划期限完成起草": (1, 1)}


@pytest.mark.parametrize("command", ["run_projects_daily", "close_consultations"])
def test_daily_commands_refuse_a_malformed_date_and_do_nothing(db, command):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from biaozhun.projects.models import ProjectEvent

    with pytest.raises(CommandError, match="'2026-13-01': 日期格式应为 YYYY-MM-DD"):
        call_command(command, "--date", "2026-13-01")
    assert ProjectEvent.objects.count() == 0
