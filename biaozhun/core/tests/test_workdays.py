"""The work calendar and deadline arithmetic: exact dates checked against chinese_calendar."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import chinese_calendar
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from biaozhun.core import workdays
from biaozhun.core.models import CalendarSource, WorkCalendarDay, WorkCalendarYear
from biaozhun.core.workdays import (
    Due,
    Period,
    Unit,
    WorkCalendar,
    add_calendar_days,
    add_months,
    add_working_days,
    due,
    is_workday,
    next_workday,
    period,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = date


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


@pytest.fixture
def year_2027():
    """2027 entered by hand: New Year's Day (a Friday) is a holiday."""
    WorkCalendarYear.objects.create(year=2027, source=CalendarSource.MANUAL)
    WorkCalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")


# --- the seeded calendar ---------------------------------------------------------------------

def test_seed_covers_every_year_chinese_calendar_knows():
    years = set(WorkCalendarYear.objects.values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    assert WorkCalendarYear.objects.filter(source="chinesecalendar", complete=True).count() == 23


def test_seed_stores_only_exceptions_to_monday_to_friday():
    rows = WorkCalendarDay.objects.all()
    assert rows.count() == 557
    assert all(row.is_workday == (row.date.weekday() >= 5) for row in rows)


def test_seed_agrees_with_chinese_calendar_on_every_day_2004_to_2026():
    calendar = WorkCalendar()
    wrong = [day for day in days(D(2004, 1, 1), D(2026, 12, 31))
             if calendar.is_workday(day) != chinese_calendar.is_workday(day)]
    assert wrong == []


def test_spring_festival_2024():
    holidays = days(D(2024, 2, 10), D(2024, 2, 17))
    makeup = [D(2024, 2, 4), D(2024, 2, 18)]  # both Sundays
    # The data source says so too (not our memory).
    assert [chinese_calendar.is_workday(d) for d in holidays] == [False] * 8
    assert [chinese_calendar.is_workday(d) for d in makeup] == [True, True]
    assert [is_workday(d) for d in holidays] == [False] * 8
    assert [is_workday(d) for d in makeup] == [True, True]
    assert is_workday(D(2024, 2, 9)) is True  # 除夕 2024 was a working Friday
    assert WorkCalendarDay.objects.get(date=D(2024, 2, 12)).name == "春节"
    assert WorkCalendarDay.objects.get(date=D(2024, 2, 4)).name == "调休上班（春节）"


def test_national_day_2025():
    holidays = days(D(2025, 10, 1), D(2025, 10, 8))
    makeup = [D(2025, 9, 28), D(2025, 10, 11)]  # Sunday, Saturday
    assert [chinese_calendar.is_workday(d) for d in holidays] == [False] * 8
    assert [chinese_calendar.is_workday(d) for d in makeup] == [True, True]
    assert [is_workday(d) for d in holidays] == [False] * 8
    assert [is_workday(d) for d in makeup] == [True, True]
    assert WorkCalendarDay.objects.get(date=D(2025, 10, 1)).name == "国庆节"
    assert WorkCalendarDay.objects.get(date=D(2025, 10, 6)).name == "中秋节"


# --- working days ----------------------------------------------------------------------------

def test_20_working_days_across_national_day_and_its_makeup_weekends():
    # Sep 22–26, Sun 28, 29–30, (Oct 1–8 off), 9–10, Sat 11, 13–17, 20–23.
    assert add_working_days(D(2025, 9, 19), 20) == Due(D(2025, 10, 23), False, "20 个工作日")


def test_20_working_days_across_spring_festival_2024():
    assert add_working_days(D(2024, 1, 26), 20).on == D(2024, 2, 28)


def test_one_working_day_after_a_friday_can_be_a_makeup_sunday():
    assert add_working_days(D(2025, 9, 26), 1).on == D(2025, 9, 28)
    assert add_working_days(D(2025, 9, 30), 1).on == D(2025, 10, 9)


def test_zero_working_days_is_the_start_itself():
    assert add_working_days(D(2025, 10, 4), 0) == Due(D(2025, 10, 4), False, "0 个工作日")


def test_negative_working_days_count_backwards():
    assert add_working_days(D(2025, 10, 9), -1) == Due(D(2025, 9, 30), False, "提前 1 个工作日")
    assert add_working_days(D(2024, 2, 19), -2).on == D(2024, 2, 9)


def test_deadline_crossing_into_a_year_without_data_is_provisional_and_counts_monday_to_friday():
    result = add_working_days(D(2026, 12, 15), 20)
    # Dec 16–18, 21–25, 28–31 (12), Fri Jan 1 2027 counted as working, Jan 4–8, 11, 12.
    assert result == Due(D(2027, 1, 12), True, "20 个工作日")


def test_deadline_ending_before_the_unknown_year_is_not_provisional():
    assert add_working_days(D(2026, 12, 15), 12) == Due(D(2026, 12, 31), False, "12 个工作日")


def test_a_year_entered_by_hand_is_honoured_and_not_provisional(year_2027):
    assert add_working_days(D(2026, 12, 15), 20) == Due(D(2027, 1, 13), False, "20 个工作日")
    assert is_workday(D(2027, 1, 1)) is False


def test_an_incomplete_year_stays_provisional_but_its_days_count(year_2027):
    WorkCalendarYear.objects.filter(year=2027).update(complete=False)
    assert add_working_days(D(2026, 12, 15), 20) == Due(D(2027, 1, 13), True, "20 个工作日")


def test_next_workday():
    assert next_workday(D(2025, 10, 1)) == D(2025, 10, 9)
    assert next_workday(D(2025, 10, 9)) == D(2025, 10, 9)
    assert next_workday(D(2025, 9, 27)) == D(2025, 9, 28)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2024, 2, 8), D(2024, 2, 19), 3),  # Fri 9, Sun 18, Mon 19
    (D(2024, 2, 9), D(2024, 2, 17), 0),
    (D(2025, 9, 19), D(2025, 10, 23), 20),
    (D(2025, 10, 23), D(2025, 10, 23), 0),
    (D(2025, 10, 23), D(2025, 9, 19), -20),
    (D(2026, 12, 31), D(2027, 1, 4), 2),  # Fri 1 Jan 2027 (no data) and Mon 4
])
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@hypothesis_settings(max_examples=150, deadline=None)
@given(start=st.dates(min_value=D(2020, 1, 1), max_value=D(2026, 12, 31)),
       n=st.integers(min_value=0, max_value=60))
def test_working_days_between_inverts_add_working_days(start, n):
    assert working_days_between(start, add_working_days(start, n).on) == n


def test_add_working_days_over_60_days_needs_at_most_two_queries(django_assert_max_num_queries):
    workdays.clear_cache()
    with django_assert_max_num_queries(2):
        result = add_working_days(D(2024, 12, 20), 60)
    assert result.on == D(2025, 3, 21) == chinese_calendar.find_workday(60, D(2024, 12, 20))


def test_a_warm_cache_needs_one_query(django_assert_num_queries):
    add_working_days(D(2025, 9, 19), 20)
    with django_assert_num_queries(1):
        add_working_days(D(2025, 9, 19), 20)


def test_one_calendar_object_reads_the_year_rows_once(django_assert_num_queries):
    calendar = WorkCalendar()
    calendar.add_working_days(D(2025, 9, 19), 20)
    with django_assert_num_queries(0):
        assert calendar.add_working_days(D(2025, 1, 2), 5).on == D(2025, 1, 9)


# --- cache invalidation ----------------------------------------------------------------------

def test_saving_a_day_is_seen_at_once():
    assert is_workday(D(2025, 3, 3)) is True
    day = WorkCalendarDay.objects.create(date=D(2025, 3, 3), is_workday=False, name="测试")
    assert is_workday(D(2025, 3, 3)) is False
    day.delete()
    assert is_workday(D(2025, 3, 3)) is True


def test_moving_a_day_to_another_year_refreshes_both_years():
    assert is_workday(D(2024, 2, 12)) is False
    assert is_workday(D(2025, 3, 3)) is True
    day = WorkCalendarDay.objects.get(date=D(2024, 2, 12))
    day.date = D(2025, 3, 3)
    day.save()
    assert is_workday(D(2024, 2, 12)) is True
    assert is_workday(D(2025, 3, 3)) is False


def test_an_edit_by_another_process_is_seen_through_the_year_stamp():
    assert is_workday(D(2025, 3, 3)) is True
    # Another process writes the day and touches the year; this process's cache is untouched.
    WorkCalendarDay.objects.bulk_create([WorkCalendarDay(date=D(2025, 3, 3), is_workday=False)])
    WorkCalendarYear.objects.filter(year=2025).update(
        updated_at=datetime(2099, 1, 1, tzinfo=UTC))
    assert is_workday(D(2025, 3, 3)) is False


# --- calendar days, months, years ------------------------------------------------------------

def test_calendar_days_land_on_a_holiday_without_rolling():
    assert add_calendar_days(D(2025, 9, 1), 30) == Due(D(2025, 10, 1), False, "30 日")


def test_calendar_days_roll_to_the_next_working_day():
    assert add_calendar_days(D(2025, 9, 1), 30, roll_to_workday=True) == Due(
        D(2025, 10, 9), False, "30 日（逢休息日顺延至下一个工作日）")


def test_calendar_days_roll_is_a_no_op_on_a_working_day():
    assert add_calendar_days(D(2025, 9, 1), 27, roll_to_workday=True).on == D(2025, 9, 28)


def test_calendar_days_rolling_into_a_year_without_data_is_provisional():
    # 2026-12-31 + 2 = Sat 2 Jan 2027 → Mon 4 Jan under the Mon–Fri fallback.
    assert add_calendar_days(D(2026, 12, 31), 2, roll_to_workday=True) == Due(
        D(2027, 1, 4), True, "2 日（逢休息日顺延至下一个工作日）")
    assert add_calendar_days(D(2026, 12, 31), 2).provisional is False


@pytest.mark.parametrize(("start", "months", "expected"), [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 8, 31), 6, D(2025, 2, 28)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
    (D(2024, 12, 15), 12, D(2025, 12, 15)),
    (D(2030, 5, 31), 1, D(2030, 6, 30)),
])
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == Due(expected, False, workdays._basis(months, Unit.MONTHS))


def test_named_periods_with_defaults():
    assert due(D(2025, 3, 1), "drafting") == Due(D(2026, 3, 1), False, "12 个月")
    assert due(D(2024, 2, 29), "review_interval") == Due(D(2029, 2, 28), False, "5 年")
    assert due(D(2028, 2, 29), "review_interval").on == D(2033, 2, 28)
    assert due(D(2024, 2, 29), "review_interval", before=True).on == D(2019, 2, 28)
    assert due(D(2029, 8, 31), "review_window", before=True) == Due(
        D(2029, 2, 28), False, "提前 6 个月")
    assert due(D(2025, 9, 1), "public_comment_min") == Due(D(2025, 10, 1), False, "30 日")
    assert due(D(2025, 9, 19), "public_text") == Due(D(2025, 10, 23), False, "20 个工作日")
    # Back from Mon 13 Oct 2025: Sat 11 (make-up), 10, 9, (1–8 off), Sep 30, 29.
    assert due(D(2025, 10, 13), "reminder_lead", before=True) == Due(
        D(2025, 9, 29), False, "提前 5 个工作日")


def test_named_calendar_period_counted_back_rolls_to_the_previous_working_day(settings):
    settings.BIAOZHUN_PERIODS = {"notice": "30 calendar"}
    # 2025-11-08 − 30 days = Thu 9 Oct (a working day); − 31 would be Wed 8 Oct (holiday).
    assert due(D(2025, 11, 8), "notice", before=True, roll_to_workday=True).on == D(2025, 10, 9)
    settings.BIAOZHUN_PERIODS = {"notice": "31 calendar"}
    assert due(D(2025, 11, 8), "notice", before=True, roll_to_workday=True) == Due(
        D(2025, 9, 30), False, "提前 31 日（逢休息日提前至上一个工作日）")


def test_every_default_period_parses(settings):
    assert period("public_comment_min") == Period(30, Unit.CALENDAR)
    assert period("filing") == Period(60, Unit.CALENDAR)
    assert period("public_text") == Period(20, Unit.WORKING)
    assert period("drafting") == Period(12, Unit.MONTHS)
    assert period("extension_notice") == Period(0, Unit.CALENDAR)
    assert period("review_interval") == Period(5, Unit.YEARS)
    assert period("review_window") == Period(6, Unit.MONTHS)
    assert period("evaluation") == Period(20, Unit.WORKING)
    assert period("approval") == Period(20, Unit.WORKING)
    assert period("reminder_lead") == Period(5, Unit.WORKING)
    assert period("complaint_acceptance") == Period(7, Unit.WORKING)
    assert period("mediation") == Period(45, Unit.WORKING)
    assert period("report_notice") == Period(5, Unit.WORKING)
    assert len(settings.BIAOZHUN_PERIODS) == 13


def test_a_period_overridden_in_settings(settings):
    settings.BIAOZHUN_PERIODS = {**settings.BIAOZHUN_PERIODS, "filing": " 30  working "}
    assert period("filing") == Period(30, Unit.WORKING)
    assert due(D(2025, 9, 19), "filing").on == D(2025, 11, 6)


@pytest.mark.parametrize("value", [
    "30", "30 days", "thirty calendar", "-5 working", "30 calendar days", "5.5 months", "",
    30, None,
])
def test_a_malformed_period_raises_improperly_configured(settings, value):
    settings.BIAOZHUN_PERIODS = {"filing": value}
    with pytest.raises(ImproperlyConfigured) as error:
        period("filing")
    assert "'filing'" in str(error.value)
    assert repr(value) in str(error.value)
    with pytest.raises(ImproperlyConfigured):
        workdays.validate_periods()


def test_an_unknown_period_raises_improperly_configured(settings):
    settings.BIAOZHUN_PERIODS = {"filing": "60 calendar"}
    with pytest.raises(ImproperlyConfigured, match="no period 'filling'"):
        due(D(2025, 1, 1), "filling")


def test_periods_must_be_a_dict(settings):
    settings.BIAOZHUN_PERIODS = ["60 calendar"]
    with pytest.raises(ImproperlyConfigured, match="must be a dict"):
        period("filing")


# --- the seed command ------------------------------------------------------------------------

def seed(*args) -> str:
    out = StringIO()
    call_command("seed_work_calendar", *args, stdout=out)
    return out.getvalue()


def test_seed_command_is_idempotent():
    WorkCalendarDay.objects.filter(date__year=2024, is_workday=False).delete()
    WorkCalendarDay.objects.filter(date=D(2025, 10, 1)).update(name="旧名称")
    first = seed("--year", "2024", "2025")
    assert first == ("2024: added 19, changed 0, removed 0\n"
                     "2025: added 0, changed 1, removed 0\n")
    assert WorkCalendarDay.objects.filter(date__year=2024).count() == 27
    assert WorkCalendarDay.objects.get(date=D(2025, 10, 1)).name == "国庆节"
    assert is_workday(D(2024, 2, 12)) is False
    second = seed()
    assert second.count("added 0, changed 0, removed 0") == 23
    assert WorkCalendarDay.objects.count() == 557


def test_seed_command_removes_seeded_rows_the_package_no_longer_lists():
    WorkCalendarDay.objects.create(date=D(2025, 3, 3), is_workday=False,
                                   source=CalendarSource.CHINESECALENDAR)
    assert seed("--year", "2025") == "2025: added 0, changed 0, removed 1\n"
    assert is_workday(D(2025, 3, 3)) is True


def test_seed_command_keeps_rows_entered_by_hand():
    WorkCalendarDay.objects.filter(date=D(2025, 10, 8)).update(
        source=CalendarSource.MANUAL, name="手工", is_workday=False)
    WorkCalendarDay.objects.create(date=D(2025, 3, 3), is_workday=False, name="地方假日")
    output = seed("--year", "2025")
    assert output == ("2025: added 0, changed 0, removed 0, kept 2 entered by hand "
                      "(2 differ from chinesecalendar; --replace-manual takes the package's)\n")
    assert WorkCalendarDay.objects.get(date=D(2025, 10, 8)).name == "手工"
    assert is_workday(D(2025, 3, 3)) is False


def test_seed_command_replace_manual_takes_the_package_data():
    WorkCalendarDay.objects.filter(date=D(2025, 10, 8)).update(
        source=CalendarSource.MANUAL, name="手工")
    WorkCalendarDay.objects.create(date=D(2025, 3, 3), is_workday=False, name="地方假日")
    WorkCalendarYear.objects.filter(year=2025).update(source=CalendarSource.MANUAL, note="")
    output = seed("--year", "2025", "--replace-manual")
    assert output == "2025: added 0, changed 1, removed 1; year updated\n"
    row = WorkCalendarDay.objects.get(date=D(2025, 10, 8))
    assert (row.name, row.source) == ("国庆节", "chinesecalendar")
    assert is_workday(D(2025, 3, 3)) is True
    assert WorkCalendarYear.objects.get(year=2025).source == "chinesecalendar"


def test_seed_command_reports_years_the_package_lacks():
    version = chinese_calendar.__version__
    assert seed("--year", "2027") == (f"2027: not in chinesecalendar {version}: stays "
                                      "provisional (Mon–Fri) until entered by hand\n")
    assert not WorkCalendarYear.objects.filter(year=2027).exists()


def test_seed_command_leaves_a_year_entered_by_hand_alone(year_2027):
    assert "entered by hand, left unchanged" in seed("--year", "2027")
    assert WorkCalendarDay.objects.filter(date__year=2027).count() == 1


@pytest.mark.parametrize("value", ["20x7", "27", "99999", ""])
def test_seed_command_refuses_a_bad_year(value):
    with pytest.raises(CommandError, match=f"bad year {value!r}"):
        seed("--year", value)


# --- model validation and admin --------------------------------------------------------------

def test_only_exceptions_validate():
    with pytest.raises(ValidationError):
        WorkCalendarDay(date=D(2027, 1, 4), is_workday=True).full_clean()  # a Monday
    with pytest.raises(ValidationError):
        WorkCalendarDay(date=D(2027, 1, 2), is_workday=False).full_clean()  # a Saturday
    WorkCalendarDay(date=D(2027, 2, 6), is_workday=True, name="调休上班（春节）").full_clean()


def test_a_day_saved_in_the_admin_is_manual(admin_client):
    url = reverse("admin:core_workcalendarday_change",
                  args=[WorkCalendarDay.objects.get(date=D(2025, 10, 8)).pk])
    response = admin_client.post(url, {"date": "2025-10-08", "is_workday": "",
                                       "name": "国庆节（人工核对）"})
    assert response.status_code == 302
    row = WorkCalendarDay.objects.get(date=D(2025, 10, 8))
    assert (row.name, row.source) == ("国庆节（人工核对）", "manual")


def test_a_year_and_its_holiday_entered_in_the_admin_take_effect(admin_client):
    response = admin_client.post(reverse("admin:core_workcalendaryear_add"),
                                 {"year": "2027", "complete": "on", "note": "国办发明电"})
    assert response.status_code == 302
    response = admin_client.post(reverse("admin:core_workcalendarday_add"),
                                 {"date": "2027-01-01", "is_workday": "", "name": "元旦"})
    assert response.status_code == 302
    assert WorkCalendarYear.objects.get(year=2027).source == "manual"
    assert add_working_days(D(2026, 12, 15), 20) == Due(D(2027, 1, 13), False, "20 个工作日")


def test_admin_day_list_filters_by_year(admin_client):
    response = admin_client.get(reverse("admin:core_workcalendarday_changelist"),
                                {"year": "2024", "is_workday__exact": "1"})
    assert response.status_code == 200
    assert [row.date for row in response.context["cl"].result_list] == [D(2024, 2, 4),
                                                                        D(2024, 2, 18),
                                                                        D(2024, 4, 7),
                                                                        D(2024, 4, 28),
                                                                        D(2024, 5, 11),
                                                                        D(2024, 9, 14),
                                                                        D(2024, 9, 29),
                                                                        D(2024, 10, 12)]


# --- environment overrides -------------------------------------------------------------------

def _start_django(env_value: str) -> subprocess.CompletedProcess:
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.BIAOZHUN_PERIODS['filing'])")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "BIAOZHUN_PERIOD_FILING": env_value}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, cwd=settings_module_root())


def settings_module_root() -> str:
    import config

    return os.path.dirname(os.path.dirname(config.__file__))


def test_a_period_is_overridden_by_its_environment_variable():
    result = _start_django("45 working")
    assert (result.returncode, result.stdout) == (0, "45 working\n")


def test_a_malformed_environment_variable_stops_start_up():
    result = _start_django("45 weekdays")
    assert result.returncode == 1
    assert "BIAOZHUN_PERIODS['filing'] = '45 weekdays' is not a period" in result.stderr
    assert "BIAOZHUN_PERIOD_FILING" in result.stderr


def test_admin_pages_render_and_search(admin_client):
    years = admin_client.get(reverse("admin:core_workcalendaryear_changelist"), {"q": "2024"})
    assert [row.year for row in years.context["cl"].result_list] == [2024]
    found = admin_client.get(reverse("admin:core_workcalendarday_changelist"), {"q": "国庆"})
    assert found.context["cl"].result_count == WorkCalendarDay.objects.filter(
        name__contains="国庆").count() == 159
    assert admin_client.get(reverse("admin:core_workcalendarday_add")).status_code == 200
    assert admin_client.get(reverse("admin:core_workcalendaryear_change",
                                    args=[2024])).status_code == 200

