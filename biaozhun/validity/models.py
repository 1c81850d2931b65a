"""Validity checks (a report of the standards a text cites), watch lists and notifications."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biaozhun.core.models import TimeStampedModel


class RefStatus(models.TextChoices):
    """What a reference resolves to on the report's date (catalogue statuses + two of ours)."""

    CURRENT = "current", _("现行")
    UPCOMING = "upcoming", _("即将实施")
    SUPERSEDED = "superseded", _("被代替")
    ABOLISHED = "abolished", _("废止")
    NOT_FOUND = "not_found", _("未收录")
    INVALID = "invalid", _("无效标准号")


# Statuses that need the reader's attention ("problems only" filter, watch-list alerts).
PROBLEMS = frozenset([RefStatus.UPCOMING, RefStatus.SUPERSEDED, RefStatus.ABOLISHED,
                      RefStatus.NOT_FOUND, RefStatus.INVALID])


class ValidityCheck(TimeStampedModel):
    """One check of a pasted text or an uploaded file as of a date, and its report.

    The public id is a UUID: an anonymous user's report is reachable only through its link
    and is deleted after `VALIDITY_ANONYMOUS_HOURS` (`expires_at`); a signed-in user's report
    is kept and shown to that user only.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                              related_name="validity_checks", verbose_name=_("用户"))
    source_name = models.CharField(_("来源"), max_length=255)
    upload = models.FileField(_("上传文件"), upload_to="validity/%Y/%m/", blank=True)
    text = models.TextField(_("文本"), blank=True)
    as_of = models.DateField(_("核查日期"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.PENDING)
    total_units = models.PositiveIntegerField(_("总量"), default=0)
    processed_units = models.PositiveIntegerField(_("已处理"), default=0)
    reference_count = models.PositiveIntegerField(_("标准数"), default=0)
    problem_count = models.PositiveIntegerField(_("问题数"), default=0)
    report = models.JSONField(_("报告"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("有效性核查")
        verbose_name_plural = _("有效性核查")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="validity_owner_created")]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.as_of})"

    def get_absolute_url(self) -> str:
        return reverse("validity:report", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_units:
            return 0
        return min(99, round(100 * self.processed_units / self.total_units))


class WatchList(TimeStampedModel):
    """References a signed-in user follows; a change of status of any of them notifies them."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                              related_name="watch_lists", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=200)
    source_check = models.ForeignKey(ValidityCheck, models.SET_NULL, null=True, blank=True,
                                     related_name="watch_lists", verbose_name=_("来源报告"))

    class Meta:
        verbose_name = _("关注清单")
        verbose_name_plural = _("关注清单")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("validity:watch_list", args=[self.pk])


class WatchedReference(models.Model):
    """One followed reference with the state last seen (compared by `notify_watch_lists`)."""

    watch_list = models.ForeignKey(WatchList, models.CASCADE, related_name="references")
    code = models.CharField(_("标准号"), max_length=120)
    code_norm = models.CharField(max_length=120, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=RefStatus.choices)
    in_force = models.JSONField(_("现行版本"), default=list, blank=True)
    checked_on = models.DateField(_("核查日期"))

    class Meta:
        verbose_name = _("关注的标准")
        verbose_name_plural = _("关注的标准")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["watch_list", "code_norm"],
                                               name="watched_reference_unique")]

    def __str__(self) -> str:
        return self.code


class Notification(models.Model):
    """An in-app message to one user (the first kind: a watched standard changed status).

    Kept in this app while validity is its only producer; it moves to `core` when a second
    app needs to notify users.
    """

    class Kind(models.TextChoices):
        WATCH_STATUS_CHANGED = "watch_status_changed", _("关注的标准状态变化")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                             related_name="notifications", verbose_name=_("用户"))
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read")]

    def __str__(self) -> str:
        return self.title
