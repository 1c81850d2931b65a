"""Novelty check (查新): the catalogue's editions most similar to a proposed title and scope.

Similarity is a weighted Dice coefficient of two sets of features — the CJK bigrams (a
one-character run: the character) and Latin/digit words of the normalised text
(`core.text.normalize`: NFKC, traditional → simplified, lower case) — title against title
mostly, title + scope against title + scope secondarily. Bigrams inside the generic words of
standard titles (技术要求, 规范, 试验方法 …: GENERIC_WORDS) weigh a quarter, so that two titles
sharing only "技术规范" are not called similar. The score depends on nothing but the two texts:
stored with an evaluation, it means the same on any catalogue and either database.

Candidates come from the search index, never from a scan (see `candidate_keys`); at most
CANDIDATE_LIMIT rows are read, and only the promising ones have their scope compared.
"""

from __future__ import annotations

import heapq
import re
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from itertools import combinations

from django.db import connection

from biaozhun.catalog.models import Level, Status
from biaozhun.core.text import Term, normalize
from biaozhun.search import index
from biaozhun.search.backends import ID_MASK, get_backend, lexeme_counts

SCORE_THRESHOLD = 0.2  # below: not similar enough to show, nor to put a standard first
TITLE_WEIGHT = 0.75  # the rest is title + scope against title + scope
GENERIC_WEIGHT = 0.25
MAX_TITLE = 500
MAX_SCOPE = 5_000
MAX_LIMIT = 50
CANDIDATE_LIMIT = 2_000  # rows read and scored per call, whatever the catalogue's size
PROBE_CAP = 1_000  # a feature matching at most this many editions is read whole at once
READ_CAP = 3_000  # a conjunction matching more is dropped (too broad to say anything)
PROBE_BUDGET = 9_000  # estimated index matches read for conjunctions per call
FALLBACK_CAP = 20_000  # nothing selective: the most selective word is read in rank order
SCOPE_WINDOW = 400  # rows of each group, by title, whose scope is compared
MAX_PROBE_FEATURES = 32  # of the title, in reading order
MAX_PROBES = 24
MAX_SHARED = 8
# Status and level that make an existing edition a reason not to write a local standard.
BINDING_STATUSES = (Status.CURRENT, Status.UPCOMING)
BINDING_LEVELS = (Level.NATIONAL, Level.INDUSTRY)

# What GB/T 1.1 calls the supplementary element of a title (its aspect) and the stock words
# of scope statements: shared by thousands of unrelated standards.
GENERIC_WORDS = (
    "技术", "要求", "规范", "规程", "规则", "规定", "指南", "导则", "准则", "标准",
    "方法", "试验", "测试", "测定", "检测", "检验", "监测", "评价", "评定", "评估",
    "分级", "等级", "划分", "质量", "安全", "管理", "服务", "设计", "施工", "安装",
    "验收", "运行", "维护", "保养", "维修", "使用", "操作", "通用", "基本", "总则",
    "术语", "定义", "符号", "分类", "代码", "编码", "标志", "标识", "标签", "包装",
    "运输", "贮存", "储存", "条件", "产品", "生产", "加工", "建设", "实施", "应用",
    "体系", "指标", "部分", "本文件", "本标准", "适用于", "包括", "内容", "以及",
)
_GENERIC = re.compile("|".join(sorted(GENERIC_WORDS, key=len, reverse=True)))

# The CJK ranges of core.text: a feature is what the index calls a token, minus the last
# character of each run (already inside the run's last bigram).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_PIECE = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")


@dataclass(frozen=True)
class Similar:
    """One existing edition and how similar it is (0..1, 3 decimals) with the shared terms."""

    id: int
    code: str
    title_zh: str
    level: str
    status: str
    score: float
    shared: list[str] = field(default_factory=list, hash=False)

    @property
    def binding(self) -> bool:
        """A current or upcoming national or industry standard."""
        return self.status in BINDING_STATUSES and self.level in BINDING_LEVELS

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def level_label(self) -> str:
        return str(dict(Level.choices).get(self.level, self.level))

    def as_dict(self) -> dict:
        """JSON-able form, stored with an evaluation."""
        data = asdict(self)
        data["shared"] = list(self.shared)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Similar:
        """Back from `as_dict` (to render a stored result with `search/_similar.html`)."""
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        return cls(**{**values, "shared": list(values.get("shared", ()))})


def similar_to_dicts(results: Iterable[Similar]) -> list[dict]:
    return [item.as_dict() for item in results]


# --- features and score -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Features:
    """Feature → weight (1, or GENERIC_WEIGHT inside a generic word), and their sum."""

    weights: dict[str, float]
    total: float

    def __bool__(self) -> bool:
        return bool(self.weights)

    def __or__(self, other: Features) -> Features:
        if not other.weights:
            return self
        merged = dict(other.weights)
        for feature, weight in self.weights.items():
            if merged.get(feature, 0.0) < weight:
                merged[feature] = weight
        return Features(merged, sum(merged.values()))


EMPTY = Features({}, 0.0)


def _pieces(norm: str) -> list[tuple[str, bool]]:
    """(text, is_cjk) of each CJK run and Latin/digit word of normalised text."""
    return [(run or word, bool(run)) for run, word in _PIECE.findall(norm)]


def _run_weights(run: str) -> list[tuple[str, float]]:
    """(bigram, weight) of a CJK run: generic when both characters lie in generic words."""
    if len(run) == 1:
        return [(run, 1.0)]
    covered = bytearray(len(run))
    for match in _GENERIC.finditer(run):
        covered[match.start():match.end()] = b"\x01" * (match.end() - match.start())
    return [(run[i:i + 2], GENERIC_WEIGHT if covered[i] and covered[i + 1] else 1.0)
            for i in range(len(run) - 1)]


def _compute(text: str) -> Features:
    weights: dict[str, float] = {}
    for piece, cjk in _pieces(normalize(text)):
        for feature, weight in _run_weights(piece) if cjk else [(piece, 1.0)]:
            if weights.get(feature, 0.0) < weight:
                weights[feature] = weight
    return Features(weights, sum(weights.values()))


@lru_cache(maxsize=65_536)
def _cached(text: str) -> Features:
    return _compute(text)


def features(text: str) -> Features:
    """The weighted features of a text (titles repeat across editions: cached)."""
    if not text:
        return EMPTY
    return _cached(text) if len(text) <= 200 else _compute(text)


def ordered_features(text: str) -> list[str]:
    """Distinct features of `text` in reading order."""
    return list(features(text).weights)


def dice(a: Features, b: Features) -> float:
    """2 · shared weight / (weight of a + weight of b)."""
    if not a.weights or not b.weights:
        return 0.0
    small, large = (a, b) if len(a.weights) <= len(b.weights) else (b, a)
    other = large.weights
    shared = sum(min(w, other[f]) for f, w in small.weights.items() if f in other)
    return 2 * shared / (a.total + b.total)


def score(title: Features, full: Features | None, other_title: Features,
          other_full: Features) -> float:
    """0.75 · dice(titles) + 0.25 · dice(title + scope, title + scope), 3 decimals; the title
    alone when the proposal has no scope (a bare title against a title + scope would
    penalise every edition for having one)."""
    title_part = dice(title, other_title)
    if full is None:
        return round(title_part, 3)
    return round(TITLE_WEIGHT * title_part + (1 - TITLE_WEIGHT) * dice(full, other_full), 3)


def shared_terms(text: str, wanted: Features) -> list[str]:
    """The longest pieces of `text` (normalised) made of `wanted` features, in order:
    `养老机构服务` rather than five bigrams; pieces of generic words alone come last."""
    found: dict[str, bool] = {}  # piece → only generic bigrams
    weights = wanted.weights
    for piece, cjk in _pieces(normalize(text)):
        if not cjk or len(piece) == 1:
            if piece in weights:
                found.setdefault(piece, False)
            continue
        start, generic = None, True
        for i, (bigram, weight) in enumerate(_run_weights(piece)):
            if bigram not in weights:
                continue
            if start is None:
                start, generic = i, True
            generic = generic and weight < 1
            if i == len(piece) - 2 or piece[i + 1:i + 3] not in weights:
                found.setdefault(piece[start:i + 2], generic)
                start = None
    ordered = [p for p, generic in found.items() if not generic]
    ordered += [p for p, generic in found.items() if generic]
    return ordered[:MAX_SHARED]


# --- candidates -------------------------------------------------------------------------------

def _terms(feature_texts: Iterable[str]) -> list[Term]:
    """Index terms requiring every feature (each one exact token)."""
    return [Term(text=f, tokens=((f, False),)) for f in feature_texts]


def _probe(probes: list[tuple[str, ...]], cap: int) -> list[list[int]]:
    """Document keys of up to cap + 1 editions matching every feature of each probe (in no
    particular order: more than `cap` means "too many"), all probes in one statement."""
    if not probes:
        return []
    backend = get_backend()
    if connection.vendor == "sqlite":
        one = (f"(SELECT group_concat(rowid) FROM (SELECT rowid FROM {index.FTS} "
               f"WHERE {index.FTS} MATCH %s LIMIT {cap + 1}))")
    else:
        one = (f"(SELECT string_agg(doc_key::text, ',') FROM (SELECT doc_key FROM {index.DOCS} "
               f"WHERE vector @@ %s::tsquery LIMIT {cap + 1}) probe)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([one] * len(probes)),
                       [backend.expression(_terms(p)) for p in probes])
        row = cursor.fetchone()
    return [[int(k) for k in text.split(",")] if text else [] for text in row]


def _first_in_rank_order(probe: tuple[str, ...], limit: int) -> list[int]:
    """The first `limit` keys of a probe in rank order (the backend walks the keys or reads
    every match, whichever its statistics say is cheaper)."""
    return get_backend().keys(_terms(probe), limit=limit)


_COMMON_TTL = 3600.0  # seconds: how long SQLite's exact frequent-word counts are trusted


def _catalogue_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_standard")
        return cursor.fetchone()[0]


_VOCABULARY: dict[str, dict[str, tuple[float, int]]] = {}


def _sqlite_frequencies(tokens: list[str]) -> dict[str, int]:
    """Exact document frequencies from FTS5's vocabulary. Reading one costs its whole
    doclist (8 ms for a word in a quarter of a million rows), so frequent words are
    remembered for as long as PostgreSQL's statistics are."""
    now = time.monotonic()
    known = _VOCABULARY.setdefault(connection.settings_dict["NAME"], {})
    out = {t: known[t][1] for t in tokens if t in known and now - known[t][0] <= _COMMON_TTL}
    missing = [t for t in tokens if t not in out]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{index.FTS}_vocab USING "
                           f"fts5vocab(main, {index.FTS}, 'row')")
            cursor.execute(f"SELECT term, doc FROM temp.{index.FTS}_vocab WHERE term IN ("
                           + ", ".join(["%s"] * len(missing)) + ")", missing)
            for token, count in cursor.fetchall():
                out[token] = count
                known[token] = (now, count)
    return out


def frequencies(tokens: list[str]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Editions containing each token (exact up to PROBE_CAP; beyond, exact on SQLite from
    FTS5's vocabulary, on PostgreSQL as `search_lexeme` last counted them), and the keys of
    the tokens found at most PROBE_CAP times (read by the same statement)."""
    df: dict[str, int] = {}
    if connection.vendor == "postgresql":
        counts, _total = lexeme_counts({(token, False) for token in tokens})
        for token in tokens:
            estimate = counts[(token, False)]
            if estimate > 4 * PROBE_CAP:  # far above the cap: trust the count
                df[token] = estimate
    rest = [t for t in tokens if t not in df]
    found = dict(zip(rest, _probe([(t,) for t in rest], PROBE_CAP), strict=True))
    over = [t for t, keys in found.items() if len(keys) > PROBE_CAP]
    if over and connection.vendor == "sqlite":
        df.update(_sqlite_frequencies(over))
    for token, keys in found.items():
        df.setdefault(token, len(keys))
    return df, {t: keys for t, keys in found.items() if len(keys) <= PROBE_CAP and keys}


def _words(title: str, df: dict[str, int]) -> list[tuple[str, ...]]:
    """The title's words as the catalogue knows them: stretches of consecutive bigrams that
    occur in the index (a bigram found nowhere — across two words, or in an unknown word —
    separates them); each Latin word and one-character run alone."""
    out: list[tuple[str, ...]] = []
    for piece, cjk in _pieces(normalize(title)):
        current: list[str] = []
        pieces = [f for f, _w in _run_weights(piece)] if cjk else [piece]
        for feature in pieces:
            if df.get(feature, 0):
                current.append(feature)
            elif current:
                out.append(tuple(current))
                current = []
        if current:
            out.append(tuple(current))
    return list(dict.fromkeys(out))


def candidate_keys(title: str, *, limit: int = CANDIDATE_LIMIT) -> list[int]:
    """Document keys (rank << 32 | id) of at most `limit` editions likely to be similar to
    `title`, from sets of matches each known whole:

    1. every edition containing a selective feature (≤ PROBE_CAP matches, e.g. `浏阳`);
    2. for the other words of the title, each stood for by its rarest feature: editions
       containing one word (≤ READ_CAP matches) or two (`养老` and `评价`), most selective
       first, each tried only if estimated at ≤ READ_CAP matches (independence between
       words) and kept only if it has that few;
    3. if nothing was selective, the most selective of those read in rank order.

    Sets are taken smallest first, each its share of `limit` in rank order (current
    national standards first). Nothing depends on the order rows come out of an index, so
    both databases give the same candidates when their frequencies agree.
    """
    tokens = ordered_features(title)[:MAX_PROBE_FEATURES]
    if not tokens:
        return []
    df, complete = frequencies(tokens)
    size = max(_catalogue_size(), 1)
    sets = list(complete.values())
    weights = features(title).weights
    words = [w for w in _words(title, df) if not any(f in complete for f in w)]
    # A word by its rarest feature: "技术规程" still finds "技术规范" (术规).
    rarest = {w: min(w, key=lambda f: (df[f], tokens.index(f))) for w in words}
    probes: dict[tuple[str, ...], float] = {(rarest[w],): df[rarest[w]] for w in words}
    for a, b in combinations(words, 2):
        if all(weights[f] < 1 for f in a + b):
            continue  # two generic words: "质量" and "规范" say nothing about the subject
        if rarest[a] != rarest[b]:
            probes[(rarest[a], rarest[b])] = df[rarest[a]] * df[rarest[b]] / size
    by_estimate = sorted(probes.items(), key=lambda item: item[1])
    chosen, spent = [], 0.0
    for probe, expected in by_estimate:
        if expected > READ_CAP or spent + expected > PROBE_BUDGET or len(chosen) >= MAX_PROBES:
            break
        chosen.append(probe)
        spent += expected
    sets += [keys for keys in _probe(chosen, READ_CAP) if 0 < len(keys) <= READ_CAP]
    if not sets:
        telling = [(p, e) for p, e in by_estimate if any(weights[f] == 1 for f in p)]
        if telling and telling[0][1] <= FALLBACK_CAP:
            sets.append(_first_in_rank_order(telling[0][0], limit))
    found: dict[int, None] = {}
    sets.sort(key=len)
    for position, keys in enumerate(sets):
        share = (limit - len(found)) // (len(sets) - position)
        found.update(dict.fromkeys(sorted(keys)[:share]))
    return list(found)


# --- entry point ------------------------------------------------------------------------------

_ROWS_SQL = ("SELECT id, code, title_zh, title_en, level, status FROM catalog_standard "
             "WHERE id IN ({})")


def _scopes(ids: list[int]) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, scope FROM catalog_standard WHERE id IN ("
                       + ", ".join(["%s"] * len(ids)) + ")", ids)
        return dict(cursor.fetchall())


def similar_standards(title: str, scope: str = "", *, limit: int = 10,
                      exclude_ids: Iterable[int] = ()) -> list[Similar]:
    """The editions most similar to a proposed title (and scope): current or upcoming
    national and industry standards first, then the rest, each by score then code; only
    scores ≥ SCORE_THRESHOLD. A blank title gives []."""
    title = (title or "")[:MAX_TITLE]
    scope = (scope or "")[:MAX_SCOPE]
    mine = features(title)
    limit = max(0, min(limit, MAX_LIMIT))
    if not mine or not limit:
        return []
    scope_features = features(scope)
    full = mine | scope_features if scope_features else None
    excluded = set(exclude_ids)
    ids = [k & ID_MASK for k in candidate_keys(title)]
    ids = [pk for pk in ids if pk not in excluded]
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL.format(", ".join(["%s"] * len(ids))), ids)
        rows = cursor.fetchall()
    # Title similarity first; the scope part (a quarter) is compared only for the rows
    # whose title leaves them a chance of the first `limit` places of their group.
    groups: dict[bool, list] = {True: [], False: []}
    for pk, code, title_zh, title_en, level, status in rows:
        shown = title_zh or title_en
        title_part = dice(mine, features(shown))
        bound = title_part if full is None else TITLE_WEIGHT * title_part + 1 - TITLE_WEIGHT
        if bound >= SCORE_THRESHOLD:
            binding = status in BINDING_STATUSES and level in BINDING_LEVELS
            groups[binding].append((bound, title_part, pk, code, shown, level, status))
    results: list[Similar] = []
    for binding in (True, False):
        need = limit - len(results)
        if need > 0:
            results += _best(groups[binding], need, full, mine)
    return results


def _best(rows: list[tuple], need: int, full: Features | None, mine: Features) -> list[Similar]:
    """The `need` best of one group by score then code. Scopes are compared for the
    SCOPE_WINDOW rows with the best titles, and only while a row's bound (its title part
    plus a perfect scope part) could still beat the current `need`-th."""
    rows = sorted(rows, key=lambda r: (-r[0], r[3]))
    scopes: dict[int, str] = {}
    best: list[tuple] = []  # heap: the worst kept (lowest score, then highest code) on top
    if full is not None:
        rows = rows[:SCOPE_WINDOW]
    for position, (bound, _title, pk, code, shown, level, status) in enumerate(rows):
        if len(best) >= need and bound < best[0][0] - 0.0005:
            break  # sorted by bound: no later row can enter
        other = features(shown)
        if full is not None:
            if pk not in scopes:
                scopes.update(_scopes([r[2] for r in rows[position:position + 200]]))
            other_full = other | features(scopes.get(pk, ""))
        value = score(mine, full, other, other_full if full is not None else other)
        if value < SCORE_THRESHOLD:
            continue
        item = (value, _Backwards(code), pk, shown, level, status)
        if len(best) < need:
            heapq.heappush(best, item)
        elif item[:2] > best[0][:2]:
            heapq.heapreplace(best, item)
    return [Similar(id=pk, code=backwards.code, title_zh=shown, level=level, status=status,
                    score=value, shared=shared_terms(shown, full or mine))
            for value, backwards, pk, shown, level, status in sorted(
                best, key=lambda r: (-r[0], r[1].code))]


@dataclass(frozen=True, slots=True)
class _Backwards:
    """A code that sorts backwards: on equal scores the heap drops the larger code first."""

    code: str

    def __lt__(self, other: _Backwards) -> bool:
        return self.code > other.code

    def __gt__(self, other: _Backwards) -> bool:
        return self.code < other.code
