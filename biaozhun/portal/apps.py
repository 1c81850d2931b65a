from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "biaozhun.portal"
    label = "portal"
    verbose_name = "门户"
