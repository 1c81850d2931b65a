"""``biaozhun seed_work_calendar [--year Y ...] [--replace-manual]``: refresh the work calendar
from the installed chinesecalendar package.

Idempotent. Rows entered by hand (source "manual") are kept unless ``--replace-manual``; rows
seeded earlier that the package no longer lists are removed. Years the package does not know
are reported and left alone: they stay provisional until someone enters them in the admin.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from biaozhun.core.models import CalendarSource, WorkCalendarDay, WorkCalendarYear
from biaozhun.core.workdays import touch_years

SOURCE = CalendarSource.CHINESECALENDAR
MANUAL = CalendarSource.MANUAL
# chinese_calendar.Holiday values → the names the State Council notices use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
MIN_YEAR, MAX_YEAR = 1949, 2199


def holiday_name(value: str) -> str:
    """The Chinese name of a chinese_calendar.Holiday value (its own `chinese` if unmapped)."""
    if value in HOLIDAY_NAMES:
        return HOLIDAY_NAMES[value]
    try:
        return chinese_calendar.Holiday(value).chinese
    except ValueError:
        return value


def package_years() -> range:
    """The years the installed chinesecalendar has data for."""
    holidays = chinese_calendar.holidays
    return range(min(holidays).year, max(holidays).year + 1)


def package_exceptions() -> dict[int, dict[date, tuple[bool, str]]]:
    """{year: {date: (is_workday, name)}}: the package's exceptions to the Mon–Fri rule."""
    out: dict[int, dict[date, tuple[bool, str]]] = {year: {} for year in package_years()}
    for day, value in chinese_calendar.holidays.items():
        if day.weekday() < 5:
            out[day.year][day] = (False, holiday_name(value))
    for day, value in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            out[day.year][day] = (True, f"调休上班（{holiday_name(value)}）")
    return out


def parse_year(value) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise CommandError(
            f"bad year {value!r}: give a year between {MIN_YEAR} and {MAX_YEAR}, e.g. --year 2027")
    return year


class Command(BaseCommand):
    help = ("Seed or refresh the work calendar (holidays and make-up working days) from the "
            "chinesecalendar package; rows entered by hand are kept.")

    def add_arguments(self, parser):
        parser.add_argument("--year", dest="years", action="extend", nargs="+", default=[],
                            metavar="Y", help="only these years (default: every year the "
                            "package knows)")
        parser.add_argument("--replace-manual", action="store_true",
                            help="overwrite and remove rows entered by hand as well")

    def handle(self, *args, years, replace_manual, **options):
        selected = sorted({parse_year(value) for value in years})
        data = package_exceptions()
        version = chinese_calendar.__version__
        with transaction.atomic():
            for year in selected or list(data):
                if year in data:
                    line = self._seed_year(year, data[year], version, replace_manual)
                elif WorkCalendarYear.objects.filter(year=year).exists():
                    line = (f"{year}: not in chinesecalendar {version}; "
                            "entered by hand, left unchanged")
                else:
                    line = (f"{year}: not in chinesecalendar {version}: stays provisional "
                            "(Mon–Fri) until entered by hand")
                self.stdout.write(line)

    def _seed_year(self, year: int, wanted: dict[date, tuple[bool, str]], version: str,
                   replace_manual: bool) -> str:
        existing = {row.date: row for row in WorkCalendarDay.objects.filter(
            date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))}
        added, changed, removed = [], [], []
        now = timezone.now()
        kept = differing = 0
        for day, (working, name) in sorted(wanted.items()):
            row = existing.get(day)
            if row is None:
                added.append(WorkCalendarDay(date=day, is_workday=working, name=name,
                                             source=SOURCE))
            elif row.source == MANUAL and not replace_manual:
                kept += 1
                differing += (row.is_workday, row.name) != (working, name)
            elif (row.is_workday, row.name, row.source) != (working, name, SOURCE):
                row.is_workday, row.name, row.source = working, name, SOURCE
                row.updated_at = now  # bulk_update does not apply auto_now
                changed.append(row)
        for day, row in existing.items():
            if day in wanted:
                continue
            if row.source == MANUAL and not replace_manual:
                kept += 1
                differing += 1
            else:
                removed.append(row.pk)

        WorkCalendarDay.objects.bulk_create(added)
        WorkCalendarDay.objects.bulk_update(changed, ["is_workday", "name", "source",
                                                      "updated_at"])
        WorkCalendarDay.objects.filter(pk__in=removed).delete()
        year_note = self._seed_year_row(year, version, replace_manual)
        if added or changed or removed:
            touch_years([year])

        line = (f"{year}: added {len(added)}, changed {len(changed)}, "
                f"removed {len(removed)}")
        if kept:
            line += f", kept {kept} entered by hand"
            if differing:
                line += (f" ({differing} differ from chinesecalendar; --replace-manual "
                         "takes the package's)")
        return line + year_note

    def _seed_year_row(self, year: int, version: str, replace_manual: bool) -> str:
        note = f"chinesecalendar {version}"
        row = WorkCalendarYear.objects.filter(year=year).first()
        if row is None:
            WorkCalendarYear.objects.create(year=year, source=SOURCE, complete=True, note=note)
            return "; year added"
        if row.source == MANUAL and not replace_manual:
            return "" if row.complete else "; year entered by hand as incomplete, left so"
        if (row.source, row.complete, row.note) != (SOURCE, True, note):
            row.source, row.complete, row.note = SOURCE, True, note
            row.save()
            return "; year updated"
        return ""
