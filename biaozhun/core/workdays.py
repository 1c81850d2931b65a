"""Chinese working days and legal deadline arithmetic: the one place that counts days.

Counting rule (as in the Civil Code, art. 201, and the national standard procedures): the
period starts on the day after `start`.

- Working days: the result is the n-th working day after `start` (n = 0 gives `start`);
  a negative n counts backwards, giving the |n|-th working day before `start`.
- Calendar days: the result is `start + n` days. With `roll_to_workday=True` a result that
  falls on a non-working day moves to the next working day.
- Months / years: the same day of the month, clamped to the month's last day
  (31 Jan + 1 month = 28/29 Feb, 29 Feb 2024 + 1 year = 28 Feb 2025). Never provisional.

A working day is Mon–Fri unless `WorkCalendarDay` says otherwise (调休: weekday holidays and
make-up working weekends). A year without a complete `WorkCalendarYear` row is counted Mon–Fri
(plus any days already entered for it), and every result whose counting touched such a year is
`provisional`.

Caching: each year's exceptions are cached per process together with the year row's
`updated_at`. A computation reads the year rows of the years it needs (one query) and the
exceptions of the years whose stamp changed (one more query), so edits made by another process,
and rolled-back test transactions, are seen at once. Saving or deleting a calendar day touches
its year row (signals connected in `CoreConfig.ready`); bulk writes must call `touch_years`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from biaozhun.core.models import WorkCalendarDay, WorkCalendarYear

__all__ = [
    "Due",
    "Period",
    "Unit",
    "WorkCalendar",
    "add_calendar_days",
    "add_months",
    "add_working_days",
    "clear_cache",
    "due",
    "is_workday",
    "next_workday",
    "period",
    "touch_years",
    "validate_periods",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Due:
    """A computed deadline: the date, whether a year without calendar data was involved, and
    the period in words (e.g. "20 个工作日")."""

    on: date
    provisional: bool
    basis: str


class Unit(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"
    MONTHS = "months"
    YEARS = "years"


@dataclass(frozen=True, slots=True)
class Period:
    """A legal period from `settings.BIAOZHUN_PERIODS`: a non-negative count and its unit."""

    count: int
    unit: Unit


# year -> ((complete, updated_at) of its WorkCalendarYear row, {date: is_workday}).
# Only years with a row are cached: their stamp tells when the cached copy is stale.
_cache: dict[int, tuple[tuple[bool, datetime], dict[date, bool]]] = {}


def clear_cache() -> None:
    """Forget the per-process copy of the calendar (it is re-read on next use)."""
    _cache.clear()


def touch_years(years: Iterable[int]) -> None:
    """Mark years as changed so that every process re-reads their days.

    Needed after writes that bypass model signals (bulk_create, QuerySet.update/delete).
    """
    years = set(years)
    if years:
        WorkCalendarYear.objects.filter(year__in=years).update(updated_at=timezone.now())
    for year in years:
        _cache.pop(year, None)


def _as_date(day: date) -> date:
    if isinstance(day, datetime):
        return timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day


class WorkCalendar:
    """The work calendar as one computation sees it; loads whole years on first use.

    Reuse one instance for many computations in a request or job to read the year rows once.
    """

    def __init__(self) -> None:
        self._loaded: set[int] = set()
        self._known: dict[int, bool] = {}
        self._exceptions: dict[date, bool] = {}

    # --- loading -------------------------------------------------------------------------
    def _load(self, first: int, last: int) -> None:
        missing = [year for year in range(first, last + 1) if year not in self._loaded]
        if not missing:
            return
        stamps = {
            year: (complete, updated_at)
            for year, complete, updated_at in WorkCalendarYear.objects.filter(
                year__gte=missing[0], year__lte=missing[-1]
            ).values_list("year", "complete", "updated_at")
        }
        stale = []
        for year in missing:
            stamp = stamps.get(year)
            self._known[year] = stamp is not None and stamp[0]
            cached = _cache.get(year)
            if stamp is not None and cached is not None and cached[0] == stamp:
                self._exceptions.update(cached[1])
            else:
                stale.append(year)
        if stale:
            by_year: dict[int, dict[date, bool]] = {year: {} for year in stale}
            rows = WorkCalendarDay.objects.filter(
                date__gte=date(stale[0], 1, 1), date__lte=date(stale[-1], 12, 31)
            ).values_list("date", "is_workday")
            for day, working in rows:
                if day.year in by_year:
                    by_year[day.year][day] = working
            for year, exceptions in by_year.items():
                self._exceptions.update(exceptions)
                if year in stamps:
                    _cache[year] = (stamps[year], exceptions)
        self._loaded.update(missing)

    def _preload(self, start: date, days: int) -> None:
        # Load every year a count of about `days` calendar days may reach in one go.
        end = start + timedelta(days=days)
        self._load(min(start.year, end.year), max(start.year, end.year))

    def _provisional(self, first: date, last: date) -> bool:
        low, high = min(first.year, last.year), max(first.year, last.year)
        self._load(low, high)
        return not all(self._known[year] for year in range(low, high + 1))

    def is_known(self, year: int) -> bool:
        """Whether `year` has complete calendar data (deadlines in it are not provisional)."""
        self._load(year, year)
        return self._known[year]

    # --- single days ---------------------------------------------------------------------
    def is_workday(self, day: date) -> bool:
        """Whether `day` is a Chinese working day."""
        day = _as_date(day)
        if day.year not in self._loaded:
            self._load(day.year, day.year)
        found = self._exceptions.get(day)
        return day.weekday() < 5 if found is None else found

    def _roll(self, day: date, step: int) -> date:
        while not self.is_workday(day):
            day += step * _ONE_DAY
        return day

    def next_workday(self, day: date) -> date:
        """`day` itself when it is a working day, otherwise the first working day after it."""
        day = _as_date(day)
        self._preload(day, 31)
        return self._roll(day, 1)

    # --- periods -------------------------------------------------------------------------
    def add_working_days(self, start: date, n: int) -> Due:
        """The n-th working day after `start` (before it when n < 0)."""
        start = _as_date(start)
        step = 1 if n >= 0 else -1
        # 2n + 31 calendar days always hold n working days unless a year is nearly all holidays.
        self._preload(start, step * (2 * abs(n) + 31))
        day, left = start, abs(n)
        while left:
            day += step * _ONE_DAY
            if self.is_workday(day):
                left -= 1
        provisional = n != 0 and self._provisional(start + step * _ONE_DAY, day)
        return Due(on=day, provisional=provisional, basis=_basis(n, Unit.WORKING))

    def add_calendar_days(self, start: date, n: int, *, roll_to_workday: bool = False) -> Due:
        """`start + n` days; with `roll_to_workday`, a non-working result moves to the next
        working day."""
        start = _as_date(start)
        return self._shift(start, start + timedelta(days=n), n, Unit.CALENDAR,
                           roll=1 if roll_to_workday else 0)

    def add_months(self, start: date, n: int, *, roll_to_workday: bool = False) -> Due:
        """The same day of the month n months later, clamped to the month's last day."""
        start = _as_date(start)
        return self._shift(start, _month_shift(start, n), n, Unit.MONTHS,
                           roll=1 if roll_to_workday else 0)

    def _shift(self, start: date, on: date, n: int, unit: Unit, *, roll: int) -> Due:
        if not roll:
            return Due(on=on, provisional=False, basis=_basis(n, unit))
        self._preload(on, roll * 31)
        rolled = self._roll(on, roll)
        return Due(on=rolled, provisional=self._provisional(on, rolled),
                   basis=_basis(n, unit, roll=roll))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        self._load(start.year, end.year)
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            count += self.is_workday(day)
        return count

    def due(self, start: date, name: str, *, before: bool = False,
            roll_to_workday: bool = False) -> Due:
        """The deadline of the named period counted from `start` (counted back when `before`).

        `roll_to_workday` moves a non-working result to the next working day, or to the
        previous one when counting back (a notice due "30 days before" a Sunday is due Friday).
        """
        start = _as_date(start)
        spec = period(name)
        sign = -1 if before else 1
        if spec.unit is Unit.WORKING:
            return self.add_working_days(start, sign * spec.count)
        if spec.unit is Unit.CALENDAR:
            on = start + timedelta(days=sign * spec.count)
        else:
            months = spec.count * (12 if spec.unit is Unit.YEARS else 1)
            on = _month_shift(start, sign * months)
        roll = sign if roll_to_workday else 0
        return self._shift(start, on, sign * spec.count, spec.unit, roll=roll)


def _month_shift(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _basis(n: int, unit: Unit, *, roll: int = 0) -> str:
    count = abs(n)
    if unit is Unit.WORKING:
        text = ngettext("%(count)d 个工作日", "%(count)d 个工作日", count)
    elif unit is Unit.CALENDAR:
        text = ngettext("%(count)d 日", "%(count)d 日", count)
    elif unit is Unit.MONTHS:
        text = ngettext("%(count)d 个月", "%(count)d 个月", count)
    else:
        text = ngettext("%(count)d 年", "%(count)d 年", count)
    text = text % {"count": count}
    if n < 0:
        text = gettext("提前 %(period)s") % {"period": text}
    if roll > 0:
        text += gettext("（逢休息日顺延至下一个工作日）")
    elif roll < 0:
        text += gettext("（逢休息日提前至上一个工作日）")
    return text


# --- named periods (settings.BIAOZHUN_PERIODS) -------------------------------------------

_PERIOD = re.compile(r"\s*(\d+)\s+(working|calendar|months?|years?)\s*")
_UNITS = {"working": Unit.WORKING, "calendar": Unit.CALENDAR, "month": Unit.MONTHS,
          "months": Unit.MONTHS, "year": Unit.YEARS, "years": Unit.YEARS}


def _periods() -> dict:
    periods = getattr(settings, "BIAOZHUN_PERIODS", None)
    if not isinstance(periods, dict):
        raise ImproperlyConfigured(
            f"settings.BIAOZHUN_PERIODS must be a dict of name -> period, got {periods!r}.")
    return periods


def period(name: str) -> Period:
    """Parse `settings.BIAOZHUN_PERIODS[name]` ("<n> working|calendar|months|years").

    Raises ImproperlyConfigured naming the period and its value when missing or malformed.
    """
    periods = _periods()
    if name not in periods:
        raise ImproperlyConfigured(
            f"settings.BIAOZHUN_PERIODS has no period {name!r} "
            f"(known: {', '.join(sorted(periods))}).")
    value = periods[name]
    match = _PERIOD.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ImproperlyConfigured(
            f"settings.BIAOZHUN_PERIODS[{name!r}] = {value!r} is not a period: use "
            f"'<n> working', '<n> calendar', '<n> months' or '<n> years' "
            f"(environment variable BIAOZHUN_PERIOD_{name.upper()}).")
    return Period(count=int(match.group(1)), unit=_UNITS[match.group(2)])


def validate_periods() -> None:
    """Parse every configured period; raises ImproperlyConfigured on the first bad one."""
    for name in _periods():
        period(name)


# --- module-level shortcuts: one fresh WorkCalendar per call ------------------------------

def is_workday(day: date) -> bool:
    """Whether `day` is a Chinese working day (Mon–Fri for years without data)."""
    return WorkCalendar().is_workday(day)


def next_workday(day: date) -> date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    return WorkCalendar().next_workday(day)


def add_working_days(start: date, n: int) -> Due:
    """The n-th working day after `start` (the |n|-th before it when n < 0)."""
    return WorkCalendar().add_working_days(start, n)


def add_calendar_days(start: date, n: int, *, roll_to_workday: bool = False) -> Due:
    """`start + n` days, optionally moved to the next working day."""
    return WorkCalendar().add_calendar_days(start, n, roll_to_workday=roll_to_workday)


def add_months(start: date, n: int, *, roll_to_workday: bool = False) -> Due:
    """The same day of the month n months later, clamped to the month's end."""
    return WorkCalendar().add_months(start, n, roll_to_workday=roll_to_workday)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative when end < start)."""
    return WorkCalendar().working_days_between(start, end)


def due(start: date, name: str, *, before: bool = False, roll_to_workday: bool = False) -> Due:
    """The deadline of the period `name` of `settings.BIAOZHUN_PERIODS`, counted from `start`."""
    return WorkCalendar().due(start, name, before=before, roll_to_workday=roll_to_workday)


# --- signal receivers (connected in CoreConfig.ready) -------------------------------------

def day_changed(sender, instance: WorkCalendarDay, **kwargs) -> None:
    """A calendar day was saved or deleted: mark its year (and its former year) as changed."""
    years = {instance.date.year}
    loaded = getattr(instance, "_loaded_date", None)
    if loaded is not None:
        years.add(loaded.year)
    instance._loaded_date = instance.date
    touch_years(years)


def year_changed(sender, instance: WorkCalendarYear, **kwargs) -> None:
    """A calendar year was saved or deleted: drop its cached copy."""
    _cache.pop(instance.year, None)
