"""Search latency, index build time and size with N synthetic standards (issue #4).

    python bench/bench_search.py --count 1000000 [--backend sqlite|postgres] [--prepare-only]
    python bench/bench_search.py --count 1000000 --did-you-mean   # number queries with no hit

The catalogue is generated once per backend and count into its own database (SQLite file
/tmp/biaozhun-search-<count>.sqlite3, PostgreSQL database biaozhun_search_<count>) with the
index dropped while rows are written; the benchmark then times a full `rebuild_search_index`
(recompute every row's search column + build the index), and runs a fixed query mix through
the search service, each query also answered by a naive `LIKE '%…%'` scan that must return
the same matches. Targets: p95 ≤ 50 ms with facets at 3.5M on SQLite; ≥ 50× faster than the
naive scan; index build ≤ 10 minutes at 3.5M.
"""

import argparse
import json
import random
import statistics
import sys
import time

from _django import machine, postgres_url, setup


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare(count: int) -> dict:
    """Migrate, generate the missing rows with the index dropped, then time the rebuild."""
    from django.core.management import call_command

    from biaozhun.catalog.models import Standard
    from biaozhun.search import index

    call_command("migrate", verbosity=0)
    have = Standard.objects.count()
    figures = {}
    if have < count:
        index.uninstall()
        started = time.perf_counter()
        call_command("generate", count=count - have, verbosity=0)
        figures["generate_s"] = time.perf_counter() - started
        print(f"generated {count - have} rows in {figures['generate_s']:.0f} s", flush=True)
        figures.update(build())
    return figures


def build(recompute: bool | None = None) -> dict:
    """Time `rebuild_search_index`. On PostgreSQL the column written by the generator is kept
    (`--no-recompute`): rewriting 3.5M rows there costs more than the index itself."""
    from django.db import connection

    from biaozhun.search import index

    if recompute is None:
        recompute = connection.vendor != "postgresql"
    started = time.perf_counter()
    timings = index.rebuild(recompute=recompute)
    total = time.perf_counter() - started
    size = index.size_bytes()
    print(f"index build {total:.0f} s (recompute={recompute}: column {timings['compute']:.0f} s, index "
          f"{timings['index']:.0f} s), size {(size or 0) / 2**20:.0f} MiB", flush=True)
    return {"build_s": total, **{f"build_{k}_s": v for k, v in timings.items()},
            "index_mib": (size or 0) / 2**20}


# (query, filters): numbers are filled in from the catalogue (see numbers()).
TEXT_MIX = [
    ("水", {}), ("电池", {}), ("充电桩", {}), ("锂离子电", {}), ("锂离子动力", {}),
    ("电动汽车用锂", {}), ("技术要求", {}), ("本文件", {}), ("安全", {}), ("检验规则", {}),
    ("殡葬服务", {}), ("湘绣", {}), ("保险服务", {}), ("株洲", {}), ("電動汽車", {}),
    ("飲用水 衛生", {}), ("电动汽车 安全要求", {}), ("食品 -添加剂", {}), ('"冷链物流 术语"', {}),
    ("电池", {"level": "national"}), ("技术要求", {"status": "current", "level": "local"}),
    ("水泥", {"year_from": "2010", "year_to": "2020"}), ("充电桩", {"issuer": "DB43/T"}),
    ("安全", {"nature": "mandatory"}), ("本文件", {"status": "superseded"}),
    ("养老机构服务", {"level": "local", "status": "current"}),
]


def numbers(count: int) -> list[tuple[str, dict]]:
    """A dozen number queries over existing editions, in the spellings people type."""
    from biaozhun.catalog.models import Standard

    rng = random.Random(count)
    step = max(1, count // 40)
    rows = list(Standard.objects.filter(pk__in=[rng.randint(1, count) for _ in range(40)])
                .values_list("code", "prefix", "number", "year"))[:6]
    mix = []
    for code, prefix, number, _year in rows:
        mix.append((code, {}))
        mix.append((f"{prefix.replace('/', '').lower()}{number}", {}))  # gbt80123
    code, prefix, number, year = rows[0]
    full = code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}).replace(" ", "\u3000")
    mix.append((full, {}))  # full-width
    mix.append((f"{prefix} {number}-{(year or 2000) + 1}", {}))  # a missing edition
    mix.append((f"{prefix} {number} 技术", {}))  # mixed
    del step
    return mix


def run_did_you_mean(args) -> int:
    """Number queries with no hit, through each "did you mean" step: another nature of an
    existing number (`GB 19001` for `GB/T 19001`), a number nothing starts with and none is
    one keystroke from, and existing numbers with two digits swapped."""
    import statistics

    from biaozhun.catalog.models import Standard
    from biaozhun.search import selectors

    rng = random.Random(args.count)
    rows = list(Standard.objects.filter(
        pk__in=[rng.randint(1, args.count) for _ in range(200)],
        prefix__in=["GB", "GB/T", "DB43/T", "DB31/T"]).values_list("prefix", "number"))[:4]
    mix = [("GB/T 9999999-2020", "nothing near")]
    for prefix, number in rows:
        other = prefix[:-2] if prefix.endswith("/T") else prefix + "/T"
        # Dated: a bare `DB31/T 151991` reads as `DB31/T 15-1991`, the year glued on.
        mix.append((f"{other} {number}-2020", "other nature"))
        if len(number) >= 3 and number[1] != number[2]:
            swapped = f"{number[0]}{number[2]}{number[1]}{number[3:]}"
            mix.append((f"{prefix} {swapped}-2020", "swapped"))
    print(f"# did you mean · {args.backend} · {Standard.objects.count():,} standards · "
          f"{len(mix)} queries × {args.repeat}")
    for query, kind in mix:
        selectors.search(query)  # warm
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = selectors.search(query)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {query:27} {kind:13} hits {result.total:3}  did you mean "
              f"{len(result.did_you_mean)}  p50 {statistics.median(times):6.1f} ms  "
              f"max {max(times):6.1f}")
    return 0


def naive_keys(query: str, filters: dict, limit: int) -> list[int]:
    """The same matches by a LIKE '%…%' scan of the search column, sorted like the index."""
    from django.db import connection

    from biaozhun.core.text import parse_terms
    from biaozhun.search.index import rank_sql

    where, params = [], []
    for term in parse_terms(query):
        pattern = " ".join(t for t, _prefix in term.tokens)
        # Prefix tokens (a last single CJK character or Latin word) may continue.
        where.append("search_text NOT LIKE %s" if term.negated else "search_text LIKE %s")
        params.append(f"%{pattern}%")
    for name in ("level", "status", "nature"):
        if filters.get(name):
            where.append(f"{name} = %s")
            params.append(filters[name])
    if filters.get("issuer"):
        where.append("prefix = %s")
        params.append(filters["issuer"])
    if filters.get("year_from"):
        where.append("year >= %s")
        params.append(int(filters["year_from"]))
    if filters.get("year_to"):
        where.append("year <= %s")
        params.append(int(filters["year_to"]))
    sql = (f"SELECT ({rank_sql()}) * 4294967296 + id FROM catalog_standard WHERE "
           + " AND ".join(where) + f" ORDER BY 1 LIMIT {limit}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def run_mix(args, figures: dict) -> int:
    from django.db import connection

    from biaozhun.catalog.models import Standard
    from biaozhun.catalog.selectors import StandardFilters
    from biaozhun.search import selectors
    from biaozhun.search.query import parse_query

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalog_standard")
            cursor.execute("VACUUM ANALYZE search_document")
    total = Standard.objects.count()
    mix = numbers(args.count) + TEXT_MIX
    for query, filters in mix:  # warm caches and the OS page cache once
        selectors.search(query, StandardFilters.from_mapping(filters))
    times: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for query, filters in mix:
            started = time.perf_counter()
            selectors.search(query, StandardFilters.from_mapping(filters))
            took = (time.perf_counter() - started) * 1000
            times.setdefault(f"{query} {filters or ''}".strip(), []).append(took)
    every = [t for ts in times.values() for t in ts]
    faceted = [t for (q, f) in mix for t in times[f"{q} {f or ''}".strip()] if f]
    print(f"# bench_search · {connection.vendor} · {total:,} standards · {len(mix)} queries × "
          f"{args.repeat} passes (service level: parse, match, rank, facets, page, highlight)")
    print(machine())
    for name, values in (("all queries", every), ("with filters", faceted)):
        print(f"{name:13s} p50 {statistics.median(values):7.1f} ms   p95 "
              f"{percentile(values, 0.95):7.1f} ms   p99 {percentile(values, 0.99):7.1f} ms")
    for name, values in times.items():
        print(f"  {name:45s} p50 {statistics.median(values):7.1f} ms  max {max(values):7.1f}")
    # Naive scan: same matches (first cap + 1 in rank order), timed once per query.
    print("naive LIKE scan vs index (text queries; the same first cap + 1 matches in rank order: "
          "10,001, 1,001 with a nature / issuer filter, fewer where PostgreSQL counts less):")
    ratios = []
    for query, filters in TEXT_MIX[::args.naive_every]:
        parsed = parse_query(query)
        flt = StandardFilters.from_mapping(filters)
        started = time.perf_counter()
        keys, cap = selectors.matching_keys(parsed, flt)
        indexed = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        naive = naive_keys(query, filters, cap + 1)
        scanned = (time.perf_counter() - started) * 1000
        if naive != keys:
            print(f"  MISMATCH {query!r} {filters}: naive {len(naive)} vs index {len(keys)}")
            return 1
        full = statistics.median(times[f"{query} {filters or ''}".strip()])
        ratios.append(scanned / full)
        print(f"  {query + ' ' + str(filters or ''):40s} {len(keys):6d} matches  naive "
              f"{scanned:8.0f} ms  index keys {indexed:6.1f} ms  whole search {full:6.1f} ms  "
              f"×{scanned / full:,.0f}")
    print(f"speed-up of the whole search over the naive scan: median ×{statistics.median(ratios):,.0f},"
          f" min ×{min(ratios):,.0f}")
    if figures:
        print("build:", json.dumps(figures))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="time a rebuild of a prepared db")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the query mix")
    parser.add_argument("--did-you-mean", action="store_true",
                        help="time number queries with no hit (the suggestion steps) instead")
    parser.add_argument("--naive-every", type=int, default=1,
                        help="compare every Nth text query with the naive scan (time)")
    args = parser.parse_args()
    if args.backend == "sqlite":
        url = f"sqlite:////tmp/biaozhun-search-{args.count}.sqlite3"
    else:
        url = postgres_url(f"biaozhun_search_{args.count}")
        if url is None:
            return 0
    setup(url)
    figures = prepare(args.count)
    if args.rebuild and "build_s" not in figures:
        figures.update(build())
    if args.prepare_only:
        print(json.dumps(figures))
        return 0
    if args.did_you_mean:
        return run_did_you_mean(args)
    return run_mix(args, figures)


if __name__ == "__main__":
    sys.exit(main())
