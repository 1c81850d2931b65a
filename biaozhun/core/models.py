"""Shared abstract models, the append-only hash-chained event pieces, and the editable
Chinese work calendar."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds created_at / updated_at maintained by the database layer."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk update and delete of an append-only model (its APPEND_ONLY message)."""

    def update(self, **kwargs):
        raise TypeError(self.model.APPEND_ONLY)

    def delete(self):
        raise TypeError(self.model.APPEND_ONLY)


class ChainedEvent:
    """Mixin of an append-only event model chained by hashes (a project's or a
    consultation's trail): rows are only ever added, `hash` is the SHA-256 of the canonical
    JSON of `content()` (which includes `prev_hash`), so an edit or a deletion of an earlier
    row breaks every later link (`core.audit.verify_chains`).

    A model using it defines `APPEND_ONLY` (the refusal message), `content()`, and the fields
    `seq`, `prev_hash` and `hash`; its manager is `AppendOnlyQuerySet.as_manager()`.
    """

    APPEND_ONLY = "events are append-only"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(self.APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self.APPEND_ONLY)

    def content(self) -> dict:  # pragma: no cover - every model defines it
        raise NotImplementedError

    def compute_hash(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


class CalendarSource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", _("chinesecalendar 数据包")
    MANUAL = "manual", _("人工录入")


class WorkCalendarYear(models.Model):
    """A year whose holidays and make-up working days are known.

    Deadlines touching a year without a complete row are provisional (counted Mon–Fri).
    `updated_at` changes whenever one of the year's days changes (see workdays.py).
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=20, choices=CalendarSource.choices,
                              default=CalendarSource.MANUAL)
    complete = models.BooleanField(
        _("已完整录入"), default=True,
        help_text=_("未完整录入的年份按周一至周五计算，期限标为“暂定”。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("工作日历年份")
        verbose_name_plural = _("工作日历年份")

    def __str__(self) -> str:
        return str(self.year)


class WorkCalendarDay(models.Model):
    """An exception to the Mon–Fri rule: a weekday holiday or a make-up working weekend day."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("上班"), default=False, help_text=_("勾选：调休上班的周末；不勾选：放假的工作日。"))
    name = models.CharField(_("名称"), max_length=100, blank=True,
                            help_text=_("例如“春节”“国庆节”“调休上班（春节）”。"))
    source = models.CharField(_("来源"), max_length=20, choices=CalendarSource.choices,
                              default=CalendarSource.MANUAL)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整日")
        verbose_name_plural = _("工作日历调整日")

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date.isoformat()} {kind} {self.name}".rstrip()

    def clean(self) -> None:
        # Only exceptions are stored: a working Tuesday or a free Sunday changes nothing.
        if self.date is not None and self.is_workday is not None:
            weekend = self.date.weekday() >= 5
            if self.is_workday and not weekend:
                raise ValidationError(
                    {"is_workday": _("周一至周五本来就上班，只需录入放假的工作日。")})
            if not self.is_workday and weekend:
                raise ValidationError(
                    {"is_workday": _("周末本来就休息，只需录入调休上班的周末。")})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so that moving a day to another year also refreshes the old year's cache.
        instance._loaded_date = instance.__dict__.get("date")
        return instance
