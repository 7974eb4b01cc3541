"""Rate limits hold exactly under concurrency (issue 12): 50 simultaneous public requests
against a limit of 10 let exactly 10 through, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from app import ratelimit
from app.extensions import db


def test_fifty_at_once_against_a_limit_of_ten_let_ten_through(app):
    rule = ratelimit.Rule("drill.ip", "203.0.113.9", 10, timedelta(hours=1))
    start, results, errors = threading.Barrier(50), [], []

    def request() -> None:
        # A public form's POST: its own request context, session and transaction.
        with app.test_request_context("/tours", method="POST"):
            try:
                start.wait()
                results.append(ratelimit.over_limit([rule]))
                db.session.commit()
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert results.count(False) == 10 and results.count(True) == 40
    counted = db.session.scalar(select(func.count()).select_from(ratelimit.RateHit))
    assert counted == 10
