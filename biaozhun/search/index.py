"""The full-text index over `catalog_standard.search_text`: DDL, rebuild and refresh.

SQLite: an FTS5 external-content table whose rowid is a *document key*, `rank << 32 | id`,
where `rank` packs status, level and year (see `RANK_SQL`). FTS5 returns matches in rowid
order, so "current national standards, newest first" is the index's own order: the first
page of a term that matches a million rows is read without sorting, and status / level / year
filters and their facet counts are rowid ranges, answered without reading the table. Triggers
keep it current on every INSERT / UPDATE / DELETE of the catalogue table (imports included).

PostgreSQL: the same column as a stored generated `tsvector('simple')` (`search_vector`;
tokens are already normalised, `simple` only splits on spaces) with a GIN index, plus a B-tree
on the same rank expression (both read by `similar.py`). Search reads a narrow copy,
`search_document(doc_key, vector)`, written in document-key order and kept current by
triggers, with its own GIN index: a frequent term is answered by walking its primary key in
rank order and testing each vector, which sits inline (STORAGE MAIN) on pages read one after
another, instead of a random heap page plus TOAST reads of the wide catalogue row per
candidate (measured at 1M: `本文件`, 10,001 keys, 87 ms → 9 ms). Django does not know
either; every writer names its columns, and PostgreSQL computes the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from biaozhun.core.text import search_text

FTS = "search_standard_fts"
DOC_VIEW = "search_standard_doc"
GIN = "search_standard_gin"
VECTOR = "search_vector"
RANK_INDEX = "search_standard_rank"
DOCS = "search_document"  # PostgreSQL: (doc_key, vector) in doc-key order
DOCS_GIN = "search_document_gin"

STATUS_ORDER = ("current", "upcoming", "superseded", "abolished")
# Enterprise standards are half of any catalogue and the least authoritative: last.
LEVEL_ORDER = ("national", "industry", "local", "group", "international", "foreign",
               "enterprise")
YEAR_BASE = 4095  # year slot: 4095 - year, so newer editions sort first; no year → last
ID_BITS = 32


def _case(column: str, values: Iterable[str], alias: str) -> str:
    whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(values))
    return f"(CASE {alias}{column} {whens} ELSE {len(tuple(values))} END)"


def rank_sql(alias: str = "") -> str:
    """SQL for the static rank of a row: (status, level, newer year) packed in one integer."""
    return (f"(({_case('status', STATUS_ORDER, alias)} * 8 + "
            f"{_case('level', LEVEL_ORDER, alias)}) * 4096 + "
            f"({YEAR_BASE} - COALESCE({alias}year, 0)))")


def rank_of(status: str, level: str, year: int | None) -> int:
    """The same rank in Python."""
    s = STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
    lv = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)
    return (s * 8 + lv) * 4096 + (YEAR_BASE - (year or 0))


def doc_key_sql(alias: str = "") -> str:
    return f"({rank_sql(alias)} * 4294967296 + {alias}id)"


def _sqlite_triggers() -> list[str]:
    new, old = doc_key_sql("new."), doc_key_sql("old.")
    insert = f"INSERT INTO {FTS}(rowid, search_text) VALUES ({new}, new.search_text);"
    delete = (f"INSERT INTO {FTS}({FTS}, rowid, search_text) "
              f"VALUES ('delete', {old}, old.search_text);")
    return [
        f"CREATE TRIGGER search_standard_ai AFTER INSERT ON catalog_standard BEGIN {insert} END",
        f"CREATE TRIGGER search_standard_ad AFTER DELETE ON catalog_standard BEGIN {delete} END",
        "CREATE TRIGGER search_standard_au AFTER UPDATE OF search_text, status, level, year "
        "ON catalog_standard WHEN old.search_text IS NOT new.search_text OR old.status IS NOT "
        "new.status OR old.level IS NOT new.level OR old.year IS NOT new.year "
        f"BEGIN {delete} {insert} END",
    ]


def _sqlite_drop() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS search_standard_ai",
        "DROP TRIGGER IF EXISTS search_standard_ad",
        "DROP TRIGGER IF EXISTS search_standard_au",
        f"DROP TABLE IF EXISTS {FTS}",
        f"DROP VIEW IF EXISTS {DOC_VIEW}",
    ]


def _sqlite_create() -> list[str]:
    return [
        f"CREATE VIEW {DOC_VIEW} AS SELECT {doc_key_sql()} AS doc_key, search_text "
        "FROM catalog_standard",
        # ascii tokenizer: tokens are pre-normalised and space-separated, CJK bytes are token
        # characters. No prefix index: a one-character query `"水" *` is answered by merging
        # the doclists of the terms starting with 水 (its bigrams and the run-final 水), a
        # bounded term range read in ~10-40 ms at 1M rows; `prefix='1'` served it in 2 ms
        # but made the index 621 MiB instead of 333 at 1M and its build 73 % longer.
        f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_text, content='{DOC_VIEW}', "
        "content_rowid='doc_key', tokenize='ascii', columnsize=0)",
    ]


def _pg_drop() -> list[str]:
    return [f"DROP INDEX IF EXISTS {GIN}", f"DROP INDEX IF EXISTS {RANK_INDEX}"]


def _pg_docs_drop() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS search_document_ins_del ON catalog_standard",
        "DROP TRIGGER IF EXISTS search_document_upd ON catalog_standard",
        "DROP TRIGGER IF EXISTS search_document_trunc ON catalog_standard",
        "DROP FUNCTION IF EXISTS search_document_sync()",
        "DROP FUNCTION IF EXISTS search_document_truncate()",
        f"DROP TABLE IF EXISTS {DOCS}",
    ]


def _pg_drop_all() -> list[str]:
    return [*_pg_docs_drop(), *_pg_drop(),
            f"ALTER TABLE catalog_standard DROP COLUMN IF EXISTS {VECTOR}"]


def _pg_docs_create() -> list[str]:
    """The narrow copy, filled in key order (so a walk of its primary key reads pages one
    after another), its GIN index and the triggers that keep it current."""
    new, old = doc_key_sql("NEW."), doc_key_sql("OLD.")
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}"
                          for c in ("search_text", "status", "level", "year"))
    return [
        f"CREATE TABLE {DOCS} (doc_key bigint PRIMARY KEY, vector tsvector NOT NULL)",
        f"ALTER TABLE {DOCS} ALTER COLUMN vector SET STORAGE MAIN",
        f"INSERT INTO {DOCS} (doc_key, vector) SELECT {doc_key_sql()}, COALESCE({VECTOR}, '') "
        "FROM catalog_standard ORDER BY 1",
        f"CREATE INDEX {DOCS_GIN} ON {DOCS} USING gin (vector)",
        f"""CREATE FUNCTION search_document_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM {DOCS} WHERE doc_key = {old};
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO {DOCS} (doc_key, vector) VALUES ({new}, COALESCE(NEW.{VECTOR}, ''))
    ON CONFLICT (doc_key) DO UPDATE SET vector = EXCLUDED.vector;
  END IF;
  RETURN NULL;
END $$""",
        f"""CREATE FUNCTION search_document_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {DOCS};
  RETURN NULL;
END $$""",
        "CREATE TRIGGER search_document_ins_del AFTER INSERT OR DELETE ON catalog_standard "
        "FOR EACH ROW EXECUTE FUNCTION search_document_sync()",
        "CREATE TRIGGER search_document_upd AFTER UPDATE OF search_text, status, level, year "
        f"ON catalog_standard FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION search_document_sync()",
        "CREATE TRIGGER search_document_trunc AFTER TRUNCATE ON catalog_standard "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_document_truncate()",
    ]


def _pg_create() -> list[str]:
    return [
        f"ALTER TABLE catalog_standard ADD COLUMN IF NOT EXISTS {VECTOR} tsvector GENERATED "
        "ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
        f"CREATE INDEX IF NOT EXISTS {GIN} ON catalog_standard USING gin ({VECTOR})",
        f"CREATE INDEX IF NOT EXISTS {RANK_INDEX} ON catalog_standard (({rank_sql()}), id)",
        *_pg_docs_drop(),
        *_pg_docs_create(),
    ]


def install(schema_editor=None) -> None:
    """Create the index (empty catalogue: the migration) — idempotent."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for sql in [*_sqlite_drop(), *_sqlite_create()]:
                cursor.execute(sql)
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
            for sql in _sqlite_triggers():
                cursor.execute(sql)
        elif vendor == "postgresql":
            for sql in _pg_create():
                cursor.execute(sql)


def uninstall(schema_editor=None) -> None:
    with connection.cursor() as cursor:
        for sql in (_sqlite_drop() if connection.vendor == "sqlite" else
                    _pg_drop_all() if connection.vendor == "postgresql" else []):
            cursor.execute(sql)


# --- computing the column -------------------------------------------------------------------

_CHUNK = 20_000


def _names_by_standard(ids: list[int], *, contiguous: bool) -> dict[int, list[str]]:
    """Names of issuing bodies and drafting organisations of these editions (sorted ids;
    `contiguous`: every row between the first and the last is wanted, read as one range)."""
    names: dict[int, list[str]] = {}
    if not ids:
        return names
    if contiguous:
        condition, params = "t.standard_id BETWEEN %s AND %s", [ids[0], ids[-1]]
    else:
        condition, params = ("t.standard_id IN (" + ", ".join(["%s"] * len(ids)) + ")",
                             list(ids))
    with connection.cursor() as cursor:
        for table in ("catalog_standard_issuing_bodies", "catalog_standard_drafting_orgs"):
            cursor.execute(
                f"SELECT t.standard_id, o.name FROM {table} t JOIN accounts_organization o "
                f"ON o.id = t.organization_id WHERE {condition} ORDER BY t.id", params)
            for standard_id, name in cursor.fetchall():
                names.setdefault(standard_id, []).append(name)
    return names


_SOURCE_SQL = """
SELECT s.id, s.code, s.title_zh, s.title_en, s.scope, d.name, p.name, c.name, c.code
FROM catalog_standard s
LEFT JOIN accounts_organization d ON d.id = s.competent_department_id
LEFT JOIN accounts_organization p ON p.id = s.proposing_unit_id
LEFT JOIN catalog_technicalcommittee c ON c.id = s.committee_id
"""


def computed_texts(ids: list[int] | None = None, *, after: int = 0,
                   limit: int = _CHUNK) -> list[tuple[int, str]]:
    """(id, search_text) computed from the database for `ids`, or the next `limit` rows after
    id `after` when `ids` is None. Two or three queries per call, whatever the size."""
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(_SOURCE_SQL + " WHERE s.id > %s ORDER BY s.id LIMIT %s",
                           [after, limit])
        else:
            cursor.execute(_SOURCE_SQL + " WHERE s.id IN (" + ", ".join(["%s"] * len(ids))
                           + ") ORDER BY s.id", list(ids))
        rows = cursor.fetchall()
    if not rows:
        return []
    related = _names_by_standard([r[0] for r in rows], contiguous=ids is None)
    out = []
    for pk, code, title_zh, title_en, scope, dept, proposer, committee, committee_code in rows:
        names = [*related.get(pk, ()), dept or "", proposer or "", committee or "",
                 committee_code or ""]
        out.append((pk, search_text(code, title_zh, title_en, scope, *names)))
    return out


def _write_texts(pairs: list[tuple[int, str]]) -> None:
    if not pairs:
        return
    raw = connection.connection.cursor()
    try:
        if connection.vendor == "postgresql":
            raw.execute("CREATE TEMPORARY TABLE IF NOT EXISTS _search_text "
                        "(id bigint PRIMARY KEY, search_text text) ON COMMIT DELETE ROWS")
            with raw.copy("COPY _search_text (id, search_text) FROM STDIN") as copy:
                for row in pairs:
                    copy.write_row(row)
            raw.execute("UPDATE catalog_standard s SET search_text = t.search_text "
                        "FROM _search_text t WHERE s.id = t.id "
                        "AND s.search_text IS DISTINCT FROM t.search_text")
            raw.execute("DELETE FROM _search_text")
        else:
            raw.executemany("UPDATE catalog_standard SET search_text = ? WHERE id = ? "
                            "AND search_text IS NOT ?",
                            [(text, pk, text) for pk, text in pairs])
    finally:
        raw.close()


def refresh(ids: Iterable[int]) -> int:
    """Recompute the search column of these editions (the index follows by trigger / GIN)."""
    id_list = sorted(set(ids))
    done = 0
    for start in range(0, len(id_list), 1000):
        pairs = computed_texts(id_list[start:start + 1000])
        with transaction.atomic():
            _write_texts(pairs)
        done += len(pairs)
    return done


def _sqlite_build(cursor) -> None:
    """Create the FTS5 table and fill it from the catalogue in one pass (the old table and
    its triggers already dropped), then install the triggers."""
    for sql in _sqlite_create():
        cursor.execute(sql)
    # No incremental merging while loading (~25 % faster); one merge at the end
    # leaves a single segment, which queries read fastest.
    cursor.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('automerge', 0)")
    cursor.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('crisismerge', 64)")
    cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
    cursor.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('automerge', 4)")
    cursor.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('crisismerge', 16)")
    for sql in _sqlite_triggers():
        cursor.execute(sql)


def relayout() -> None:
    """Migration 0002: SQLite rebuilds the FTS5 table from the stored column (dropping the
    one-character prefix index of databases built before); PostgreSQL (re)creates
    `search_document` from the stored vectors."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _sqlite_drop():
                cursor.execute(sql)
            _sqlite_build(cursor)
        elif connection.vendor == "postgresql":
            for sql in [*_pg_docs_drop(), *_pg_docs_create()]:
                cursor.execute(sql)


def drop_documents() -> None:
    """Reverse of `relayout` on PostgreSQL (the SQLite table stays as it is)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in _pg_docs_drop():
                cursor.execute(sql)


def rebuild(*, recompute: bool = True, progress: Callable[[int, int], None] | None = None,
            ) -> dict[str, float]:
    """Recompute every row's search column (unless `recompute` is False) and rebuild the index
    from scratch, dropping it first so that the bulk write does not maintain it row by row.
    Returns timings in seconds."""
    timings: dict[str, float] = {}
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM catalog_standard")
        total = cursor.fetchone()[0]
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # PostgreSQL: the stored vectors go too, computed once when the column returns.
            for sql in _sqlite_drop() if vendor == "sqlite" else _pg_drop_all():
                cursor.execute(sql)
        if recompute:
            after, done = 0, 0
            while True:
                pairs = computed_texts(after=after)
                if not pairs:
                    break
                _write_texts(pairs)
                after = pairs[-1][0]
                done += len(pairs)
                if progress:
                    progress(done, total)
        timings["compute"] = time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                _sqlite_build(cursor)
            elif vendor == "postgresql":
                # Deferred foreign-key checks still pending in this transaction forbid
                # CREATE INDEX on the table: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                for sql in _pg_create():
                    cursor.execute(sql)
        timings["index"] = time.perf_counter() - started
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_standard")
    return timings


def size_bytes() -> int | None:
    """Bytes the index occupies (FTS5 shadow tables / GIN + rank indexes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            try:
                cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s",
                               [FTS + "%"])
            except Exception:  # dbstat not compiled in
                return None
            return cursor.fetchone()[0]
        # The indexes plus the stored vectors (their share of the table and its TOAST) and
        # the narrow copy with its indexes.
        cursor.execute(f"SELECT pg_relation_size(%s) + pg_relation_size(%s) + "
                       f"pg_total_relation_size(%s) + "
                       f"COALESCE(SUM(pg_column_size({VECTOR})), 0) FROM catalog_standard",
                       [GIN, RANK_INDEX, DOCS])
        return cursor.fetchone()[0]
