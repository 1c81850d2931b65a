"""The full-text index over catalog_standard.search_text (SQLite FTS5 + triggers; PostgreSQL
GIN). The DDL lives in biaozhun/search/index.py, shared with `biaozhun rebuild_search_index`."""

from django.db import migrations


def install(apps, schema_editor):
    from biaozhun.search import index

    index.install()


def uninstall(apps, schema_editor):
    from biaozhun.search import index

    index.uninstall()


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_standard_search_text"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
