from django.apps import AppConfig


class ValidityConfig(AppConfig):
    name = "biaozhun.validity"
    label = "validity"
    verbose_name = "标准有效性核查"
