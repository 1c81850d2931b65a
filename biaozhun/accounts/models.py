"""Users and organisations. Memberships and roles arrive with the lifecycle issue (#6)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    """Any body the catalogue names: issuer, department, drafting organisation, enterprise…

    Imports create organisations by exact name; an administrator merges spellings later.
    """

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("标准化行政主管部门")
        DEPARTMENT = "department", _("行业主管部门")
        DRAFTING = "drafting", _("起草单位")
        ENTERPRISE = "enterprise", _("企业")
        SOCIAL = "social", _("社会团体")
        INTERNATIONAL = "international", _("国际组织")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    website = models.URLField(_("网站"), blank=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
