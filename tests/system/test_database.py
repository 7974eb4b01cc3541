"""SQLite is tuned for a small server: WAL, foreign keys, a patient busy timeout, and write
requests that take the lock up front so concurrent writers queue instead of failing."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select, text

from app.auth.models import SignInFailure
from app.extensions import db
from tests.factories import make_user


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
