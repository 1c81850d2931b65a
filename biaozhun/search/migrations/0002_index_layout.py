"""Index layout of 2026-11-24 (see biaozhun/search/index.py).

SQLite: rebuild the FTS5 table without the one-character prefix index (`prefix='1'`);
one-character queries are answered from the term range, the index is half the size and
builds in about half the time. PostgreSQL: add `search_document(doc_key, vector)`, the narrow
copy in rank order that text search reads, with its GIN index and triggers.
"""

from django.db import migrations


def relayout(apps, schema_editor):
    from biaozhun.search import index

    index.relayout()


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_search_index"),
    ]

    operations = [
        # Reversing keeps the tables as they are (today's layout is made by 0003 too).
        migrations.RunPython(relayout, migrations.RunPython.noop, elidable=False),
    ]
