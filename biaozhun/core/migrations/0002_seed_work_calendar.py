"""Seed the work calendar with every year the installed chinesecalendar package knows.

Only exceptions to the Mon–Fri rule are stored. Self-contained on purpose (a migration must not
follow later changes of app code); `manage.py seed_work_calendar` refreshes the data when a newer
chinesecalendar is installed.
"""

from django.db import migrations

SOURCE = "chinesecalendar"
# chinese_calendar.Holiday values → the names the State Council notices use.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar

    Year = apps.get_model("core", "WorkCalendarYear")
    Day = apps.get_model("core", "WorkCalendarDay")

    def name(value):
        return NAMES.get(value) or getattr(chinese_calendar.Holiday(value), "chinese", value)

    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    first, last = min(holidays).year, max(holidays).year
    days = [Day(date=day, is_workday=False, name=name(value), source=SOURCE)
            for day, value in holidays.items() if day.weekday() < 5]
    days += [Day(date=day, is_workday=True, name=f"调休上班（{name(value)}）", source=SOURCE)
             for day, value in workdays.items() if day.weekday() >= 5]
    taken = set(Day.objects.values_list("date", flat=True))
    Day.objects.bulk_create(sorted((d for d in days if d.date not in taken),
                                   key=lambda d: d.date), batch_size=500)
    known = set(Year.objects.values_list("year", flat=True))
    note = f"chinesecalendar {chinese_calendar.__version__}"
    Year.objects.bulk_create([Year(year=year, source=SOURCE, complete=True, note=note)
                              for year in range(first, last + 1) if year not in known])


def unseed(apps, schema_editor):
    apps.get_model("core", "WorkCalendarDay").objects.filter(source=SOURCE).delete()
    apps.get_model("core", "WorkCalendarYear").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):

    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
