"""Local standard projects: the project, its jurisdictions, documents, deadlines, votes,
numbering, reviews (复审) and the append-only, hash-chained event trail."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biaozhun.accounts.models import Organization
from biaozhun.catalog.models import Nature, ReviewConclusion, Standard
from biaozhun.core.models import AppendOnlyQuerySet, ChainedEvent, TimeStampedModel
from biaozhun.projects.stages import STAGE_CODES, TERMINAL, Stage


class Project(TimeStampedModel):
    """One local standard being made or revised, from proposal to filing."""

    class Kind(models.TextChoices):
        NEW = "new", _("制定")
        REVISION = "revision", _("修订")

    class Numbering(models.TextChoices):
        SHARED = "shared", _("共用一个编号")
        EACH = "each", _("各方分别编号")

    reference = models.CharField(_("项目编号"), max_length=20, unique=True, null=True,
                                 blank=True)
    title = models.CharField(_("标准名称"), max_length=500)
    title_en = models.CharField(_("英文名称"), max_length=500, blank=True)
    scope = models.TextField(_("范围和主要技术内容"), blank=True)
    reasons = models.TextField(_("立项理由"), blank=True)
    kind = models.CharField(_("制修订"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    nature = models.CharField(_("标准性质"), max_length=12, choices=Nature.choices,
                              default=Nature.RECOMMENDED)
    revises = models.ForeignKey(Standard, models.PROTECT, null=True, blank=True,
                                related_name="revision_projects", verbose_name=_("被修订标准"))

    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices,
                             default=Stage.PROPOSED, db_index=True)
    stage_code = models.CharField(_("阶段代码"), max_length=5, default=STAGE_CODES[Stage.PROPOSED])
    stage_entered_at = models.DateTimeField(_("进入本阶段时间"), null=True, blank=True)

    administration = models.ForeignKey(
        Organization, models.PROTECT, related_name="led_projects",
        verbose_name=_("主管部门（牵头）"),
        help_text=_("标准化行政主管部门；联合标准时为牵头方"))
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                 blank=True, related_name="proposed_projects",
                                 verbose_name=_("申请人"))
    proposing_unit = models.ForeignKey(Organization, models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("提出单位"))
    competent_department = models.ForeignKey(
        Organization, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("行业主管部门"))
    drafting_orgs = models.ManyToManyField(Organization, blank=True, related_name="+",
                                           verbose_name=_("起草单位"))
    committee = models.ForeignKey(Organization, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("归口技术委员会"))
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                       related_name="review_panels",
                                       verbose_name=_("审查专家"))
    numbering = models.CharField(_("联合标准编号方式"), max_length=10,
                                 choices=Numbering.choices, default=Numbering.SHARED)

    plan_year = models.PositiveSmallIntegerField(_("计划年度"), null=True, blank=True)
    comment_opens_on = models.DateField(_("征求意见开始"), null=True, blank=True)
    comment_closes_on = models.DateField(_("征求意见截止"), null=True, blank=True)
    review_round = models.PositiveSmallIntegerField(_("审查轮次"), default=1)

    sequence = models.PositiveIntegerField(_("顺序号"), null=True, blank=True)
    issuer = models.CharField(_("标准代号"), max_length=20, blank=True)
    code = models.CharField(_("标准号"), max_length=120, blank=True)
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    effective_on = models.DateField(_("实施日期"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    standard = models.ForeignKey(Standard, models.SET_NULL, null=True, blank=True,
                                 related_name="projects", verbose_name=_("发布的标准"))

    novelty = models.JSONField(_("查新结果"), default=list, blank=True)
    novelty_checked_at = models.DateTimeField(_("查新时间"), null=True, blank=True)
    event_count = models.PositiveIntegerField(_("事件数"), default=0, editable=False)

    class Meta:
        verbose_name = _("地方标准项目")
        verbose_name_plural = _("地方标准项目")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "-created_at"], name="project_stage_created"),
            models.Index(fields=["administration", "stage"], name="project_admin_stage"),
            models.Index(fields=["-updated_at"], name="project_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or '—'} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.stage in TERMINAL

    @property
    def is_joint(self) -> bool:
        return len(self.jurisdiction_list) > 1

    @property
    def jurisdiction_list(self) -> list["Jurisdiction"]:
        # Cached per instance; pages prefetch `jurisdictions`.
        cache = getattr(self, "_jurisdictions", None)
        if cache is None:
            cache = list(self.jurisdictions.all())
            self._jurisdictions = cache
        return cache


class Jurisdiction(models.Model):
    """An administration taking part in a project; a joint regional standard has several,
    each approving on its own; with separate numbering each records its own number."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="jurisdictions")
    administration = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                                       verbose_name=_("标准化行政主管部门"))
    is_lead = models.BooleanField(_("牵头"), default=False)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("批准人"))
    sequence = models.PositiveIntegerField(_("顺序号"), null=True, blank=True)
    code = models.CharField(_("本方标准号"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("参与地区")
        verbose_name_plural = _("参与地区")
        ordering = ["-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "administration"],
                                    name="jurisdiction_once_per_project"),
        ]

    def __str__(self) -> str:
        return str(self.administration)


class DocumentKind(models.TextChoices):
    PROPOSAL_FORM = "proposal_form", _("立项申请书")
    COMMENT_DRAFT = "comment_draft", _("征求意见稿")
    EXPLANATION = "explanation", _("编制说明")
    DISPOSITION_TABLE = "disposition_table", _("意见汇总处理表")
    REVIEW_DRAFT = "review_draft", _("送审稿")
    REVIEW_MINUTES = "review_minutes", _("审查会议纪要")
    APPROVAL_DRAFT = "approval_draft", _("报批稿")
    APPROVAL_FORM = "approval_form", _("报批申请表")
    PUBLISHED_TEXT = "published_text", _("发布稿")
    OTHER = "other", _("其他材料")


def _document_path(instance: "ProjectDocument", filename: str) -> str:
    # The stored name never comes from the user; the original name is kept in a field.
    return (f"projects/{instance.project_id}/{instance.kind}-v{instance.version}-"
            f"{instance.sha256[:12]}.{instance.extension}")


class ProjectDocument(models.Model):
    """One version of one kind of document; versions are kept, never overwritten."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("版本"))
    file = models.FileField(_("文件"), upload_to=_document_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    extension = models.CharField(_("格式"), max_length=8)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目材料")
        verbose_name_plural = _("项目材料")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "version"],
                                    name="document_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Deadline(models.Model):
    """A dated obligation of a project; open until met, marked overdue by the daily run."""

    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("立项评估")
        DRAFTING = "drafting", _("完成起草（计划期限）")
        COMMENT_PERIOD = "comment_period", _("征求意见截止")
        APPROVAL = "approval", _("批准决定")
        FILING = "filing", _("备案")
        PUBLIC_TEXT = "public_text", _("文本公开")

    project = models.ForeignKey(Project, models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("期限"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("截止日期"), db_index=True)
    provisional = models.BooleanField(
        _("暂定"), default=False,
        help_text=_("计算涉及尚未录入节假日安排的年份，按周一至周五计算"))
    basis = models.CharField(_("计算依据"), max_length=100, blank=True)
    # What the date was computed from, so a provisional date can be recomputed once the
    # holidays of its year are entered (blank for dates set by hand).
    period = models.CharField(_("期限名称"), max_length=40, blank=True)
    starts_on = models.DateField(_("起算日"), null=True, blank=True)
    responsible = models.ForeignKey(Organization, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("责任单位"))
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    overdue_since = models.DateField(_("逾期日期"), null=True, blank=True)
    reminded_on = models.DateField(_("提醒日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], condition=Q(met_at__isnull=True),
                                    name="one_open_deadline_per_kind"),
        ]
        indexes = [
            models.Index(fields=["met_at", "due_on"], name="deadline_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class ExtensionRequest(models.Model):
    """A request to move a plan deadline, made before it passes; decided by the administration."""

    class State(models.TextChoices):
        PENDING = "pending", _("待决定")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("不同意")

    project = models.ForeignKey(Project, models.CASCADE, related_name="extension_requests")
    deadline = models.ForeignKey(Deadline, models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    current_due_on = models.DateField(_("原截止日期"))
    requested_due_on = models.DateField(_("申请延至"))
    reason = models.TextField(_("理由"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定说明"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.current_due_on} → {self.requested_due_on}"


class ReviewVote(models.Model):
    """An expert's attendance and vote at a technical review meeting (one per round)."""

    class Choice(models.TextChoices):
        APPROVE = "approve", _("同意")
        DISAPPROVE = "disapprove", _("不同意")
        ABSTAIN = "abstain", _("弃权")

    project = models.ForeignKey(Project, models.CASCADE, related_name="votes")
    round = models.PositiveSmallIntegerField(_("轮次"))
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                              verbose_name=_("专家"))
    choice = models.CharField(_("表决"), max_length=10, choices=Choice.choices)
    opinion = models.TextField(_("审查意见"), blank=True)
    cast_at = models.DateTimeField(_("表决时间"), auto_now=True)

    class Meta:
        verbose_name = _("审查表决")
        verbose_name_plural = _("审查表决")
        constraints = [
            models.UniqueConstraint(fields=["project", "round", "voter"],
                                    name="one_vote_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id}: {self.choice}"


class NumberSequence(models.Model):
    """The last sequence number used by an issuer code such as ``DB43/T`` or ``DB4301/T``.

    Rows are locked while a number is allocated, inside the approving transaction, so numbers
    stay unique and gapless; a rolled-back approval gives its number back.
    """

    issuer = models.CharField(_("标准代号"), max_length=20, unique=True)
    last_sequence = models.PositiveIntegerField(_("已用最大顺序号"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        ordering = ["issuer"]

    def __str__(self) -> str:
        return f"{self.issuer} {self.last_sequence}"


class NumberAdjustment(models.Model):
    """An administrator's change to a sequence, with the reason on record."""

    sequence = models.ForeignKey(NumberSequence, models.CASCADE, related_name="adjustments")
    from_value = models.PositiveIntegerField(_("原值"))
    to_value = models.PositiveIntegerField(_("新值"))
    reason = models.TextField(_("理由"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                           verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("编号调整记录")
        verbose_name_plural = _("编号调整记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.from_value} → {self.to_value}"


class ReviewCampaign(TimeStampedModel):
    """A round of 复审 of the local standards an administration issued."""

    title = models.CharField(_("名称"), max_length=200)
    administration = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                                       verbose_name=_("标准化行政主管部门"))
    as_of = models.DateField(_("基准日期"))
    closes_on = models.DateField(_("完成期限"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("复审工作")
        verbose_name_plural = _("复审工作")
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return self.title


class StandardReview(models.Model):
    """One standard in a review campaign and, once decided, its conclusion."""

    campaign = models.ForeignKey(ReviewCampaign, models.CASCADE, related_name="reviews")
    standard = models.ForeignKey(Standard, models.PROTECT, related_name="reviews")
    due_on = models.DateField(_("应复审日期"))
    conclusion = models.CharField(_("复审结论"), max_length=10, blank=True,
                                  choices=ReviewConclusion.choices)
    decided_on = models.DateField(_("结论日期"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("决定人"))
    note = models.TextField(_("说明"), blank=True)
    revision_project = models.ForeignKey(Project, models.SET_NULL, null=True, blank=True,
                                         related_name="+", verbose_name=_("修订项目"))

    class Meta:
        verbose_name = _("标准复审")
        verbose_name_plural = _("标准复审")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "standard"],
                                    name="review_once_per_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.conclusion or '—'}"


class EventKind(models.TextChoices):
    PROPOSED = "proposed", _("提交立项申请")
    EVALUATED = "evaluated", _("完成立项评估")
    STAGE_CHANGED = "stage_changed", _("阶段变更")
    DOCUMENT_UPLOADED = "document_uploaded", _("上传材料")
    DEADLINE_SET = "deadline_set", _("设定期限")
    DEADLINE_MISSED = "deadline_missed", _("期限逾期")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_GRANTED = "extension_granted", _("同意延期")
    EXTENSION_REFUSED = "extension_refused", _("不同意延期")
    PARTICIPANTS_CHANGED = "participants_changed", _("调整参与单位或专家")
    VOTE_CAST = "vote_cast", _("专家表决")
    JURISDICTION_APPROVED = "jurisdiction_approved", _("批准")
    NUMBER_ALLOCATED = "number_allocated", _("分配编号")
    PUBLISHED = "published", _("发布")
    FILED = "filed", _("备案")
    NOTE_ADDED = "note_added", _("备注")
    CONSULTATION_OPENED = "consultation_opened", _("开始征求意见")
    CONSULTATION_CLOSED = "consultation_closed", _("征求意见结束")
    COMMENT_ANSWERED = "comment_answered", _("处理意见")
    COMMENT_HIDDEN = "comment_hidden", _("屏蔽意见")
    COMMENT_RESTORED = "comment_restored", _("恢复显示意见")


class ProjectEvent(ChainedEvent, models.Model):
    """An append-only record of what happened to a project, chained by hashes.

    `hash` = SHA-256 of the canonical JSON of this row's content and `prev_hash`, so any edit
    or deletion of an earlier row breaks every later link (`biaozhun verify_audit`).
    """

    project = models.ForeignKey(Project, models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    from_stage = models.CharField(_("原阶段"), max_length=20, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    APPEND_ONLY = "project events are append-only"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目事件")
        verbose_name_plural = _("项目事件")
        ordering = ["project_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="event_seq_unique"),
        ]
        indexes = [models.Index(fields=["-at"], name="event_at")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()}"

    def content(self) -> dict:
        """What the hash covers (everything but the hash itself)."""
        return {
            "project": self.project_id, "seq": self.seq, "kind": self.kind,
            "actor": self.actor_id, "actor_label": self.actor_label,
            "at": self.at.isoformat(timespec="microseconds"),
            "from": self.from_stage, "to": self.to_stage, "note": self.note,
            "payload": self.payload, "prev": self.prev_hash,
        }
