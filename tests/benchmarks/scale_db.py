"""The target-scale database, built once with the real commands (`flask db upgrade`, `flask
demo`, `flask demo --scale N`) and kept in instance/bench/ until the migrations' head or the
demo builders change.

SQLite: one file per key, built under a temporary name and renamed when complete (an
interrupted build is never reused). PostgreSQL (a URL given): the database is emptied and
rebuilt unless a marker beside the cache says it already holds this key."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import time
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.benchmarks.servers import BIN, ROOT

CACHE = ROOT / "instance" / "bench"
ADMIN_EMAIL = "bench.admin@example.org"
BUILD_VERSION = "2"  # raise when what _build does changes


def migration_head() -> str:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return "+".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def _builders_digest() -> str:
    """A hash of the demo builders' source: a changed builder means other data."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "app").glob("*/demo.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def cache_key(scale: int) -> str:
    return f"{scale}-{migration_head()}-{_builders_digest()}{BUILD_VERSION}"


def flask_env(database_url: str, instance: Path, secret: str) -> dict:
    return os.environ | {"DATABASE_URL": database_url, "LIAISON_INSTANCE": str(instance),
                         "SECRET_KEY": secret, "ORG_NAME": "Riverbend Harm Reduction",
                         "LIAISON_ENV": "development", "MAIL_SERVER": ""}


def _flask(env: dict, *args: str, stdin: str | None = None, show_progress=False) -> None:
    """Run a command quietly; with show_progress its stderr (progress lines) passes through."""
    done = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                          input=stdin, stdout=subprocess.PIPE,
                          stderr=None if show_progress else subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{(done.stderr or '')[-3000:]}")


def _build(url: str, scale: int, env: dict) -> float:
    started = time.perf_counter()
    _flask(env, "db", "upgrade")
    _flask(env, "demo")
    _flask(env, "demo", "--scale", str(scale), show_progress=True)
    # The pages are read as an admin, who sees every panel and every page.
    _flask(env, "users", "create", "--email", ADMIN_EMAIL, "--name", "Bench Admin", "--role",
           "admin", "--password-stdin", stdin=secrets.token_urlsafe(24) + "\n")
    return time.perf_counter() - started


def ensure(scale: int, database_url: str | None, secret: str, rebuild: bool = False,
           say=print) -> str:
    """The URL of a database at `scale` for the current code, building it if needed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = cache_key(scale)
    instance = CACHE / "instance"
    if database_url is None:
        target = CACHE / f"scale-{key}.sqlite"
        url = f"sqlite:///{target}"
        if target.exists() and not rebuild:
            say(f"database: {target.relative_to(ROOT)} (cached)")
            return url
        for old in CACHE.glob(f"scale-{scale}-*.sqlite*"):
            old.unlink()  # an older head's build: never read again
        partial = CACHE / f"building-{key}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        say(f"database: building {scale:,} contacts into {target.relative_to(ROOT)} ...")
        seconds = _build(f"sqlite:///{partial}", scale,
                         flask_env(f"sqlite:///{partial}", instance, secret))
        engine = create_engine(f"sqlite:///{partial}")
        with engine.connect() as conn:  # fold the WAL into the file before it is renamed
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        partial.rename(target)
        say(f"database: built in {seconds:.0f} s")
        return url
    marker = CACHE / f"postgres-{make_url(database_url).database}.json"
    if not rebuild and marker.exists() and json.loads(marker.read_text()).get("key") == key:
        say(f"database: {make_url(database_url).render_as_string()} (cached, {key})")
        return database_url
    marker.unlink(missing_ok=True)
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    say(f"database: building {scale:,} contacts into {make_url(database_url).database} ...")
    seconds = _build(database_url, scale, flask_env(database_url, instance, secret))
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does soon after a bulk load
    engine.dispose()
    marker.write_text(json.dumps({"key": key, "built_seconds": round(seconds)}))
    say(f"database: built in {seconds:.0f} s")
    return database_url
