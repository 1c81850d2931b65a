"""Public participation: consultations (comment periods), comments with their dispositions,
moderation on record, the audit trail of consultations without a project, subscriptions, and
proposals from the public."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biaozhun.accounts.models import Organization
from biaozhun.core.models import AppendOnlyQuerySet, ChainedEvent, TimeStampedModel
from biaozhun.projects.models import Project, ProjectDocument, ReviewCampaign


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Consultation(TimeStampedModel):
    """A period in which people may comment on something the administration proposes."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("标准征求意见稿")
        PLAN = "plan", _("立项计划公示")
        REVIEW = "review", _("复审结论公示")
        TARGETED = "targeted", _("定向征求意见")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("未开始")
        OPEN = "open", _("征求意见中")
        CLOSED = "closed", _("已结束")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=300)
    description = models.TextField(_("说明"), blank=True)
    administration = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                                       verbose_name=_("标准化行政主管部门"))
    project = models.ForeignKey(Project, models.PROTECT, null=True, blank=True,
                                related_name="consultations", verbose_name=_("项目"))
    campaign = models.ForeignKey(ReviewCampaign, models.PROTECT, null=True, blank=True,
                                 related_name="consultations", verbose_name=_("复审工作"))
    plan_year = models.PositiveSmallIntegerField(_("计划年度"), null=True, blank=True)
    draft = models.ForeignKey(ProjectDocument, models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("征求意见稿"))
    explanation = models.ForeignKey(ProjectDocument, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("编制说明"))
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"), db_index=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    is_public = models.BooleanField(_("公开"), default=True,
                                    help_text=_("定向征求意见不公开，仅受邀单位和专家可见"))
    invited_organizations = models.ManyToManyField(Organization, blank=True, related_name="+",
                                                   verbose_name=_("受邀单位"))
    invited_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                           related_name="invited_consultations",
                                           verbose_name=_("受邀专家"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("发起人"))
    comment_count = models.PositiveIntegerField(_("意见数"), default=0, editable=False)
    # Rows of its ConsultationEvent chain: finds a deleted last event (verify_audit).
    event_count = models.PositiveIntegerField(_("事件数"), default=0, editable=False)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["-opens_on", "-id"]
        constraints = [
            # One open draft consultation per project at a time (a second round reopens).
            models.UniqueConstraint(fields=["project"], condition=Q(closed_at__isnull=True),
                                    name="one_open_consultation_per_project"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", args=[self.pk])

    def state_on(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.closed_at is not None or today > self.closes_on:
            return self.State.CLOSED
        if today < self.opens_on:
            return self.State.SCHEDULED
        return self.State.OPEN

    @property
    def state(self) -> str:
        return self.state_on()

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @property
    def days_left(self) -> int:
        return max((self.closes_on - timezone.localdate()).days, 0)


class Comment(models.Model):
    """One comment, in the columns of the IEC comment form, and its disposition."""

    class Type(models.TextChoices):
        GENERAL = "general", _("一般性")
        TECHNICAL = "technical", _("技术性")
        EDITORIAL = "editorial", _("编辑性")

    class CommenterType(models.TextChoices):
        INDIVIDUAL = "individual", _("个人")
        ENTERPRISE = "enterprise", _("企业")
        ASSOCIATION = "association", _("社会团体")
        INSTITUTION = "institution", _("科研检测机构")
        GOVERNMENT = "government", _("政府部门")
        EXPERT = "expert", _("专家")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("采纳")
        PARTLY = "partly", _("部分采纳")
        NOT_ACCEPTED = "not_accepted", _("不采纳")

    consultation = models.ForeignKey(Consultation, models.PROTECT, related_name="comments")
    number = models.PositiveIntegerField(_("序号"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                               blank=True, related_name="comments", verbose_name=_("提交人"))
    name = models.CharField(_("姓名"), max_length=100)
    organization = models.CharField(_("单位"), max_length=200, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    commenter_type = models.CharField(_("提出方类型"), max_length=12,
                                      choices=CommenterType.choices,
                                      default=CommenterType.INDIVIDUAL)
    show_name = models.BooleanField(_("公开姓名和单位"), default=False)
    clause = models.CharField(_("章条号"), max_length=60, blank=True)
    paragraph = models.CharField(_("段落/图/表"), max_length=60, blank=True)
    type = models.CharField(_("意见类型"), max_length=10, choices=Type.choices,
                            default=Type.GENERAL)
    text = models.TextField(_("意见"))
    proposed_change = models.TextField(_("修改建议"), blank=True)
    reason = models.TextField(_("理由"), blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    # Guests confirm their e-mail address before the comment counts.
    verified_at = models.DateTimeField(_("邮箱确认时间"), null=True, blank=True)
    receipt = models.CharField(_("回执码"), max_length=40, unique=True, default=new_token)
    client_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    hidden_at = models.DateTimeField(_("屏蔽时间"), null=True, blank=True)
    hidden_reason = models.CharField(_("屏蔽理由"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("屏蔽人"))

    duplicate_of = models.ForeignKey("self", models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates", verbose_name=_("同类意见"))
    decision = models.CharField(_("处理意见"), max_length=12, choices=Decision.choices,
                                blank=True)
    decision_reason = models.TextField(_("处理理由"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("处理人"))
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")
        ordering = ["consultation_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"],
                                    name="comment_number_unique"),
        ]
        indexes = [
            models.Index(fields=["consultation", "verified_at", "hidden_at"],
                         name="comment_visible"),
            models.Index(fields=["client_ip", "submitted_at"], name="comment_ip_time"),
            models.Index(fields=["author", "submitted_at"], name="comment_author_time"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}-{self.number}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_answered(self) -> bool:
        return bool(self.decision)

    @property
    def public_name(self) -> str:
        """The commenter as the public may see them: named only when they agreed."""
        if self.show_name:
            return f"{self.name}（{self.organization}）" if self.organization else self.name
        return str(self.CommenterType(self.commenter_type).label)

    def get_receipt_url(self) -> str:
        return reverse("consultations:receipt", args=[self.receipt])


def _attachment_path(instance: "CommentAttachment", filename: str) -> str:
    return (f"comments/{instance.comment.consultation_id}/{instance.comment_id}/"
            f"{instance.sha256[:16]}.{instance.extension}")


class CommentAttachment(models.Model):
    comment = models.ForeignKey(Comment, models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    extension = models.CharField(_("格式"), max_length=8)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("意见附件")
        verbose_name_plural = _("意见附件")

    def __str__(self) -> str:
        return self.original_name


class ModerationAction(models.Model):
    """Hiding or showing a comment again, with the reason on record. Nothing is deleted."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("屏蔽")
        RESTORED = "restored", _("恢复显示")

    comment = models.ForeignKey(Comment, models.CASCADE, related_name="moderation")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("理由"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                           verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.reason}"


class ConsultationEvent(ChainedEvent, models.Model):
    """An append-only record of what was done with a consultation that has no project (plan,
    review, targeted), chained by hashes like `projects.ProjectEvent`; a project's draft
    consultation is recorded in the project's chain instead.

    `hash` = SHA-256 of the canonical JSON of this row's content and `prev_hash`, so any edit
    or deletion of an earlier row breaks every later link (`biaozhun verify_audit`).
    """

    class Kind(models.TextChoices):
        OPENED = "opened", _("发起征求意见")
        CLOSED = "closed", _("征求意见结束")
        COMMENT_ANSWERED = "comment_answered", _("处理意见")
        DUPLICATES_GROUPED = "duplicates_grouped", _("合并同类意见")
        COMMENT_HIDDEN = "comment_hidden", _("屏蔽意见")
        COMMENT_RESTORED = "comment_restored", _("恢复显示意见")

    consultation = models.ForeignKey(Consultation, models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    APPEND_ONLY = "consultation events are append-only"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("征求意见事件")
        verbose_name_plural = _("征求意见事件")
        ordering = ["consultation_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "seq"],
                                    name="consultation_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()}"

    def content(self) -> dict:
        """What the hash covers (everything but the hash itself)."""
        return {
            "consultation": self.consultation_id, "seq": self.seq, "kind": self.kind,
            "actor": self.actor_id, "actor_label": self.actor_label,
            "at": self.at.isoformat(timespec="microseconds"), "note": self.note,
            "payload": self.payload, "prev": self.prev_hash,
        }



class Subscription(models.Model):
    """E-mail notice of new consultations, per category; double opt-in, one-click out."""

    class Category(models.TextChoices):
        ALL = "all", _("全部")
        DRAFT = "draft", _("标准征求意见稿")
        PLAN = "plan", _("立项计划公示")
        REVIEW = "review", _("复审结论公示")

    email = models.EmailField(_("电子邮箱"))
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # Confirmation mail is re-sent at most once per SUBSCRIPTION_RESEND_MINUTES, so the form
    # cannot be used to flood an address that never asked.
    confirmation_sent_at = models.DateTimeField(_("确认邮件发送时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        constraints = [
            models.UniqueConstraint(fields=["email", "category"], name="subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.email}（{self.get_category_display()}）"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class PublicProposal(TimeStampedModel):
    """A proposal for a new local standard from anyone (公开征集立项建议)."""

    class State(models.TextChoices):
        RECEIVED = "received", _("已收到")
        ACCEPTED = "accepted", _("已立项申请")
        DECLINED = "declined", _("不予采纳")

    title = models.CharField(_("建议的标准名称"), max_length=300)
    scope = models.TextField(_("范围和主要技术内容"))
    reasons = models.TextField(_("理由和依据"))
    administration = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                                       verbose_name=_("向哪个主管部门提出"))
    proposer_name = models.CharField(_("建议人"), max_length=100)
    proposer_organization = models.CharField(_("单位"), max_length=200, blank=True)
    email = models.EmailField(_("电子邮箱"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("提交人"))
    novelty = models.JSONField(_("查新结果"), default=list, blank=True)
    receipt = models.CharField(_("回执码"), max_length=40, unique=True, default=new_token)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.RECEIVED, db_index=True)
    decision_reason = models.TextField(_("处理说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    project = models.ForeignKey(Project, models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("转为项目"))
    client_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("立项建议")
        verbose_name_plural = _("立项建议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_receipt_url(self) -> str:
        return reverse("consultations:proposal_receipt", args=[self.receipt])
