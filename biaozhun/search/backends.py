"""One interface over the two full-text indexes (see index.py for their layout).

`keys()` returns *document keys* — `rank << 32 | id`, rank packing status, level and year —
in rank order, so callers get ids, the static order and the status / level / year facets of
every match without reading the catalogue table.
"""

from __future__ import annotations

import time
from copy import copy
from dataclasses import dataclass
from itertools import product

from django.db import connection

from biaozhun.core.text import Term
from biaozhun.search import index

ID_MASK = (1 << index.ID_BITS) - 1


@dataclass(frozen=True)
class RankFilter:
    """Filters that are part of the document key (empty = not filtered)."""

    statuses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    def __bool__(self) -> bool:
        return bool(self.statuses or self.levels or self.year_from is not None
                    or self.year_to is not None)


@dataclass(frozen=True, slots=True)
class Key:
    """A decoded document key."""

    id: int
    status: str
    level: str
    year: int | None


def decode(key: int) -> Key:
    rank = key >> index.ID_BITS
    year_slot = rank & 4095
    level = (rank >> 12) & 7
    status = rank >> 15
    return Key(
        id=key & ID_MASK,
        status=index.STATUS_ORDER[status] if status < len(index.STATUS_ORDER) else "",
        level=index.LEVEL_ORDER[level] if level < len(index.LEVEL_ORDER) else "",
        year=(index.YEAR_BASE - year_slot) or None,
    )


class SearchBackend:
    """Full-text matching; subclasses speak one database's dialect."""

    vendor = ""

    def keys(self, terms: list[Term], *, rank: RankFilter = RankFilter(),
             where: tuple[str, list] | None = None, where_indexed: bool = True,
             limit: int = 20, offset: int = 0) -> list[int]:
        """Document keys of editions matching every positive term and no negated one, in
        rank order. `where` is an SQL condition on `catalog_standard` with its params;
        `where_indexed` says an index finds its rows (issuer, ICS, CCS; not nature alone)."""
        raise NotImplementedError


def _rank_values(rank: RankFilter) -> tuple[list[int], list[int], int, int]:
    statuses = [index.STATUS_ORDER.index(s) for s in rank.statuses] or \
        list(range(len(index.STATUS_ORDER) + 1))
    levels = [index.LEVEL_ORDER.index(v) for v in rank.levels] or \
        list(range(len(index.LEVEL_ORDER) + 1))
    slot_low = index.YEAR_BASE - rank.year_to if rank.year_to is not None else 0
    slot_high = index.YEAR_BASE - rank.year_from if rank.year_from is not None else 4095
    return statuses, levels, slot_low, slot_high


def _rank_conditions(rank: RankFilter, key: str) -> tuple[list[str], list]:
    """SQL conditions on the document key `key` for the rank filters: the envelope of the
    allowed keys (a seek) and bit tests that drop the rest without reading the table."""
    statuses, levels, slot_low, slot_high = _rank_values(rank)
    combos = [(s * 8 + lv) * 4096 for s, lv in product(statuses, levels)]
    sql = [f"{key} >= %s AND {key} < %s"]
    params: list = [(min(combos) + slot_low) << 32, (max(combos) + slot_high + 1) << 32]
    if rank.statuses:
        sql.append(f"({key} >> 47) IN ({', '.join(map(str, statuses))})")
    if rank.levels:
        sql.append(f"(({key} >> 44) & 7) IN ({', '.join(map(str, levels))})")
    if rank.year_from is not None or rank.year_to is not None:
        sql.append(f"(({key} >> 32) & 4095) BETWEEN %s AND %s")
        params += [slot_low, slot_high]
    return sql, params


class _KeyTableBackend(SearchBackend):
    """Both indexes are tables keyed by the document key: FTS5's rowid on SQLite,
    `search_document.doc_key` on PostgreSQL. Subclasses give the table, its key column and
    the match condition."""

    table = ""
    key = ""
    match = ""

    @staticmethod
    def expression(terms: list[Term]) -> str:
        raise NotImplementedError

    def keys(self, terms, *, rank=RankFilter(), where=None, where_indexed=True, limit=20,
             offset=0):
        expression = self.expression(terms)
        if rank and not where:
            return self._keys_in_ranges(expression, rank, limit + offset)[offset:]
        key = f"{self.table}.{self.key}"
        sql = [f"SELECT {key} FROM {self.table}"]
        if where and not where_indexed:
            sql.append(f"JOIN catalog_standard ON catalog_standard.id = ({key} & {ID_MASK})")
        sql.append(f"WHERE {self.match}")
        params: list = [expression]
        if rank:
            conditions, values = _rank_conditions(rank, key)
            sql += [f"AND {c}" for c in conditions]
            params += values
        if where and where_indexed:
            # One set of the rows the filter admits (found by an index), probed per match.
            sql.append(f"AND ({key} & {ID_MASK}) IN (SELECT catalog_standard.id "
                       f"FROM catalog_standard WHERE {where[0]})")
            params += where[1]
        elif where:
            # Nature alone has no index of its own: test each match's row by primary key.
            sql.append(f"AND ({where[0]})")
            params += where[1]
        sql.append(f"ORDER BY {key} LIMIT %s OFFSET %s")
        params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(" ".join(sql), params)
            return [row[0] for row in cursor.fetchall()]

    def _keys_in_ranges(self, expression: str, rank: RankFilter, limit: int) -> list[int]:
        """Status, level and year select contiguous key ranges (one per status and level):
        read them in rank order, each a direct seek, until `limit` keys are found."""
        statuses, levels, slot_low, slot_high = _rank_values(rank)
        sql = (f"SELECT {self.key} FROM {self.table} WHERE {self.match} AND {self.key} >= %s "
               f"AND {self.key} < %s ORDER BY {self.key} LIMIT %s")
        found: list[int] = []
        with connection.cursor() as cursor:
            for base in sorted((s * 8 + lv) * 4096 for s, lv in product(statuses, levels)):
                cursor.execute(sql, [expression, (base + slot_low) << 32,
                                     (base + slot_high + 1) << 32, limit - len(found)])
                found += [row[0] for row in cursor.fetchall()]
                if len(found) >= limit:
                    break
        return found


class SqliteBackend(_KeyTableBackend):
    vendor = "sqlite"
    table = index.FTS
    key = "rowid"
    match = f"{index.FTS} MATCH %s"

    @staticmethod
    def expression(terms: list[Term]) -> str:
        def phrase(term: Term) -> str:
            return " + ".join(f'"{token}"' + (" *" if prefix else "")
                              for token, prefix in term.tokens)

        positive = [f"({phrase(t)})" for t in terms if not t.negated]
        expr = " AND ".join(positive)
        for term in terms:
            if term.negated:
                expr = f"({expr}) NOT ({phrase(term)})"
        return expr


class PostgresBackend(_KeyTableBackend):
    vendor = "postgresql"
    table = index.DOCS
    key = "doc_key"
    match = f"{index.DOCS}.vector @@ %s::tsquery"

    @staticmethod
    def expression(terms: list[Term]) -> str:
        def phrase(term: Term) -> str:
            return " <-> ".join(f"'{token}'" + (":*" if prefix else "")
                                for token, prefix in term.tokens)

        parts = [f"({phrase(t)})" for t in terms if not t.negated]
        parts += [f"!({phrase(t)})" for t in terms if t.negated]
        return " & ".join(parts)

    def keys(self, terms, *, rank=RankFilter(), where=None, where_indexed=True, limit=20,
             offset=0):
        backend = self
        if self._walk_is_cheaper(terms, limit + offset):
            # The planner multiplies the frequencies of a word's bigrams (`技术 <-> 术要 <->
            # 要求`: 2.5 % estimated, 19 % true) and reads every match through GIN to sort
            # them (740 ms at 1M) where walking the keys stops after ~50k (44 ms). The
            # operator's function is the same test, but no index can serve it.
            backend = copy(self)
            backend.match = f"ts_match_vq({index.DOCS}.vector, %s::tsquery)"
        return _KeyTableBackend.keys(backend, terms, rank=rank, where=where,
                                     where_indexed=where_indexed, limit=limit, offset=offset)

    @staticmethod
    def _walk_is_cheaper(terms: list[Term], limit: int) -> bool:
        """Whether walking the keys in rank order beats reading every match, by ANALYZE's
        frequent lexemes: a term is as frequent as its rarest token (a word's bigrams go
        together), terms are independent. Walking costs limit / share rows at ~1 µs,
        reading the matches share × rows at ~3–4 µs (measured at 1M: `锂离子动力`, 83k rows
        walked in 62 ms; `检验规则`, 56k matches read in 172 ms)."""
        frequencies, rows = _lexeme_statistics()
        if not frequencies or not rows:
            return False
        share = 1.0
        for term in terms:
            if term.negated:
                continue
            term_share = 1.0
            for token, prefix in term.tokens:
                if prefix:
                    found = sum(f for lexeme, f in frequencies.items()
                                if lexeme.startswith(token))
                else:
                    found = frequencies.get(token, 0.0)
                term_share = min(term_share, found)
            share *= term_share
        return share > 0 and limit / share < share * rows * 4


_STATS_TTL = 300.0
_stats: dict[str, tuple[float, dict[str, float], float]] = {}


def _lexeme_statistics() -> tuple[dict[str, float], float]:
    """ANALYZE's most common lexemes of `search_document.vector` with their frequencies,
    and the table's row estimate; read once every five minutes per database."""
    alias = connection.alias
    cached = _stats.get(alias)
    now = time.monotonic()
    if cached and now - cached[0] < _STATS_TTL:
        return cached[1], cached[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
            "FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname "
            "AND s.attname = 'vector' WHERE c.relname = %s", [index.DOCS])
        row = cursor.fetchone()
    frequencies = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    rows = float(row[2]) if row and row[2] and row[2] > 0 else 0.0
    _stats[alias] = (now, frequencies, rows)
    return frequencies, rows


def get_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"no search backend for {connection.vendor}")
