"""PostgreSQL only: byte-order collation for code columns, NULLS LAST date indexes.

Prefix filters are written as ranges (`code >= 'GB/T ' AND code < 'GB/T0'`) so that a B-tree
index answers them. Under a linguistic collation (en_US.UTF-8, zh_CN.UTF-8 …) spaces and
slashes are ignored at the first level and such ranges match the wrong rows; "C" orders by
bytes, as SQLite's default BINARY collation does.
"""

from django.db import migrations

COLUMNS = [
    ("catalog_standard", "code", 120),
    ("catalog_standard", "code_norm", 120),
    ("catalog_standard", "undated_norm", 120),
    ("catalog_standard", "prefix", 40),
    ("catalog_icsclass", "code", 20),
    ("catalog_ccsclass", "code", 20),
]


# "Newest first" sorts put undated editions last (DESC NULLS LAST). PostgreSQL's DESC index
# order is NULLS FIRST, so these need their own indexes; SQLite's DESC already puts NULLs
# last and uses the plain indexes of 0002.
DATE_INDEXES = {
    "std_pg_issued_nl": "(issued_on DESC NULLS LAST, code)",
    "std_pg_status_issued_nl": "(status, issued_on DESC NULLS LAST, code)",
    "std_pg_level_issued_nl": "(level, issued_on DESC NULLS LAST, code)",
    "std_pg_effective_nl": "(effective_on DESC NULLS LAST, code)",
}


def to_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, length in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "C"')
    for name, columns in DATE_INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON catalog_standard {columns}')


def to_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in DATE_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    for table, column, length in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) '
            f'COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_list_indexes")]
    operations = [migrations.RunPython(to_c, to_default)]
