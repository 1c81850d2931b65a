from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "biaozhun.search"
    label = "search"
    verbose_name = _("检索")

    def ready(self):
        from biaozhun.search import services

        services.connect_relation_hooks()
