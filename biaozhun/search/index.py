"""The full-text index over `catalog_standard.search_text`: DDL, rebuild and refresh.

SQLite: an FTS5 external-content table whose rowid is a *document key*, `rank << 32 | id`,
where `rank` packs status, level and year (see `RANK_SQL`). FTS5 returns matches in rowid
order, so "current national standards, newest first" is the index's own order: the first
page of a term that matches a million rows is read without sorting, and status / level / year
filters and their facet counts are rowid ranges, answered without reading the table. Triggers
keep it current on every INSERT / UPDATE / DELETE of the catalogue table (imports included).

PostgreSQL: `search_document(doc_key, vector)`, the column as a `tsvector('simple')` (tokens
are already normalised, `simple` only splits on spaces) keyed by the same document key, written
in key order and kept current by triggers, with a GIN index. A rare term is read through GIN;
a frequent one by walking the primary key in rank order and testing each vector, which sits
inline (STORAGE MAIN) on pages read one after another (measured at 1M: `本文件`, 10,001 keys,
9 ms; through the wide, TOASTed catalogue row 87 ms). Until 2026-11-25 the catalogue table
also held a stored `search_vector` column with its own GIN and a rank B-tree: the same data
indexed twice (migration 0003 drops them). Django does not know either table; every writer
names its columns, and the triggers do the rest.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from biaozhun.core.text import search_text

FTS = "search_standard_fts"
DOC_VIEW = "search_standard_doc"
DOCS = "search_document"  # PostgreSQL: (doc_key, vector) in doc-key order
DOCS_GIN = "search_document_gin"
LEXEMES = "search_lexeme"  # PostgreSQL: documents holding each lexeme, as of the last count
# PostgreSQL: filter values written into each vector as lexemes no query text can produce
# (`~issuer:DB43/T`, `~issuer:DB43`, `~nature:mandatory`), so that GIN intersects them with
# the words instead of the catalogue being probed per match.
TAG = "~{}:{}"
# Before migration 0003 (PostgreSQL): a stored vector column on the catalogue table, its GIN
# index and a rank B-tree; dropped wherever they are found.
LEGACY_VECTOR = "search_vector"
LEGACY_INDEXES = ("search_standard_gin", "search_standard_rank")

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


def _pg_legacy_drop() -> list[str]:
    return [*(f"DROP INDEX IF EXISTS {name}" for name in LEGACY_INDEXES),
            f"ALTER TABLE catalog_standard DROP COLUMN IF EXISTS {LEGACY_VECTOR}"]


def _pg_drop() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS search_document_ins_del ON catalog_standard",
        "DROP TRIGGER IF EXISTS search_document_upd ON catalog_standard",
        "DROP TRIGGER IF EXISTS search_document_trunc ON catalog_standard",
        "DROP FUNCTION IF EXISTS search_document_sync()",
        "DROP FUNCTION IF EXISTS search_document_truncate()",
        f"DROP TABLE IF EXISTS {DOCS}",
        f"DROP TABLE IF EXISTS {LEXEMES}",
        *_pg_legacy_drop(),
    ]


def tag(name: str, value: str) -> str:
    """The lexeme standing for a filter value (`issuer`: a prefix, `GB` covering GB/T)."""
    return TAG.format(name, value.replace(" ", ""))


def _vector_sql(alias: str) -> str:
    """The words, then the tags: the nature, and the prefix with each of its shorter
    "/"-prefixes (`DB43/T` is tagged `DB43/T` and `DB43`), as the issuer filter reads it."""
    parts = f"string_to_array({alias}prefix, '/')"
    return (f"(to_tsvector('simple'::regconfig, COALESCE({alias}search_text, '')) || "
            f"array_to_tsvector(ARRAY(SELECT '{TAG.format('issuer', '')}' || "
            f"array_to_string(({parts})[1:n], '/') FROM generate_series(1, "
            f"cardinality({parts})) n) || ('{TAG.format('nature', '')}' || "
            f"COALESCE({alias}nature, ''))))")


INDEXED_COLUMNS = ("search_text", "status", "level", "year", "prefix", "nature")


PARTITION_ROWS = 100_000  # PostgreSQL: documents per partition of search_document
MAX_PARTITIONS = 64


def partition_bounds(cursor, rows_per_partition: int | None = None) -> list[int]:
    """Document keys that cut the catalogue, in key order, into partitions of about
    PARTITION_ROWS documents (none below 1.5 partitions' worth: one partition)."""
    size = rows_per_partition or PARTITION_ROWS
    cursor.execute("SELECT COUNT(*) FROM catalog_standard")
    count = cursor.fetchone()[0]
    parts = min(MAX_PARTITIONS, max(1, round(count / size)))
    if parts == 1:
        return []
    cursor.execute(f"SELECT percentile_disc(%s::float8[]) WITHIN GROUP (ORDER BY "
                   f"{doc_key_sql()}) FROM catalog_standard",
                   [[k / parts for k in range(1, parts)]])
    return sorted(set(cursor.fetchone()[0]))


def _pg_create(cursor, rows_per_partition: int | None = None) -> list[str]:
    """The table, partitioned by ranges of the document key and filled in key order (so a
    walk of its primary key reads pages one after another, and a word's matches are read
    through GIN one partition at a time, in rank order, stopping when enough are found), its
    GIN index and the triggers that keep it current."""
    new, old = doc_key_sql("NEW."), doc_key_sql("OLD.")
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in INDEXED_COLUMNS)
    edges = ["MINVALUE", *map(str, partition_bounds(cursor, rows_per_partition)), "MAXVALUE"]
    partitions = [f"CREATE TABLE {DOCS}_p{i:03d} PARTITION OF {DOCS} "
                  f"FOR VALUES FROM ({edges[i]}) TO ({edges[i + 1]})"
                  for i in range(len(edges) - 1)]
    return [
        f"CREATE TABLE {DOCS} (doc_key bigint PRIMARY KEY, vector tsvector NOT NULL) "
        "PARTITION BY RANGE (doc_key)",
        f"ALTER TABLE {DOCS} ALTER COLUMN vector SET STORAGE MAIN",
        *partitions,
        f"ALTER TABLE {DOCS} ALTER COLUMN vector SET STORAGE MAIN",  # every partition
        f"CREATE TABLE {LEXEMES} (word text PRIMARY KEY, ndoc integer NOT NULL)",
        # Sort the keys, not the vectors: the vector is computed from the row fetched by id.
        f"INSERT INTO {DOCS} (doc_key, vector) SELECT k.doc_key, {_vector_sql('s.')} "
        f"FROM (SELECT {doc_key_sql()} AS doc_key, id FROM catalog_standard ORDER BY 1) k "
        "JOIN catalog_standard s ON s.id = k.id ORDER BY k.doc_key",
        f"CREATE INDEX {DOCS_GIN} ON {DOCS} USING gin (vector)",
        f"""CREATE FUNCTION search_document_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM {DOCS} WHERE doc_key = {old};
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO {DOCS} (doc_key, vector) VALUES ({new}, {_vector_sql('NEW.')})
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
        f"CREATE TRIGGER search_document_upd AFTER UPDATE OF {', '.join(INDEXED_COLUMNS)} "
        f"ON catalog_standard FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION search_document_sync()",
        "CREATE TRIGGER search_document_trunc AFTER TRUNCATE ON catalog_standard "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_document_truncate()",
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
            for sql in [*_pg_drop(), *_pg_create(cursor)]:
                cursor.execute(sql)


def uninstall(schema_editor=None) -> None:
    with connection.cursor() as cursor:
        for sql in (_sqlite_drop() if connection.vendor == "sqlite" else
                    _pg_drop() if connection.vendor == "postgresql" else []):
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
    """Migrations 0002 and 0003: SQLite rebuilds the FTS5 table from the stored column
    (dropping the one-character prefix index of databases built before); PostgreSQL drops the
    catalogue's own vector column and indexes and (re)creates `search_document`."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _sqlite_drop():
                cursor.execute(sql)
            _sqlite_build(cursor)
        elif connection.vendor == "postgresql":
            for sql in [*_pg_drop(), *_pg_create(cursor)]:
                cursor.execute(sql)
            count_lexemes(cursor)
            cursor.execute(f"ANALYZE {DOCS}")


def count_lexemes(cursor=None) -> None:
    """PostgreSQL: refill `search_lexeme` with the number of documents holding each lexeme
    (and the number of documents, under the empty word), which the backend reads to choose
    between walking the keys and reading every match. Counts may lag behind the catalogue:
    they only choose a plan, never a result. 27 s at 3.5M rows."""
    if connection.vendor != "postgresql":
        return
    if cursor is None:
        with transaction.atomic(), connection.cursor() as own:
            count_lexemes(own)
        return
    cursor.execute(f"DELETE FROM {LEXEMES}")
    cursor.execute(f"INSERT INTO {LEXEMES} (word, ndoc) SELECT word, ndoc FROM "
                   f"ts_stat('SELECT vector FROM {DOCS}')")
    cursor.execute(f"INSERT INTO {LEXEMES} (word, ndoc) SELECT '', COUNT(*) FROM {DOCS}")
    cursor.execute(f"ANALYZE {LEXEMES}")


def counts_stale(share: float = 0.1, floor: int = 1000) -> bool:
    """PostgreSQL: whether the documents counted last time and those indexed now differ by
    more than `share` of the former (and at least `floor`)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT ndoc FROM {LEXEMES} WHERE word = ''), "
                       f"(SELECT COUNT(*) FROM {DOCS})")
        counted, indexed = cursor.fetchone()
    return abs(indexed - (counted or 0)) > max(floor, share * (counted or 0))


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
            for sql in _sqlite_drop() if vendor == "sqlite" else _pg_drop():
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
                for sql in _pg_create(cursor):
                    cursor.execute(sql)
        timings["index"] = time.perf_counter() - started
    if vendor == "postgresql":
        started = time.perf_counter()
        count_lexemes()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DOCS}")
            cursor.execute("ANALYZE catalog_standard")
        timings["statistics"] = time.perf_counter() - started
    return timings


def size_bytes() -> int | None:
    """Bytes the index occupies (FTS5 shadow tables / `search_document` with its indexes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            try:
                cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s",
                               [FTS + "%"])
            except Exception:  # dbstat not compiled in
                return None
            return cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(SUM(pg_total_relation_size(inhrelid)), 0)::bigint "
                       "FROM pg_inherits WHERE inhparent = %s::regclass", [DOCS])
        return cursor.fetchone()[0]


def partitions(cursor) -> list[tuple[str, int | None, int | None]]:
    """PostgreSQL: the partitions of `search_document` in key order, each with its lowest key
    and the key it stops before (None: unbounded). Read fresh each time: a rebuild moves
    them."""
    cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                   "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
                   [DOCS])
    found = []
    for name, bound in cursor.fetchall():
        low, high = _BOUND.match(bound).groups()
        found.append((name, _edge(low), _edge(high)))
    return sorted(found, key=lambda part: -2**63 if part[1] is None else part[1])


_BOUND = re.compile(r"FOR VALUES FROM \((.+)\) TO \((.+)\)")


def _edge(text: str) -> int | None:
    return None if text in ("MINVALUE", "MAXVALUE") else int(text.strip("'"))
