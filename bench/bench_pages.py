"""Detail and filtered-list page latency with N synthetic standards loaded (in-process).

    python bench/bench_pages.py [--count 1000000] [--backend sqlite|postgres] [--requests 300]

The catalogue is generated once per backend and count and kept (SQLite file under /tmp, or a
PostgreSQL database `biaozhun_bench_<count>`); later runs reuse it. Target (issue #2): p95 ≤
30 ms per request for detail and filtered lists at 1,000,000 standards.
"""

import argparse
import random
import statistics
import sys
import time

from _django import machine, postgres_url, setup

LISTS = [
    "/standards/",
    "/standards/?level=local",
    "/standards/?level=national&status=current",
    "/standards/?status=superseded&sort=-issued_on",
    "/standards/?issuer=GB/T&year_from=2010&year_to=2015",
    "/standards/?level=group&page=40",
    "/standards/?level=industry&nature=recommended",
    "/standards/?q=DB43/T 80010",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if args.backend == "sqlite":
        url = f"sqlite:////tmp/biaozhun-bench-{args.count}.sqlite3"
    else:
        url = postgres_url(f"biaozhun_bench_{args.count}")
        if url is None:
            return 0
    setup(url)
    from django.core.management import call_command
    from django.test import Client

    from biaozhun.catalog.models import Standard

    call_command("migrate", verbosity=0)
    have = Standard.objects.count()
    if have < args.count:
        started = time.perf_counter()
        call_command("generate", count=args.count - have, verbosity=0)
        print(f"generated {args.count - have} rows in {time.perf_counter() - started:.0f} s")
    # What autovacuum does on a live server soon after a bulk load (PostgreSQL only):
    # statistics for the planner and the visibility map for index-only counts.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalog_standard")
    codes = list(Standard.objects.values_list("code", flat=True).order_by("?")[:args.requests]) \
        if args.backend == "postgres" else [
            c for c in Standard.objects.filter(pk__in=random.Random(1).sample(
                range(1, args.count), args.requests)).values_list("code", flat=True)]
    client = Client()
    client.get("/standards/")  # warm the URL resolver and template cache

    def measure(paths: list[str]) -> list[float]:
        times = []
        for path in paths:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        return times

    from urllib.parse import quote

    results = {}
    detail_paths = [f"/standards/{quote(code)}" for code in codes]
    list_paths = [LISTS[i % len(LISTS)] for i in range(args.requests)]
    for name, paths in (("detail", detail_paths), ("list", list_paths)):
        measure(paths[:20])
        times = measure(paths)
        results[name] = times
    print(f"# bench_pages · {args.backend} · {Standard.objects.count():,} standards · "
          f"{args.requests} requests each")
    print(machine())
    for name, times in results.items():
        print(f"{name:7s} p50 {statistics.median(times):6.1f} ms   p95 "
              f"{percentile(times, 0.95):6.1f} ms   max {max(times):6.1f} ms")
    per_list = {}
    for path, took in zip(list_paths, results["list"], strict=True):
        per_list.setdefault(path, []).append(took)
    for path, times in per_list.items():
        print(f"  {path:55s} p50 {statistics.median(times):6.1f}  p95 "
              f"{percentile(times, 0.95):6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
