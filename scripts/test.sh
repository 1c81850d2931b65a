#!/usr/bin/env bash
# The whole suite: layering contract, then pytest on SQLite, then pytest on PostgreSQL.
# In CI (CI=true) the PostgreSQL run and the browser tests are required; elsewhere they are
# skipped with a reason when PostgreSQL or Chromium is not available.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/biaozhun}"
export DJANGO_SETTINGS_MODULE=config.settings_test
export TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend

echo "== import-linter (layering contract)"
$BIN/lint-imports

echo "== pytest on SQLite"
$BIN/python -m pytest -q -n 2 --dist loadgroup "$@"

pg_ready() {
  $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
PY
}

if pg_ready; then
  echo "== pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $BIN/python -m pytest -q -n 2 --dist loadgroup "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI but not reachable at $PG_URL" >&2
  exit 1
else
  echo "SKIPPED: PostgreSQL run — no server at $PG_URL (set TEST_POSTGRES_URL to run it)."
fi
