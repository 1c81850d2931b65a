from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "biaozhun.catalog"
    label = "catalog"
    verbose_name = "标准目录"
