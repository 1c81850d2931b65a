"""`make bench`: run every benchmark in turn; copy the figures into docs/benchmarks.md.

Set BENCH_QUICK=1 for a smoke run (small counts) that checks the scripts still work.
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
PY = sys.executable

STEPS = [
    [PY, str(HERE / "bench_codes.py")] + (["--quick"] if QUICK else []),
    [PY, str(HERE / "bench_import.py"), "--runs", "1" if QUICK else "5"],
    [PY, str(HERE / "bench_import.py"), "--runs", "1" if QUICK else "3", "--postgres",
     "postgres://postgres@127.0.0.1:5432"],
    [PY, str(HERE / "bench_pages.py"), "--count", "20000" if QUICK else "1000000"],
    [PY, str(HERE / "bench_pages.py"), "--backend", "postgres", "--count",
     "20000" if QUICK else "1000000"],
    [PY, str(HERE / "bench_search.py"), "--count", "20000" if QUICK else "1000000"],
    [PY, str(HERE / "bench_search.py"), "--backend", "postgres", "--count",
     "20000" if QUICK else "1000000"],
    [PY, str(HERE / "bench_novelty.py"), "--count", "20000" if QUICK else "1000000"],
    [PY, str(HERE / "bench_novelty.py"), "--backend", "postgres", "--count",
     "20000" if QUICK else "1000000"],
    [PY, str(HERE / "bench_validity.py"), "--count", "20000" if QUICK else "1000000"],
    *([PY, str(HERE / "bench_projects.py"), "--backend", backend,
       *(["--projects", "1000", "--events", "20000", "--requests", "20"] if QUICK else [])]
      for backend in ("sqlite", "postgres")),
    *([PY, str(HERE / "bench_consultations.py"), "--backend", backend,
       *(["--comments", "500", "--runs", "1", "--requests", "20"] if QUICK else [])]
      for backend in ("sqlite", "postgres")),
    ["bash", str(HERE / "bench_make_run.sh"), "1"],
]


def main() -> int:
    failed = 0
    for step in STEPS:
        print("$", " ".join(step[1:] if step[0] == PY else step), flush=True)
        failed += subprocess.run(step, cwd=HERE.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
