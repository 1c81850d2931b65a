from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "biaozhun.projects"
    verbose_name = _("地方标准制修订")
