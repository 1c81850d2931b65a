"""Users, organisations, memberships, sign-in attempts and API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biaozhun.accounts.validators import (
    normalize_credit_code,
    validate_credit_code,
    validate_region_code,
)
from biaozhun.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in. Custom from day one so later fields need no model swap."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class Organization(TimeStampedModel):
    """Any body the catalogue or a workflow names: issuer, department, drafting organisation,
    committee, enterprise… Imports create organisations by exact name; an administrator merges
    spellings later. Enterprises must carry a valid unified social credit code.
    """

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("标准化行政主管部门")
        DEPARTMENT = "department", _("行业主管部门")
        DRAFTING = "drafting", _("起草单位")
        COMMITTEE = "committee", _("标准化技术委员会")
        ENTERPRISE = "enterprise", _("企业")
        SOCIAL = "social", _("社会团体")
        INTERNATIONAL = "international", _("国际组织")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    website = models.URLField(_("网站"), blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code],
        help_text=_("18 位，GB 32100；企业必填。"))
    region_code = models.CharField(
        _("行政区划代码"), max_length=6, blank=True, validators=[validate_region_code],
        help_text=_("行政主管部门所辖行政区划（GB/T 2260），如 430000 湖南省、430100 长沙市。"))

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""),
                name="accounts_organization_credit_code_unique",
                violation_error_message=_("已有机构使用该统一社会信用代码。")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def local_issuer_code(self) -> str:
        """The region part of a local standard number: 430000 → "43", 430100 → "4301"."""
        code = self.region_code
        while len(code) > 2 and code.endswith("00"):
            code = code[:-2]
        return code

    def clean_fields(self, exclude=None):
        self.credit_code = normalize_credit_code(self.credit_code)
        super().clean_fields(exclude=exclude)

    def clean(self):
        if self.kind == self.Kind.ENTERPRISE and not self.credit_code:
            raise ValidationError({"credit_code": _("企业须填写统一社会信用代码。")})


class Membership(TimeStampedModel):
    """A user's place in an organisation; object rules read active memberships only."""

    class Role(models.TextChoices):
        MEMBER = "member", _("成员")
        MANAGER = "manager", _("管理员")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("用户"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="memberships", verbose_name=_("机构"))
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"],
                                    name="accounts_membership_user_organization_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}（{self.get_role_display()}）"


class SignInAttempt(models.Model):
    """One sign-in attempt (site or admin), the ledger the lockout counts in.

    Kept in the database so every web worker sees the same counts without a shared cache.
    """

    username = models.CharField(_("用户名（小写）"), max_length=150)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    succeeded = models.BooleanField(_("成功"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["username", "at"], name="accounts_signin_user_at_idx"),
            models.Index(fields=["ip", "at"], name="accounts_signin_ip_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.ip or '-'} {'✓' if self.succeeded else '✗'}"


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the secret is stored; the secret is shown once
    when the token is created. A token works until revoked or expired."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=8)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
