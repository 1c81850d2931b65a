"""The catalogue: one row per edition of a standard, its relations and classifications."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biaozhun.accounts.models import Organization
from biaozhun.core.models import TimeStampedModel


class Level(models.TextChoices):
    NATIONAL = "national", _("国家标准")
    INDUSTRY = "industry", _("行业标准")
    LOCAL = "local", _("地方标准")
    GROUP = "group", _("团体标准")
    ENTERPRISE = "enterprise", _("企业标准")
    INTERNATIONAL = "international", _("国际标准")
    FOREIGN = "foreign", _("国外标准")


class Nature(models.TextChoices):
    MANDATORY = "mandatory", _("强制性")
    RECOMMENDED = "recommended", _("推荐性")
    GUIDANCE = "guidance", _("指导性")


class Status(models.TextChoices):
    UPCOMING = "upcoming", _("即将实施")
    CURRENT = "current", _("现行")
    SUPERSEDED = "superseded", _("被代替")
    ABOLISHED = "abolished", _("废止")


class ReviewConclusion(models.TextChoices):
    CONFIRM = "confirm", _("继续有效")
    REVISE = "revise", _("修订")
    ABOLISH = "abolish", _("废止")


class ClassificationBase(models.Model):
    """A node of a classification tree; `code` is the official notation."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    title_zh = models.CharField(_("中文名称"), max_length=200, blank=True)
    depth = models.PositiveSmallIntegerField(_("层级"), default=1)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    @property
    def title(self) -> str:
        return self.title_zh or getattr(self, "title_en", "")


class ICSClass(ClassificationBase):
    """International Classification for Standards: `01`, `01.120`, `01.120.10`."""

    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("上级"))
    title_en = models.CharField(_("英文名称"), max_length=300, blank=True)

    class Meta(ClassificationBase.Meta):
        verbose_name = _("ICS 分类")
        verbose_name_plural = _("ICS 分类")

    def get_absolute_url(self) -> str:
        return reverse("catalog:ics_detail", args=[self.code])


class CCSClass(ClassificationBase):
    """中国标准文献分类法: one letter (level 1), letter + two digits (levels 2 and 3)."""

    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("上级"))
    notes = models.TextField(_("说明"), blank=True)

    class Meta(ClassificationBase.Meta):
        verbose_name = _("CCS 分类")
        verbose_name_plural = _("CCS 分类")

    def get_absolute_url(self) -> str:
        return reverse("catalog:ccs_detail", args=[self.code])


class Region(models.Model):
    """GB/T 2260 administrative division; validates local standard numbers (DB31, DB4301)."""

    code = models.CharField(_("代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    edition = models.CharField(_("版本"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryCode(models.Model):
    """行业标准代号 (JB, YY, HJ …) with the industry and the ministry that administers it."""

    code = models.CharField(_("代号"), max_length=10, unique=True)
    industry = models.CharField(_("行业"), max_length=100)
    ministry = models.CharField(_("主管部门"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("行业标准代号")
        verbose_name_plural = _("行业标准代号")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.industry}"


class TechnicalCommittee(TimeStampedModel):
    """A standardisation technical committee (归口单位), e.g. SAC/TC 1."""

    code = models.CharField(_("编号"), max_length=40, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=200, unique=True)
    secretariat = models.ForeignKey(Organization, models.SET_NULL, null=True, blank=True,
                                    verbose_name=_("秘书处承担单位"))

    class Meta:
        verbose_name = _("标准化技术委员会")
        verbose_name_plural = _("标准化技术委员会")
        ordering = ["code", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("catalog:committee_detail", args=[self.pk])


class ImportRun(TimeStampedModel):
    """One import of a file: the provenance of the rows it wrote and, for admin uploads, the job."""

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    source_name = models.CharField(_("文件名"), max_length=255)
    upload = models.FileField(_("上传文件"), upload_to="imports/%Y/%m/", blank=True)
    kind = models.CharField(_("数据类型"), max_length=30, blank=True)
    skip_invalid = models.BooleanField(_("跳过无效行"), default=False)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒绝"), default=0)
    dangling_count = models.PositiveIntegerField(_("未解析的关联"), default=0)
    report = models.JSONField(_("报告"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, verbose_name=_("发起人"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_name}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state in (self.State.SUCCEEDED, self.State.FAILED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class Standard(TimeStampedModel):
    """One edition of a standard. `code` is canonical (biaozhun.codes); `code_norm` the key.

    `status` is derived by `catalog.status.derive_status` from dates and relations and stored
    for querying; `refresh_status` recomputes it daily. `declared_status` keeps what the source
    said, used only where dates are missing.
    """

    code = models.CharField(_("标准号"), max_length=120, unique=True)
    code_norm = models.CharField(_("标准号键"), max_length=120, unique=True)
    undated_norm = models.CharField(_("不带年号的键"), max_length=120, db_index=True)
    level = models.CharField(_("标准级别"), max_length=16, choices=Level.choices, db_index=True)
    nature = models.CharField(_("标准性质"), max_length=12, choices=Nature.choices, blank=True)
    prefix = models.CharField(_("代号"), max_length=40, db_index=True)
    issuer_code = models.CharField(_("发布机构代号"), max_length=40, blank=True)
    number = models.CharField(_("顺序号"), max_length=60)
    part = models.CharField(_("部分"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("年号"), null=True, blank=True, db_index=True)
    amendment = models.CharField(_("修改单"), max_length=40, blank=True)
    edition_note = models.CharField(_("版本说明"), max_length=40, blank=True)

    title_zh = models.CharField(_("中文标准名称"), max_length=500, blank=True)
    title_en = models.CharField(_("英文标准名称"), max_length=800, blank=True)
    scope = models.TextField(_("适用范围"), blank=True)

    issued_on = models.DateField(_("发布日期"), null=True, blank=True, db_index=True)
    effective_on = models.DateField(_("实施日期"), null=True, blank=True, db_index=True)
    abolished_on = models.DateField(_("废止日期"), null=True, blank=True)
    first_issued_on = models.DateField(_("首次发布日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("复审日期"), null=True, blank=True)
    review_conclusion = models.CharField(_("复审结论"), max_length=10, blank=True,
                                         choices=ReviewConclusion.choices)

    ics = models.ManyToManyField(ICSClass, blank=True, related_name="standards",
                                 verbose_name=_("ICS 分类"))
    ccs = models.ForeignKey(CCSClass, models.SET_NULL, null=True, blank=True,
                            related_name="standards", verbose_name=_("CCS 分类"))
    issuing_bodies = models.ManyToManyField(Organization, blank=True, related_name="issued",
                                            verbose_name=_("发布单位"))
    competent_department = models.ForeignKey(
        Organization, models.SET_NULL, null=True, blank=True, related_name="supervised",
        verbose_name=_("主管部门"))
    proposing_unit = models.ForeignKey(
        Organization, models.SET_NULL, null=True, blank=True, related_name="proposed",
        verbose_name=_("提出单位"))
    committee = models.ForeignKey(TechnicalCommittee, models.SET_NULL, null=True, blank=True,
                                  related_name="standards", verbose_name=_("归口单位"))
    drafting_orgs = models.ManyToManyField(Organization, blank=True, related_name="drafted",
                                           verbose_name=_("起草单位"))
    drafters = models.TextField(_("起草人"), blank=True)

    text_file = models.FileField(_("标准文本"), upload_to="texts/", blank=True)
    public_text = models.BooleanField(_("文本公开"), default=False,
                                      help_text=_("勾选后任何人可免费在线阅读和下载文本。"))

    declared_status = models.CharField(_("来源标注状态"), max_length=12, blank=True,
                                       choices=Status.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.CURRENT, db_index=True)
    pending_change_on = models.DateField(
        _("待生效变更日期"), null=True, blank=True,
        help_text=_("现行标准的代替标准已发布尚未实施（或已公布废止日期）时，变更生效的日期。"))

    is_sample = models.BooleanField(_("示例数据"), default=False)
    is_synthetic = models.BooleanField(_("合成数据"), default=False, db_index=True)
    import_run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True,
                                   related_name="standards", verbose_name=_("来源导入"))
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    # Index tokens (biaozhun.core.text.search_text) of the code, titles, scope, organisations
    # and committee; the search app indexes this column (FTS5 / GIN). Filled by every writer.
    search_text = models.TextField(_("检索文本"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("标准")
        verbose_name_plural = _("标准")
        ordering = ["code"]
        indexes = [
            # The list page filters by level and/or status and sorts by code or date; these
            # let SQLite and PostgreSQL read the first page straight from an index at 1M rows.
            models.Index(fields=["status", "level", "code"], name="std_status_level_code"),
            models.Index(fields=["level", "code"], name="std_level_code"),
            models.Index(fields=["status", "code"], name="std_status_code"),
            models.Index(fields=["status", "-issued_on"], name="std_status_issued"),
            # Cover the issuer (a range of `code`, checked against `prefix`) + year filters and
            # level + nature, so that counting matches never reads the table.
            models.Index(fields=["code", "prefix", "year"], name="std_code_prefix_year"),
            models.Index(fields=["level", "nature", "code"], name="std_level_nature_code"),
            models.Index(fields=["level", "-issued_on"], name="std_level_issued"),
            models.Index(fields=["-issued_on", "code"], name="std_issued_code"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        # Admin and ORM edits keep the search column current; bulk writers fill it themselves.
        self.search_text = self.compute_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def compute_search_text(self) -> str:
        """The search column from this edition's fields and its related names (if saved)."""
        from biaozhun.core.text import search_text

        names: list[str] = []
        if self.pk:
            names += [o.name for o in self.issuing_bodies.all()]
            names += [o.name for o in self.drafting_orgs.all()]
        for related in ("competent_department", "proposing_unit", "committee"):
            if getattr(self, f"{related}_id"):
                names.append(str(getattr(self, related).name))
        if self.committee_id and self.committee.code:
            names.append(self.committee.code)
        return search_text(self.code, self.title_zh, self.title_en, self.scope, *names)

    def get_absolute_url(self) -> str:
        return reverse("catalog:standard_detail", args=[self.code])

    @property
    def display_code(self) -> str:
        """Typographic form (em dash before a Chinese year) for pages."""
        from biaozhun import codes

        try:
            return codes.format(codes.parse(self.code), style="typographic")
        except codes.CodeError:
            return self.code

    @property
    def title(self) -> str:
        return self.title_zh or self.title_en

    @property
    def text_is_readable(self) -> bool:
        return bool(self.text_file) and self.public_text


class RelationKind(models.TextChoices):
    REPLACES = "replaces", _("代替")
    PARTIALLY_REPLACES = "partially_replaces", _("部分代替")
    AMENDS = "amends", _("修改")


class StandardRelation(models.Model):
    """`source` replaces / partially replaces / amends `target`.

    Either end may be missing from the catalogue (a dangling reference): the code is always
    kept and the foreign key is filled when that edition is imported.
    """

    kind = models.CharField(_("关系"), max_length=20, choices=RelationKind.choices)
    source = models.ForeignKey(Standard, models.CASCADE, null=True, blank=True,
                               related_name="relations_out")
    source_code = models.CharField(_("新标准号"), max_length=120)
    source_code_norm = models.CharField(max_length=120, db_index=True)
    target = models.ForeignKey(Standard, models.CASCADE, null=True, blank=True,
                               related_name="relations_in")
    target_code = models.CharField(_("被代替/被修改标准号"), max_length=120)
    target_code_norm = models.CharField(max_length=120, db_index=True)
    import_run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True,
                                   related_name="relations")

    class Meta:
        verbose_name = _("标准关系")
        verbose_name_plural = _("标准关系")
        constraints = [
            models.UniqueConstraint(fields=["source_code_norm", "target_code_norm", "kind"],
                                    name="relation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_code} {self.get_kind_display()} {self.target_code}"


class AdoptionDegree(models.TextChoices):
    IDT = "IDT", _("等同采用")
    MOD = "MOD", _("修改采用")
    NEQ = "NEQ", _("非等效采用")
    EQV = "EQV", _("等效采用")


class Adoption(models.Model):
    """A Chinese standard adopts an international or foreign standard (采标)."""

    standard = models.ForeignKey(Standard, models.CASCADE, related_name="adoptions")
    adopted_code = models.CharField(_("采用的标准"), max_length=120)
    adopted_code_norm = models.CharField(max_length=120, db_index=True)
    degree = models.CharField(_("一致性程度"), max_length=3, choices=AdoptionDegree.choices,
                              blank=True)

    class Meta:
        verbose_name = _("采标")
        verbose_name_plural = _("采标")
        constraints = [
            models.UniqueConstraint(fields=["standard", "adopted_code_norm"],
                                    name="adoption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.adopted_code} {self.degree}".strip()


class StandardAlias(models.Model):
    """Another number under which the same edition was issued, e.g. each party's own number
    of a joint regional standard (联合地方标准). Looking the alias up leads to the edition."""

    standard = models.ForeignKey(Standard, models.CASCADE, related_name="aliases")
    code = models.CharField(_("标准号"), max_length=120)
    code_norm = models.CharField(max_length=120, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("同一标准的其他编号")
        verbose_name_plural = _("同一标准的其他编号")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        from biaozhun import codes

        self.code_norm = codes.code_norm(self.code)
        super().save(*args, **kwargs)
