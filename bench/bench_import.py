"""Benchmark `biaozhun import` of the ISO catalogue and its relations into fresh databases.

    .venv/bin/python bench/bench_import.py                 # SQLite, 5 runs
    .venv/bin/python bench/bench_import.py --runs 3 --postgres postgres://postgres@127.0.0.1:5432
    .venv/bin/python bench/bench_import.py --runs 1 --profile /tmp/import.prof

Each run gets a new database (a temporary SQLite file, or a PostgreSQL database created and
dropped on the given server), is migrated, then times the import command on
../shared/data/iso/iso_catalog.csv followed by iso_relations.csv. Prints per-run times and
the medians, rows/s counted over the rows of both files. Needs ../shared/data.
"""

import argparse
import cProfile
import csv
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FILES = [DATA / "iso" / "iso_catalog.csv", DATA / "iso" / "iso_relations.csv"]


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _switch(database_url: str) -> None:
    """Point the default connection at a new database (settings are read once per process)."""
    import dj_database_url
    from django.db import connections

    connections["default"].close()
    config = dj_database_url.parse(database_url)
    settings_dict = connections["default"].settings_dict
    settings_dict["NAME"] = config["NAME"]


def _create_pg(server: str) -> str:
    import psycopg

    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def _drop_pg(server: str, url: str) -> None:
    import psycopg
    from django.db import connections

    connections["default"].close()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run_once(profile: str | None) -> dict[str, float]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    times = {}
    profiler = cProfile.Profile() if profile else None
    for path in FILES:
        out = io.StringIO()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        call_command("import", str(path), stdout=out, stderr=io.StringIO())
        if profiler:
            profiler.disable()
        times[path.name] = time.perf_counter() - started
        print("   ", out.getvalue().splitlines()[0])
    if profiler:
        profiler.dump_stats(profile)
        print(f"    profile written to {profile}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="server URL without database name, "
                        "e.g. postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--profile", help="write cProfile stats of the last run to this file")
    args = parser.parse_args()
    if not all(path.exists() for path in FILES):
        print(f"skipped: {DATA} not present (the ISO catalogue and relations are needed)")
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="bench_import_"))
    urls = []
    if args.postgres:
        server = args.postgres.rstrip("/")
        urls = [_create_pg(server) for _ in range(args.runs)]
    else:
        urls = [f"sqlite:///{tmp}/run{i}.sqlite3" for i in range(args.runs)]
    _setup(urls[0])
    from django.db import connection

    rows = {path.name: _rows(path) for path in FILES}
    print(f"{connection.vendor}: {rows} rows, {args.runs} runs")
    results = []
    try:
        for index, url in enumerate(urls):
            _switch(url)
            print(f"run {index + 1}")
            last = index == len(urls) - 1
            times = run_once(args.profile if last else None)
            times["total"] = sum(times.values())
            results.append(times)
            print("    " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()))
            if args.postgres:
                _drop_pg(server, url)
    finally:
        for path in tmp.glob("*"):
            path.unlink()
        tmp.rmdir()
    total_rows = sum(rows.values())
    print("median:")
    for key in results[0]:
        median = statistics.median(r[key] for r in results)
        count = total_rows if key == "total" else rows[key]
        print(f"  {key:20s} {median:6.2f} s  {count / median:9,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
