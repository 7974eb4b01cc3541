"""SQLite is tuned for a small server: WAL, foreign keys, a patient busy timeout, and write
requests that take the lock up front so concurrent writers queue instead of failing."""

from __future__ import annotations

import sqlite3
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing, contextmanager

import pytest
from sqlalchemy import event, func, select, text

from app.auth.models import SignInFailure
from app.database import writes
from app.extensions import db
from tests.conftest import post_at_once
from tests.factories import PASSWORD, make_user


@pytest.mark.sqlite_only
def test_sqlite_pragmas(app):
    connection = db.session.connection()
    assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_concurrent_writers_neither_fail_nor_lose_writes(app, live_server):
    """Twenty simultaneous failed sign-ins (each reads, then writes) all land."""
    app.config["SIGNIN_MAX_FAILURES"] = 1000
    make_user(email="dana@example.org")
    db.session.commit()
    statuses: list[int] = []
    start = threading.Barrier(20)

    def attempt(n: int) -> None:
        body = urllib.parse.urlencode({"email": f"user{n}@example.org", "password": "nope"})
        start.wait()
        try:
            urllib.request.urlopen(live_server + "/login", data=body.encode(), timeout=30)  # noqa: S310
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [422] * 20
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 20


def test_a_password_is_checked_with_no_lock_held(app, live_server, monkeypatch):
    """argon2 runs between a sign-in's two transactions: under the first (on SQLite, the
    database's write lock) twenty wrong passwords at once kept every other writer waiting
    1.6 s here, and many more would pass the busy timeout. While it runs, another writer
    commits at once; the failure was counted before, so tries at once still see it."""
    from app.auth import passwords

    make_user(email="dana@example.org")
    db.session.commit()
    sqlite = db.engine.dialect.name == "sqlite"
    during: list[str] = []
    real = passwords.verify

    def verify(stored, password):
        count = "SELECT count(*) FROM sign_in_failures"
        if sqlite:
            with _another_process() as other:
                counted = other.execute(count).fetchone()[0]
                during.append(f"{_try_to_commit(other)}, {counted} counted")
        else:
            with db.engine.connect() as other:
                during.append(f"committed, {other.scalar(text(count))} counted")
        return real(stored, password)

    monkeypatch.setattr(passwords, "verify", verify)
    for password, status in (("a wrong one!", 422), (PASSWORD, 303)):
        body = urllib.parse.urlencode({"email": "dana@example.org", "password": password})
        assert post_at_once(live_server + "/login", [(body.encode(), "")]) == [status]
    assert during == ["committed, 1 counted", "committed, 2 counted"]
    db.session.commit()  # the right password withdrew its count, and cleared this address's
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 0


# --- reads, then writes, while someone else commits (SQLite) ---------------------------------
# In WAL mode SQLite refuses, at once and whatever the busy timeout, to turn a read into a
# write when another connection committed after the read began. Work that reads and then
# writes takes the write lock first (app.database.begin_write, or @writes on a GET view).
# These drills commit from another connection at the worst moment: just before the write.


def _another_process():
    """A connection to the test's SQLite database of its own, as another process (a worker,
    a cron job) has one; it waits for no lock."""
    return closing(sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None))


def _try_to_commit(other) -> str:
    """What happens to a change `other` commits now: "committed", or "waited" when the app
    holds the write lock (it would wait its turn)."""
    try:
        other.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('drill', '1')")
        return "committed"
    except sqlite3.OperationalError:
        return "waited"


@contextmanager
def _a_commit_elsewhere_before(prefix: str):
    """Just before this app's first statement starting with `prefix`, another process tries
    to commit a change. Yields what happened to it (`_try_to_commit`)."""
    happened: list[str] = []
    with _another_process() as other:

        def before(_conn, _cursor, statement, *_args):
            if not happened and statement.lstrip().upper().startswith(prefix):
                happened.append(_try_to_commit(other))

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield happened
        finally:
            event.remove(db.engine, "before_cursor_execute", before)


@pytest.mark.sqlite_only
def test_a_periodic_job_that_reads_then_writes_is_not_failed_by_a_commit_between(app):
    from app.settings import services as settings_store
    from app.system import periodic

    def job(_now) -> int:
        seen = settings_store.get("drill.count") or 0  # the read
        settings_store.put("drill.count", seen + 1)  # then the write
        db.session.flush()
        return 1

    periodic.register_periodic("zz drill", job)
    try:
        with _a_commit_elsewhere_before("INSERT INTO SETTINGS") as happened:
            done = periodic.run_periodic()
    finally:
        periodic.JOBS.pop("zz drill")
    assert done["zz drill"] == 1  # -1 (database is locked) before jobs took the lock first
    assert happened == ["waited"]


@pytest.mark.sqlite_only
def test_reading_a_sensitive_note_is_recorded_even_when_someone_commits_meanwhile(app, client):
    """The note page reads, then records the view in the audit trail (a write): it holds the
    write lock from its first read, so a commit elsewhere can't make it a 500."""
    from app.auth.models import Role
    from tests.conftest import sign_in
    from tests.factories import make_contact, make_note

    admin = make_user(role=Role.admin)
    note = make_note([make_contact()], sensitive=True, author=make_user(role=Role.liaison))
    db.session.commit()
    sign_in(client, admin)
    with _a_commit_elsewhere_before("INSERT INTO AUDIT_EVENTS") as happened:
        response = client.get(f"/notes/{note.id}")
    assert response.status_code == 200
    assert happened == ["waited"]


@pytest.mark.sqlite_only
def test_a_get_view_that_writes_without_saying_so_fails_under_test(app, client, caplog):
    """The every-route crawl finds a GET view that writes without @writes the day it is
    written, instead of a user meeting its 'database is locked' under load."""
    from app.auth.access import public
    from app.settings import services as settings_store

    @public
    def careless():
        settings_store.put("careless", 1)
        db.session.commit()
        return "ok"

    app.add_url_rule("/careless", "careless", careless)
    assert client.get("/careless").status_code == 500  # which the crawl fails on
    assert "GET careless writes in a transaction that began as a read" in caplog.text
    assert "mark the view @writes" in caplog.text
    app.view_functions["careless"] = writes(careless)
    assert client.get("/careless").status_code == 200
