"""One interface over the two full-text indexes (see index.py for their layout).

`keys()` returns *document keys* — `rank << 32 | id`, rank packing status, level and year —
in rank order, so callers get ids, the static order and the status / level / year facets of
every match without reading the catalogue table.
"""

from __future__ import annotations

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


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

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

    def keys(self, terms, *, rank=RankFilter(), where=None, where_indexed=True, limit=20,
             offset=0):
        expression = self.expression(terms)
        if rank and not where:
            return self._keys_in_ranges(expression, rank, limit + offset)[offset:]
        fts = index.FTS
        sql = [f"SELECT {fts}.rowid FROM {fts}"]
        if where and not where_indexed:
            sql.append(f"JOIN catalog_standard ON catalog_standard.id = ({fts}.rowid & {ID_MASK})")
        sql.append(f"WHERE {fts} MATCH %s")
        params: list = [expression]
        if rank:
            statuses, levels, slot_low, slot_high = _rank_values(rank)
            combos = [(s * 8 + lv) * 4096 for s, lv in product(statuses, levels)]
            # FTS5 seeks to the envelope of the allowed keys; the bit tests drop the rest
            # without reading the table.
            key = f"{fts}.rowid"
            sql.append(f"AND {key} >= %s AND {key} < %s")
            params += [(min(combos) + slot_low) << 32, (max(combos) + slot_high + 1) << 32]
            if rank.statuses:
                sql.append(f"AND ({key} >> 47) IN ({', '.join(map(str, statuses))})")
            if rank.levels:
                sql.append(f"AND (({key} >> 44) & 7) IN ({', '.join(map(str, levels))})")
            if rank.year_from is not None or rank.year_to is not None:
                sql.append(f"AND (({key} >> 32) & 4095) BETWEEN %s AND %s")
                params += [slot_low, slot_high]
        if where and where_indexed:
            # One set of the rows the filter admits (found by an index), probed per match.
            sql.append(f"AND ({fts}.rowid & {ID_MASK}) IN (SELECT catalog_standard.id "
                       f"FROM catalog_standard WHERE {where[0]})")
            params += where[1]
        elif where:
            # Nature alone has no index of its own: test each match's row by primary key.
            sql.append(f"AND ({where[0]})")
            params += where[1]
        sql.append(f"ORDER BY {fts}.rowid LIMIT %s OFFSET %s")
        params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(" ".join(sql), params)
            return [row[0] for row in cursor.fetchall()]

    def _keys_in_ranges(self, expression: str, rank: RankFilter, limit: int) -> list[int]:
        """Status, level and year select contiguous key ranges (one per status and level):
        read them in rank order, each a direct seek, until `limit` keys are found."""
        statuses, levels, slot_low, slot_high = _rank_values(rank)
        fts = index.FTS
        sql = (f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s AND rowid >= %s AND rowid < %s "
               "ORDER BY rowid LIMIT %s")
        found: list[int] = []
        with connection.cursor() as cursor:
            for base in sorted((s * 8 + lv) * 4096 for s, lv in product(statuses, levels)):
                cursor.execute(sql, [expression, (base + slot_low) << 32,
                                     (base + slot_high + 1) << 32, limit - len(found)])
                found += [row[0] for row in cursor.fetchall()]
                if len(found) >= limit:
                    break
        return found


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

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
        rank_sql = index.rank_sql()
        sql = [f"SELECT ({rank_sql})::bigint * 4294967296 + id FROM catalog_standard",
               f"WHERE {index.VECTOR} @@ %s::tsquery"]
        params: list = [self.expression(terms)]
        if rank.statuses:
            sql.append("AND status = ANY(%s)")
            params.append(list(rank.statuses))
        if rank.levels:
            sql.append("AND level = ANY(%s)")
            params.append(list(rank.levels))
        if rank.year_from is not None:
            sql.append("AND year >= %s")
            params.append(rank.year_from)
        if rank.year_to is not None:
            sql.append("AND year <= %s")
            params.append(rank.year_to)
        if where:
            sql.append(f"AND ({where[0]})")
            params += where[1]
        sql.append(f"ORDER BY ({rank_sql}), id LIMIT %s OFFSET %s")
        params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(" ".join(sql), params)
            return [row[0] for row in cursor.fetchall()]


def get_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"no search backend for {connection.vendor}")
