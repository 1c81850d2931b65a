#!/usr/bin/env bash
# Time from a clean clone to a served home page with `make run` (issue #2 target: ≤ 3 min).
# Usage: bash bench/bench_make_run.sh [runs]   — clones HEAD into a temporary folder each run.
set -euo pipefail
runs="${1:-1}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
port=8765
for i in $(seq 1 "$runs"); do
  work="$(mktemp -d)"
  git clone -q "$repo" "$work/biaozhun"
  cd "$work/biaozhun"
  start=$(date +%s.%N)
  PORT=$port make run > "$work/run.log" 2>&1 &
  pid=$!
  ok=""
  for _ in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$port/" -o /dev/null 2>/dev/null; then ok=1; break; fi
    if ! kill -0 $pid 2>/dev/null; then break; fi
    sleep 0.5
  done
  end=$(date +%s.%N)
  pkill -INT -P $pid 2>/dev/null || true
  kill -INT $pid 2>/dev/null || true
  sleep 3
  pkill -f "gunicorn.*127.0.0.1:$port" 2>/dev/null || true
  if [ -z "$ok" ]; then tail -30 "$work/run.log"; echo "run $i: make run did not serve" >&2; exit 1; fi
  printf 'run %d: clean clone to serving in %.1f s\n' "$i" "$(echo "$end - $start" | bc)"
  cd "$repo"; rm -rf "$work"
done
