"""Backups and restores of the whole database (`flask backup PATH`, `flask restore PATH`).

SQLite: SQLite's online backup API copies the database while the app runs (one consistent
snapshot; in WAL mode writers carry on), into a single self-contained file. PostgreSQL:
`pg_dump -Fc`, a consistent snapshot too. Either file is written beside its final name and
renamed into place only once it is complete and checked, readable by its owner only.

A restore checks the file before it touches anything: that it is whole (SQLite's integrity
and foreign-key checks; pg_restore reading the archive's table of contents), that it was
made by this version of Liaison's migrations or an earlier one (an earlier one is upgraded
after the restore), and that the target database holds no data unless told it may be
replaced. On PostgreSQL the old schema is dropped and the backup loaded in one transaction:
a restore that fails halfway leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL, make_url

from app.extensions import db
from app.system import changes

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Bookkeeping, not data: an empty database with these rows is still empty.
NOT_DATA = frozenset({"alembic_version", "data_changes"})


class BackupError(Exception):
    """Why a backup or restore was refused or failed, in words for the operator."""


@dataclass(frozen=True)
class Summary:
    """What a backup or restore did."""

    path: Path
    kind: str  # "SQLite" | "PostgreSQL"
    revision: str | None
    size: int
    upgraded_from: str | None = None


# --- shared ------------------------------------------------------------------------------------


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def head_revision() -> str:
    """The migration revision this code's models are at."""
    directory = current_app.extensions["migrate"].directory
    config = Config()
    config.set_main_option("script_location", directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) != 1:
        raise BackupError(f"The migrations have {len(heads)} heads; merge them first.")
    return heads[0]


def _known_revisions() -> set[str]:
    directory = current_app.extensions["migrate"].directory
    config = Config()
    config.set_main_option("script_location", directory)
    return {s.revision for s in ScriptDirectory.from_config(config).walk_revisions()}


def tables_with_data() -> list[str]:
    """Our tables in the current database that hold rows (bookkeeping aside)."""
    existing = set(inspect(db.engine).get_table_names())
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in existing and table.name not in NOT_DATA and conn.execute(
                    select(text("1")).select_from(table).limit(1)).first():
                found.append(table.name)
    return found


@contextlib.contextmanager
def _beside(path: Path) -> Iterator[Path]:
    """A temporary file next to `path` that becomes `path` (mode 0600) if the block
    finishes, and disappears if it doesn't: a failed backup never leaves half a file
    under the name a restore would look for."""
    temp = path.with_name(f".{path.name}.partial")
    temp.unlink(missing_ok=True)
    try:
        yield temp
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _check_target(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another name (or --force).")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")


def backup(path: Path, *, force: bool = False) -> Summary:
    """Write a backup of the whole database to `path`."""
    _check_target(path, force)
    url = _url()
    if url.get_backend_name() == "sqlite":
        return _sqlite_backup(url, path)
    if url.get_backend_name() == "postgresql":
        return _pg_backup(url, path)
    raise BackupError(f"Backups of {url.get_backend_name()} databases aren't supported.")


def kind_of(path: Path) -> str:
    """"SQLite" or "PostgreSQL", from the file's first bytes."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as fh:
        start = fh.read(16)
    if start.startswith(SQLITE_MAGIC):
        return "SQLite"
    if start.startswith(PG_MAGIC):
        return "PostgreSQL"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom-format file.")


def restore(path: Path, *, replace: bool = False) -> Summary:
    """Load the backup at `path` into the configured database (see the module's docstring
    for the checks made first)."""
    kind = kind_of(path)
    url = _url()
    expected = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(url.get_backend_name())
    if kind != expected:
        raise BackupError(f"{path} is a {kind} backup, but DATABASE_URL is a "
                          f"{expected or url.get_backend_name()} database.")
    revision = (_sqlite_check(path) if kind == "SQLite" else _pg_check(path))
    head = head_revision()
    if revision is None:
        raise BackupError(f"{path} has no migration revision: not a Liaison backup.")
    if revision not in _known_revisions():
        raise BackupError(f"{path} was made at migration {revision}, which this version of "
                          f"Liaison doesn't know (newer code made it?). Restore it with the "
                          f"version that made it.")
    holding = tables_with_data()
    if holding and not replace:
        raise BackupError(
            f"The database already holds data ({', '.join(holding[:5])}"
            f"{'…' if len(holding) > 5 else ''}). Restoring replaces all of it: run again "
            f"with --yes if that is what you want.")
    db.session.remove()
    db.engine.dispose()  # nothing of ours holds the database while it is replaced
    if kind == "SQLite":
        _sqlite_restore(url, path)
    else:
        _pg_restore(url, path)
    db.engine.dispose()
    upgraded_from = None
    if revision != head:
        from flask_migrate import upgrade

        upgrade()
        upgraded_from = revision
    changes.touch_all()  # the restored data counts as a change for every calendar feed
    db.session.commit()
    return Summary(path, kind, head, path.stat().st_size, upgraded_from)


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL names no SQLite file.")
    return Path(url.database)


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _sqlite_verify(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise BackupError(f"{what} failed SQLite's integrity check: {result[:3]}")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise BackupError(f"{what} has {len(broken)} rows pointing at rows it lacks.")


def _sqlite_backup(url: URL, path: Path) -> Summary:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    with _beside(path) as temp:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(temp)
        try:
            # One step: a consistent snapshot under a read lock, which in WAL mode never
            # blocks the app's writers (copying in steps restarts whenever they write).
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _sqlite_verify(dst, "The backup")
            revision = _sqlite_revision(dst)
        finally:
            dst.close()
            src.close()
    return Summary(path, "SQLite", revision, path.stat().st_size)


def _sqlite_check(path: Path) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _sqlite_verify(conn, str(path))
        return _sqlite_revision(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} can't be read as a SQLite database: {exc}") from None
    finally:
        conn.close()


def _sqlite_restore(url: URL, path: Path) -> None:
    target = _sqlite_path(url)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        # The backup API again, the other way: the target's pages are replaced in one
        # transaction, so a reader sees the old database or the new one, never a mix.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        _sqlite_verify(dst, "The restored database")
    finally:
        dst.close()
        src.close()


# --- PostgreSQL --------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install PostgreSQL's client tools "
                          f"(Debian: apt install postgresql-client), the same major "
                          f"version as the server or newer.")
    return found


def _pg_env(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (command lines are visible to every user of the
    machine) and an environment carrying it."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(args: list[str], env: dict[str, str], what: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or b"").decode(errors="replace").strip()[-600:]
        raise BackupError(f"{what} failed: {detail}")
    return result


def _pg_backup(url: URL, path: Path) -> Summary:
    uri, env = _pg_env(url)
    with _beside(path) as temp:
        _run([_tool("pg_dump"), "--format=custom", "--file", str(temp), "--dbname", uri],
             env, "pg_dump")
        revision = _pg_check(temp)
    return Summary(path, "PostgreSQL", revision, path.stat().st_size)


def _pg_check(path: Path) -> str | None:
    """Read the archive's table of contents (a damaged or cut-off file fails here) and the
    migration revision in it."""
    restore_tool = _tool("pg_restore")
    _run([restore_tool, "--list", str(path)], dict(os.environ), f"Reading {path}")
    result = _run([restore_tool, "--data-only", "--table=alembic_version", "--file=-",
                   str(path)], dict(os.environ), f"Reading {path}")
    lines = result.stdout.decode().splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and n + 1 < len(lines):
            value = lines[n + 1].strip()
            return None if value == "\\." else value
    return None


def _pg_restore(url: URL, path: Path) -> None:
    """pg_restore's SQL streamed into psql inside BEGIN … COMMIT, after dropping the old
    schema. COMMIT is sent only once pg_restore has finished without error: if it fails
    halfway, psql reaches the end of its input inside the transaction and the server rolls
    it all back (psql's own --single-transaction would commit the half it got)."""
    uri, env = _pg_env(url)
    # Notices (DROP … CASCADE lists every object) would fill psql's stderr pipe while we
    # are still writing to it.
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c client_min_messages=warning".strip()
    reader = subprocess.Popen(  # noqa: S603
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    loader = subprocess.Popen(  # noqa: S603
        [_tool("psql"), "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1",
         "--dbname", uri], env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    assert reader.stdout is not None and loader.stdin is not None
    reader_error = b""
    try:
        loader.stdin.write(b"BEGIN;\nDROP SCHEMA IF EXISTS public CASCADE;\n"
                           b"CREATE SCHEMA public;\n")
        shutil.copyfileobj(reader.stdout, loader.stdin, 1 << 20)
        reader_error = reader.stderr.read() if reader.stderr else b""
        if reader.wait() == 0:
            loader.stdin.write(b"COMMIT;\n")
    except BrokenPipeError:
        pass  # psql stopped at an error: its message is on its stderr
    finally:
        with contextlib.suppress(BrokenPipeError):
            loader.stdin.close()
        reader.stdout.close()
        if reader.poll() is None:
            reader.kill()
        reader.wait()
        load_error = loader.stderr.read() if loader.stderr else b""
        loader.wait()
    if reader.returncode != 0:
        raise BackupError(f"Reading {path} failed (nothing was changed): "
                          f"{reader_error.decode(errors='replace').strip()[-600:]}")
    if loader.returncode != 0:
        raise BackupError(f"Restoring failed (nothing was changed): "
                          f"{load_error.decode(errors='replace').strip()[-600:]}")
