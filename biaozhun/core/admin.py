"""Admin for the work calendar: staff enter next year's holidays when the State Council
publishes them. Anything saved here is marked "manual" so that reseeding keeps it."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from biaozhun.core.models import CalendarSource, WorkCalendarDay, WorkCalendarYear

_WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = {day.year for day in WorkCalendarDay.objects.dates("date", "year")}
        years.update(WorkCalendarYear.objects.values_list("year", flat=True))
        return [(str(year), str(year)) for year in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(WorkCalendarYear)
class WorkCalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "complete", "source", "note", "updated_at", "days_link")
    list_filter = ("complete", "source")
    search_fields = ("year", "note")
    readonly_fields = ("source", "updated_at")
    fields = ("year", "complete", "note", "source", "updated_at")

    @admin.display(description=_("调整日"))
    def days_link(self, obj):
        url = reverse("admin:core_workcalendarday_changelist")
        return format_html('<a href="{}?year={}">{}</a>', url, obj.year, _("查看"))

    def get_readonly_fields(self, request, obj=None):
        # The year is the primary key: changing it would create a second row.
        return (*self.readonly_fields, "year") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        obj.source = CalendarSource.MANUAL
        super().save_model(request, obj, form, change)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "is_workday", "name", "source", "updated_at")
    list_filter = (YearFilter, "is_workday", "source")
    date_hierarchy = "date"
    search_fields = ("name",)
    readonly_fields = ("source", "updated_at")
    fields = ("date", "is_workday", "name", "source", "updated_at")

    @admin.display(description=_("星期"), ordering="date")
    def weekday(self, obj):
        return _("星期%(day)s") % {"day": _WEEKDAYS[obj.date.weekday()]}

    def save_model(self, request, obj, form, change):
        obj.source = CalendarSource.MANUAL
        super().save_model(request, obj, form, change)
