"""Backup and restore drills (issue 12, item 5), on SQLite and on PostgreSQL, through the
real commands an operator runs (`flask backup`, `flask restore`, as separate processes).

Seed, back up while writes continue, restore into a new database, and compare every
table's row count and checksum: the restored database is exactly the source as it stood
after one of its commits (a consistent snapshot, never half a transaction). Once writes
stop, a second backup restores to exactly the source. Restores refuse a damaged file, a
backup from unknown (newer) migrations and a database that holds data (unless --yes),
and change nothing when they refuse."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.database import begin_write, utcnow
from app.extensions import db
from app.system.changes import DataChange
from app.system.demo import load_demo
from tests.conftest import ON_POSTGRES, base_config
from tests.factories import make_contact, make_note
from tests.system.snapshots import database_prints, table_prints
from tests.system.test_migrations import (
    REVISIONS,
    scratch_url,  # noqa: F401  (a new, empty database)
)

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = ".dump" if ON_POSTGRES else ".sqlite"
HEAD = REVISIONS[-1]


def flask(database_url: str, instance: str, *args: str) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` against `database_url`, in its own process, as an operator's
    cron job runs it beside the app."""
    env = {**os.environ, "DATABASE_URL": database_url, "LIAISON_INSTANCE": instance,
           "SECRET_KEY": "backup-drill-" + "k" * 32}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600, check=False)


def cli(tmp_path: Path, database_url: str, *args: str):
    """The same commands in this process (starting Python again costs seconds on a busy
    machine): an app on `database_url`, and the command's exit code and output."""
    other = create_app(base_config(tmp_path / f"cli-{abs(hash(database_url))}", database_url))
    with other.app_context():  # (the commands use the app whose context is current)
        result = other.test_cli_runner().invoke(args=list(args))
        db.engine.dispose()
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# A restore stamps every table as changed (calendar feeds must not call restored data
# unchanged), so the stamps are the one table a restore doesn't copy as it was.
STAMPS = ("data_changes",)


def prints_of(url: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return table_prints(conn, STAMPS)
    finally:
        engine.dispose()


class Writer(threading.Thread):
    """Staff at work: one transaction after another, each a contact with an email, their
    first stance and a note about them. After each commit it records the database's prints
    (nobody else writes), so any consistent snapshot equals one of them."""

    def __init__(self, app) -> None:
        super().__init__(daemon=True)
        self.app, self.stop, self.error = app, threading.Event(), None
        self.states: list[dict[str, str]] = []

    def run(self) -> None:
        with self.app.app_context():
            try:
                self.states.append(database_prints(STAMPS))
                n = 0
                while not self.stop.is_set():
                    begin_write(db.session)
                    contact = make_contact(first_name=f"Drill{n}", emails=[f"d{n}@example.org"])
                    make_note(contacts=[contact], summary=f"Visit {n}")
                    db.session.commit()
                    self.states.append(database_prints(STAMPS))
                    n += 1
            except Exception as exc:
                self.error = repr(exc)
            finally:
                db.session.remove()


def test_backup_while_writes_continue_then_restore_into_a_new_database(app, tmp_path,
                                                                       scratch_url):  # noqa: F811
    load_demo()
    db.session.commit()
    source = app.config["DATABASE_URL"]
    instance = str(tmp_path / "instance")
    backup = tmp_path / f"during{SUFFIX}"

    writer = Writer(app)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while len(writer.states) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        made = flask(source, instance, "backup", str(backup))
        writes_during = len(writer.states)
        time.sleep(0.3)  # and writes go on after it
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None
    assert made.returncode == 0, made.stderr
    assert "Backed up" in made.stdout and "keep it encrypted" in made.stdout
    assert backup.stat().st_mode & 0o777 == 0o600  # sensitive: the owner's only
    assert len(writer.states) > writes_during  # the writes really did continue around it

    restoring_at = utcnow().replace(microsecond=0)
    restored = cli(tmp_path, scratch_url, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    snapshot = prints_of(scratch_url)
    engine = sa.create_engine(scratch_url)
    with engine.connect() as conn:  # every table counts as changed by the restore
        stamps = dict(conn.execute(select(DataChange.name, DataChange.changed_at)).all())
    engine.dispose()
    assert {"contacts", "events", "notes"} <= set(stamps)
    assert all(at >= restoring_at for at in stamps.values())
    assert snapshot in writer.states, "the backup is not the database as of any one commit"
    assert snapshot != writer.states[-1]  # taken while writing, not after
    assert int(snapshot["contacts"].split(":")[0]) > 0

    # Writes have stopped: a second backup, restored over the first (--yes), is the source.
    final = tmp_path / f"final{SUFFIX}"
    assert cli(tmp_path, source, "backup", str(final)).exit_code == 0
    refused = cli(tmp_path, scratch_url, "restore", str(final))
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert prints_of(scratch_url) == snapshot  # refusing changed nothing
    again = cli(tmp_path, scratch_url, "restore", str(final), "--yes")
    assert again.exit_code == 0, again.output
    assert prints_of(scratch_url) == database_prints(STAMPS) == writer.states[-1]

    # The restored database is a working one: ids carry on past the restored rows.
    other = create_app(base_config(tmp_path / "restored", scratch_url))
    with other.app_context():
        newest = db.session.scalar(sa.text("SELECT max(id) FROM contacts"))
        added = make_contact(first_name="After", last_name="Restore")
        db.session.commit()
        assert added.id > newest
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_damaged_and_unknown_backups_and_changes_nothing(app, tmp_path,
                                                                         scratch_url):  # noqa: F811
    load_demo()
    db.session.commit()
    good = tmp_path / f"good{SUFFIX}"
    assert cli(tmp_path, app.config["DATABASE_URL"], "backup", str(good)).exit_code == 0
    refused_again = cli(tmp_path, app.config["DATABASE_URL"], "backup", str(good))
    assert refused_again.exit_code == 1 and "already exists" in refused_again.output

    restored = cli(tmp_path, scratch_url, "restore", str(good))
    assert restored.exit_code == 0, restored.output
    before = prints_of(scratch_url)

    cut = tmp_path / f"cut{SUFFIX}"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    damaged = cli(tmp_path, scratch_url, "restore", str(cut), "--yes")
    assert damaged.exit_code == 1, damaged.output
    assert prints_of(scratch_url) == before

    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    assert "neither" in cli(tmp_path, scratch_url, "restore", str(text), "--yes").output

    # A backup made by newer code (a migration this code doesn't know) is refused.
    with sa.create_engine(scratch_url).begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    future = tmp_path / f"future{SUFFIX}"
    assert cli(tmp_path, scratch_url, "backup", str(future)).exit_code == 0
    with sa.create_engine(scratch_url).begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD})
    unknown = cli(tmp_path, scratch_url, "restore", str(future), "--yes")
    assert unknown.exit_code == 1 and "9999_future" in unknown.output
    assert prints_of(scratch_url) == before


def test_a_backup_from_an_earlier_migration_is_upgraded_after_restoring(tmp_path,
                                                                        scratch_url):  # noqa: F811
    """Made by an older Liaison (migration 0012), restored by this one: loaded, then
    upgraded to this code's head, its data intact."""
    older = create_app(base_config(tmp_path / "older", scratch_url))
    with older.app_context():
        upgrade(revision="0012_places")
        db.session.execute(sa.text(
            "INSERT INTO users (email, name, role, active, password_hash, "
            "must_change_password, session_version, created_at) VALUES ('ada@example.org', "
            "'Ada Admin', 'admin', true, 'x', false, 1, CURRENT_TIMESTAMP)"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    backup = tmp_path / f"older{SUFFIX}"
    assert cli(tmp_path, scratch_url, "backup", str(backup)).exit_code == 0

    target = _another_database(tmp_path)
    try:
        result = cli(tmp_path, target, "restore", str(backup))
        assert result.exit_code == 0, result.output
        assert "made at migration 0012_places" in result.output
        engine = sa.create_engine(target)
        with engine.connect() as conn:
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert revision.scalar() == HEAD
            assert conn.execute(sa.text("SELECT email FROM users")).scalar() == "ada@example.org"
            assert "data_changes" in sa.inspect(conn).get_table_names()
        engine.dispose()
    finally:
        _drop(target)


def _another_database(tmp_path) -> str:
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'another.sqlite'}"
    from tests.conftest import TEST_DATABASE_URL

    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS "liaison_restore_target" WITH (FORCE)')
        conn.exec_driver_sql('CREATE DATABASE "liaison_restore_target"')
    admin.dispose()
    return TEST_DATABASE_URL.rsplit("/", 1)[0] + "/liaison_restore_target"


def _drop(url: str) -> None:
    if not ON_POSTGRES:
        return
    from tests.conftest import TEST_DATABASE_URL

    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS "liaison_restore_target" WITH (FORCE)')
    admin.dispose()


@pytest.mark.sqlite_only
def test_backup_of_a_missing_database_says_so(tmp_path):
    result = cli(tmp_path, f"sqlite:///{tmp_path / 'nothing.sqlite'}", "backup",
                   str(tmp_path / "b.sqlite"))
    assert result.exit_code == 1 and "There is no database" in result.output
