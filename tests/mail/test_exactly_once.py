"""Exactly-once delivery under concurrency: two outbox workers and a stream of web writes
against one database and a real SMTP server; every queued message arrives exactly once and
no worker crashes. On SQLite this is the drill that found 22% duplicates (issue 12): a
worker's transaction read the row, sent it, then failed to turn into a write."""

from __future__ import annotations

import threading
import time
from collections import Counter
from email import policy
from email.parser import BytesParser

from sqlalchemy import func, select, text

from app.database import begin_write
from app.extensions import db
from app.mail.models import OutboxMessage, Status
from app.mail.services import deliver_due, queue

MESSAGES = 60


def _writes(app, stop: threading.Event, errors: list) -> None:
    """What staff saving forms looks like to the database: short write transactions, one
    after another, each queuing a message now and then."""
    n = 0
    with app.app_context():
        while not stop.is_set():
            try:
                begin_write(db.session)
                if n < MESSAGES:
                    queue(kind="drill", to=f"person{n}@example.org", subject=f"Note {n}",
                          text=f"Message {n}")
                    n += 1
                db.session.execute(text("UPDATE settings SET value = value WHERE 1 = 0"))
                time.sleep(0.002)
                db.session.commit()
                time.sleep(0.002)  # people pause between saves; SQLite's lock isn't fair
            except Exception as exc:
                db.session.rollback()
                errors.append(f"writer: {exc!r}")
                return


def _work(app, stop: threading.Event, errors: list) -> None:
    with app.app_context():
        while not stop.is_set():
            try:
                deliver_due()
            except Exception as exc:
                db.session.rollback()
                errors.append(f"worker: {exc!r}")
            time.sleep(0.001)


def test_two_workers_and_web_writes_deliver_each_message_once(app, mailbox):
    stop, errors = threading.Event(), []
    threads = [threading.Thread(target=_writes, args=(app, stop, errors))]
    threads += [threading.Thread(target=_work, args=(app, stop, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            sent = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.status == Status.sent))
            db.session.commit()
            if sent == MESSAGES:
                break
            time.sleep(0.05)
        time.sleep(0.2)  # a duplicate, if any, would be on its way now
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    parser = BytesParser(policy=policy.default)
    received = Counter(parser.parsebytes(e.content)["Message-ID"] for e in mailbox.envelopes)
    assert errors == []
    assert len(received) == MESSAGES
    assert [mid for mid, n in received.items() if n > 1] == []
