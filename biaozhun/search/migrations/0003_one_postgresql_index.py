"""PostgreSQL indexes the catalogue once (2026-11-25, see biaozhun/search/index.py).

Drop the catalogue table's stored `search_vector` column, its GIN index and the rank B-tree:
text search and the novelty check both read `search_document(doc_key, vector)` now, whose
vectors the triggers compute from `search_text` plus the issuer and nature tags; add
`search_lexeme`, the per-word document counts that choose a search's plan. Both are
recreated (about a minute and a half per million editions). SQLite: nothing changes.
Reversing keeps the new layout: no code reads the old column any more.
"""

from django.db import migrations


def relayout(apps, schema_editor):
    from biaozhun.search import index

    if schema_editor.connection.vendor == "postgresql":
        index.relayout()


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_index_layout"),
    ]

    operations = [
        migrations.RunPython(relayout, migrations.RunPython.noop, elidable=False),
    ]
