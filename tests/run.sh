#!/usr/bin/env bash
# The whole test suite, on SQLite and on a fresh PostgreSQL database side by side. Installs what the
# tests need (Debian's chromium, node and npm, dovecot, a running PostgreSQL) when it is
# missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else echo "skipping (needs root): $*" >&2; return 1; fi; }
apt_install() {
  as_root bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $* >/dev/null"
}

# --- Chromium for the browser tests ------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium"
  apt_install chromium fonts-liberation || true
fi

# --- node and npm: ical.js reads our calendar files (tests install it into a cache dir) ----
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "== installing node and npm"
  apt_install nodejs npm || true
fi

# --- dovecot: a real IMAP server for calendar replies (each test session starts its own,
# on a free port with a throwaway config; the system service is not used) ----------------
if ! command -v dovecot >/dev/null 2>&1; then
  echo "== installing dovecot"
  if apt_install dovecot-imapd && command -v systemctl >/dev/null 2>&1; then
    as_root systemctl disable --now dovecot >/dev/null 2>&1 || true
  fi
fi
if [ "${CI:-}" = "true" ]; then
  for tool in node npm dovecot; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is required under CI=true but could not be installed." >&2; exit 1; }
  done
fi

# --- PostgreSQL ---------------------------------------------------------------------------
PG_URL=""
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "== installing PostgreSQL"
  apt_install postgresql || true
fi
if command -v pg_lsclusters >/dev/null 2>&1; then
  read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ < <(pg_lsclusters -h | head -n1) || true
  if [ -n "${PG_VERSION:-}" ] && [ "${PG_STATUS:-}" != "online" ]; then
    echo "== starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
    as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start || true
  fi
  if [ -n "${PG_PORT:-}" ] && as_root runuser -u postgres -- psql -p "$PG_PORT" -qAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'liaison_test') THEN
    CREATE ROLE liaison_test LOGIN CREATEDB PASSWORD 'liaison_test';
  END IF;
END $$;
-- DROP DATABASE ... WITH (FORCE) on scratch databases must be able to end an autovacuum
-- worker that happens to be in them (it has no role, so only this grants it).
GRANT pg_signal_backend TO liaison_test;
DROP DATABASE IF EXISTS liaison_test WITH (FORCE);
CREATE DATABASE liaison_test OWNER liaison_test;
-- Test data is disposable: don't wait for the disk on every commit.
ALTER DATABASE liaison_test SET synchronous_commit = off;
SQL
  then
    PG_URL="postgresql+psycopg://liaison_test:liaison_test@127.0.0.1:${PG_PORT}/liaison_test"
  fi
fi

echo "== ruff"
$BIN/ruff check .

if [ -z "$PG_URL" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required under CI=true but could not be started." >&2
    exit 1
  fi
  echo "== tests on SQLite"
  $BIN/pytest "$@"
  echo "== PostgreSQL not available: skipped the PostgreSQL run (required when CI=true)"
  exit 0
fi

# The two runs share nothing (each has its own database, temporary folders and free ports),
# so they run side by side, one core each; PostgreSQL's output is shown when it is done.
echo "== tests on SQLite and on PostgreSQL, side by side"
RUNS=$(mktemp -d)
trap 'kill ${PG_RUN:-} 2>/dev/null || true; rm -rf "$RUNS"' EXIT
TEST_DATABASE_URL="$PG_URL" $BIN/pytest -p no:cacheprovider --basetemp="$RUNS/postgres" "$@" \
  >"$RUNS/postgres.log" 2>&1 &
PG_RUN=$!
echo "== tests on SQLite"
sqlite_status=0
$BIN/pytest --basetemp="$RUNS/sqlite" "$@" || sqlite_status=$?
postgres_status=0
wait "$PG_RUN" || postgres_status=$?
echo "== tests on PostgreSQL"
cat "$RUNS/postgres.log"
if [ "$sqlite_status" != 0 ] || [ "$postgres_status" != 0 ]; then
  echo "== failed: SQLite run exit $sqlite_status, PostgreSQL run exit $postgres_status" >&2
  exit 1
fi
