"""One interface over the two full-text indexes (see index.py for their layout).

`keys()` returns *document keys* — `rank << 32 | id`, rank packing status, level and year —
in rank order, so callers get ids, the static order and the status / level / year facets of
every match without reading the catalogue table.
"""

from __future__ import annotations

import time
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
    # Filters the index itself answers (see `keys(tags=…)`); the others come as `where`.
    tagged: frozenset[str] = frozenset()

    def keys(self, terms: list[Term], *, rank: RankFilter = RankFilter(),
             where: tuple[str, list] | None = None, where_indexed: bool = True,
             tags: tuple[tuple[str, str], ...] = (), limit: int = 20,
             offset: int = 0) -> list[int]:
        """Document keys of editions matching every positive term and no negated one, in
        rank order. `where` is an SQL condition on `catalog_standard` with its params;
        `where_indexed` says an index finds its rows (issuer, ICS, CCS; not nature alone);
        `tags` are (filter, value) pairs of the filters in `tagged`."""
        raise NotImplementedError

    def count_cap(self, terms: list[Term], cap: int,
                  tags: tuple[tuple[str, str], ...] = ()) -> int:
        """How many matches a search should count (read as keys) for these terms, at most
        `cap`: the backend may count fewer where reading `cap` keys would be slow."""
        return cap


def _rank_values(rank: RankFilter) -> tuple[list[int], list[int], int, int]:
    statuses = [index.STATUS_ORDER.index(s) for s in rank.statuses] or \
        list(range(len(index.STATUS_ORDER) + 1))
    levels = [index.LEVEL_ORDER.index(v) for v in rank.levels] or \
        list(range(len(index.LEVEL_ORDER) + 1))
    slot_low = index.YEAR_BASE - rank.year_to if rank.year_to is not None else 0
    slot_high = index.YEAR_BASE - rank.year_from if rank.year_from is not None else 4095
    return statuses, levels, slot_low, slot_high


def _envelope(rank: RankFilter) -> tuple[int, int]:
    """The lowest key a rank filter admits and the key above its highest."""
    if not rank:
        return 0, 1 << 62
    statuses, levels, slot_low, slot_high = _rank_values(rank)
    combos = [(s * 8 + lv) * 4096 for s, lv in product(statuses, levels)]
    return (min(combos) + slot_low) << 32, (max(combos) + slot_high + 1) << 32


def _key_ranges(rank: RankFilter) -> list[tuple[int, int]]:
    """The contiguous key ranges a rank filter admits, in key order: one per status and
    level, each cut to the year slots (the whole key space without a filter)."""
    if not rank:
        return [(0, 1 << 62)]
    statuses, levels, slot_low, slot_high = _rank_values(rank)
    return [((base + slot_low) << 32, (base + slot_high + 1) << 32) for base in
            sorted((s * 8 + lv) * 4096 for s, lv in product(statuses, levels))]


def _rank_conditions(rank: RankFilter, key: str) -> tuple[list[str], list]:
    """SQL conditions on the document key `key` for the rank filters: the envelope of the
    allowed keys (a seek) and bit tests that drop the rest without reading the table."""
    statuses, levels, slot_low, slot_high = _rank_values(rank)
    sql = [f"{key} >= %s AND {key} < %s"]
    params: list = list(_envelope(rank))
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

    def keys(self, terms, *, rank=RankFilter(), where=None, where_indexed=True, tags=(),
             limit=20, offset=0):
        if tags:
            raise ValueError(f"{self.vendor} answers no filter from its index: {tags}")
        expression = self.expression(terms)
        if rank and not where:
            return self._keys_in_ranges(expression, rank, limit + offset)[offset:]
        return self._statement(self.match, expression, rank, where, where_indexed, limit,
                               offset=offset)

    def _statement(self, match: str, expression: str, rank: RankFilter,
                   where: tuple[str, list] | None, where_indexed: bool, limit: int, *,
                   offset: int = 0, after: int | None = None,
                   table: str | None = None) -> list[int]:
        """One statement: keys matching `match` (with `expression`), every rank filter as
        key conditions, above `after` if given, the row filter `where`, in key order; from
        `table` (one partition) instead of the whole index if given."""
        table = table or self.table
        key = f"{table}.{self.key}"
        sql = [f"SELECT {key} FROM {table}"]
        if where and not where_indexed:
            sql.append(f"JOIN catalog_standard ON catalog_standard.id = ({key} & {ID_MASK})")
        sql.append(f"WHERE {match}")
        params: list = [expression]
        if rank:
            conditions, values = _rank_conditions(rank, key)
            sql += [f"AND {c}" for c in conditions]
            params += values
        if after is not None:
            sql.append(f"AND {key} > %s")
            params.append(after)
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
        sql = (f"SELECT {self.key} FROM {self.table} WHERE {self.match} AND {self.key} >= %s "
               f"AND {self.key} < %s ORDER BY {self.key} LIMIT %s")
        found: list[int] = []
        with connection.cursor() as cursor:
            for low, high in _key_ranges(rank):
                cursor.execute(sql, [expression, low, high, limit - len(found)])
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
    tagged = frozenset({"issuer", "nature"})

    @staticmethod
    def expression(terms: list[Term], tags: tuple[tuple[str, str], ...] = ()) -> str:
        def phrase(term: Term) -> str:
            return " <-> ".join(f"'{token}'" + (":*" if prefix else "")
                                for token, prefix in term.tokens)

        parts = [f"({phrase(t)})" for t in terms if not t.negated]
        # Tag lexemes hold no quote or backslash (prefixes and nature values), but quote
        # them as tsquery does anyway.
        parts += ["'{}'".format(index.tag(n, v).replace("\\", "\\\\").replace("'", "''"))
                  for n, v in tags]
        parts += [f"!({phrase(t)})" for t in terms if t.negated]
        return " & ".join(parts)

    def keys(self, terms, *, rank=RankFilter(), where=None, where_indexed=True, tags=(),
             limit=20, offset=0):
        """Read the matches through GIN, a partition at a time in key order, or walk the keys
        in rank order testing each vector, whichever the word counts say is cheaper. The walk
        stops after WALK_LIMIT keys (the counts estimate a phrase by its rarest word, so a
        phrase can be far rarer than they say) and GIN answers the rest. With an ICS or CCS
        filter (`where`) either is one statement, unbounded: those filters are rare and
        narrow."""
        expression = self.expression(terms, tags)
        wanted = limit + offset
        share, rows = self._share(terms, tags)
        walk = share and self._walk_cost(share, wanted) < self._read_cost(share, rows, wanted)
        if where:
            return self._statement(self.walk_match if walk else self.match, expression, rank,
                                   where, where_indexed, limit, offset=offset)
        if not walk:
            return self._read(expression, rank, wanted, share * rows)[offset:]
        found, last = self._walk(expression, rank, wanted)
        if last is not None and len(found) < wanted:
            found += self._read(expression, rank, wanted - len(found), share * rows, after=last)
        return found[offset:]

    def _read(self, expression: str, rank: RankFilter, limit: int, matches: float,
              after: int | None = None) -> list[int]:
        """The first `limit` matches through GIN: one statement when there are not many more
        matches than that, else partition by partition in key order until `limit` are found
        (one statement over the partitioned table reads and sorts every match)."""
        if matches <= 2 * limit:
            return self._statement(self.match, expression, rank, None, True, limit,
                                   after=after)
        low, high = _envelope(rank)
        if after is not None:
            low = max(low, after + 1)
        with connection.cursor() as cursor:
            parts = index.partitions(cursor)
        found: list[int] = []
        for name, first, stop in parts:
            if (stop is not None and stop <= low) or (first is not None and first >= high):
                continue  # no key the filters admit lies in this partition
            found += self._statement(self.match.replace(self.table, name, 1), expression,
                                     rank, None, True, limit - len(found), after=after,
                                     table=name)
            if len(found) >= limit:
                break
        return found

    # The operator's function is the same test as `@@`, but no index can serve it: the
    # planner multiplies the frequencies of a word's bigrams (`技术 <-> 术要 <-> 要求`: 2.5 %
    # estimated, 19 % true) and would read every match through GIN to sort them.
    walk_match = f"ts_match_vq({index.DOCS}.vector, %s::tsquery)"

    def _walk(self, expression: str, rank: RankFilter, wanted: int
              ) -> tuple[list[int], int | None]:
        """Walk the key ranges the rank filter allows (all keys without one) in order,
        testing at most WALK_LIMIT keys. Returns the matches and, when the limit stopped the
        walk first, the last key tested (None: every allowed key was tested)."""
        walk = (f"SELECT doc_key FROM (SELECT doc_key, vector FROM {self.table} WHERE "
                f"doc_key >= %s AND doc_key < %s ORDER BY doc_key LIMIT %s) walk "
                f"WHERE ts_match_vq(walk.vector, %s::tsquery) LIMIT %s")
        # Only when a walk found too few: how far it went (an index-only count).
        extent = (f"SELECT COUNT(*), MAX(doc_key) FROM (SELECT doc_key FROM {self.table} WHERE "
                  f"doc_key >= %s AND doc_key < %s ORDER BY doc_key LIMIT %s) walked")
        found: list[int] = []
        budget = WALK_LIMIT
        with connection.cursor() as cursor:
            for low, high in _key_ranges(rank):
                need = wanted - len(found)
                cursor.execute(walk, [low, high, budget, expression, need])
                found += [row[0] for row in cursor.fetchall()]
                if len(found) >= wanted:
                    return found, None
                cursor.execute(extent, [low, high, budget])
                walked, last = cursor.fetchone()
                if walked >= budget:
                    return found, last
                budget -= walked
        return found, None

    def count_cap(self, terms, cap, tags=()):
        """Counting 10,000 matches of a word in 2 % of the rows walks 500,000 keys or reads
        10,000 matches through GIN (~3 µs each). Count fewer, down to COUNT_FLOOR, so that
        the cheaper of the two stays within WALK_BUDGET."""
        share, rows = self._share(terms, tags)
        if not share:
            return cap  # nothing counted yet, or a word too rare to count

        def cost(limit: int) -> float:
            return min(self._walk_cost(share, limit + 1),
                       self._read_cost(share, rows, limit + 1))

        if cost(cap) <= WALK_BUDGET:
            return cap
        for step in CAP_STEPS:
            if step <= cap and cost(step) <= WALK_BUDGET:
                return step
        floor = min(cap, COUNT_FLOOR)
        return floor if cost(floor) < cost(cap) else cap

    @staticmethod
    def _walk_cost(share: float, limit: int) -> float:
        """Keys tested by a walk in rank order until `limit` match (~0.75 µs each)."""
        return limit / share

    @staticmethod
    def _read_cost(share: float, rows: float, limit: int) -> float:
        """Reading the first `limit` matches through GIN (bitmap, recheck, sort), in
        walked-key units: ~3 µs a match (measured at 1M: `锂离子动力`, 83k keys walked in
        62 ms; `检验规则`, 56k matches read in 172 ms). Partitions are read whole, one after
        another, so at least one partition's matches are read."""
        matches = share * rows
        partitions = min(index.MAX_PARTITIONS, max(1, round(rows / index.PARTITION_ROWS)))
        return min(matches, max(limit, matches / partitions)) * 4

    @staticmethod
    def _share(terms: list[Term], tags: tuple[tuple[str, str], ...] = ()
               ) -> tuple[float, float]:
        """The share of documents matching every positive term and tag, from the lexeme
        counts (a term is as frequent as its rarest token, a prefix as all its lexemes
        together, terms and tags independent), and the number of documents; 0 when nothing
        has been counted yet."""
        words = {pair for t in terms if not t.negated for pair in t.tokens}
        words |= {(index.tag(n, v), False) for n, v in tags}
        counts, total = lexeme_counts(words)
        if not total:
            return 0.0, 0.0
        share = 1.0
        for term in terms:
            if term.negated:
                continue
            share *= min(min(counts[pair] / total, 1.0) for pair in term.tokens)
        for name, value in tags:
            share *= min(counts[(index.tag(name, value), False)] / total, 1.0)
        return share, total


WALK_BUDGET = 30_000  # keys a frequent term's walk may test to count its matches (~22 ms)
WALK_LIMIT = 120_000  # keys a walk tests before GIN answers the rest
CAP_STEPS = (10_000, 5_000, 2_000)
COUNT_FLOOR = 1_000

_COUNTS_TTL = 300.0
_counts: dict[tuple[str, str, bool], tuple[float, int]] = {}


def lexeme_counts(words: set[tuple[str, bool]]) -> tuple[dict[tuple[str, bool], int], int]:
    """PostgreSQL: documents holding each (word, prefix) as `search_lexeme` last counted
    them — a prefix (a query's last `水`) as every lexeme starting with it together — and
    the number of documents (0: never counted). Counts are remembered five minutes."""
    database = connection.settings_dict["NAME"]
    now = time.monotonic()
    counts: dict[tuple[str, bool], int] = {}
    missing = []
    for pair in {*words, ("", False)}:
        cached = _counts.get((database, *pair))
        if cached and now - cached[0] < _COUNTS_TTL:
            counts[pair] = cached[1]
        else:
            missing.append(pair)
    if missing:
        whole = [word for word, prefix in missing if not prefix]
        sql = [f"SELECT word, false, ndoc FROM {index.LEXEMES} WHERE word = ANY(%s)"]
        params: list = [whole]
        for word, prefix in missing:
            if prefix:
                sql.append(f"SELECT %s, true, COALESCE(SUM(ndoc), 0)::bigint "
                           f"FROM {index.LEXEMES} WHERE word >= %s AND word < %s")
                params += [word, word, word + "\U0010ffff"]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(sql), params)
            found = {(word, prefix): int(ndoc) for word, prefix, ndoc in cursor.fetchall()}
        for pair in missing:
            counts[pair] = found.get(pair, 0)
            _counts[(database, *pair)] = (now, counts[pair])
    total = counts.pop(("", False))
    return counts, total


def get_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"no search backend for {connection.vendor}")
