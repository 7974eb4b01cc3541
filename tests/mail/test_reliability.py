"""The outbox's promises under failure: SMTP down then up, and a worker killed mid-send."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.database import utcnow
from app.extensions import db
from app.mail.models import OutboxMessage, Status
from app.mail.services import deliver_due, queue
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _queue(n: int) -> list[str]:
    ids = [queue(kind="test", to=f"person{i}@example.org", subject=f"Hello {i}",
                 text=f"Message {i}").message_id for i in range(n)]
    db.session.commit()
    return ids


def _received_ids(envelopes) -> Counter:
    parser = BytesParser(policy=policy.default)
    return Counter(parser.parsebytes(e.content)["Message-ID"] for e in envelopes)


def _make_due() -> None:
    """Advance the clock for every waiting message (instead of sleeping through backoff)."""
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(update(OutboxMessage).values(next_attempt_at=past))
    db.session.commit()


def test_smtp_down_for_several_attempts_then_up_delivers_each_message_once(app, smtp_server):
    ids = _queue(3)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens here

    for attempt in range(1, 4):
        counts = deliver_due()
        assert counts == {"sent": 0, "retry": 3, "failed": 0}
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {Status.queued}
        assert all(r.attempts == attempt and r.last_error for r in rows)
        assert all(r.next_attempt_at > utcnow() for r in rows)  # backoff, not a hot loop
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # nothing due yet
        _make_due()

    app.config["MAIL_PORT"] = smtp_server.port  # the server is back
    assert deliver_due()["sent"] == 3
    _make_due()
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}

    smtp_server.wait_for(3)
    assert _received_ids(smtp_server.envelopes) == Counter({i: 1 for i in ids})
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {Status.sent}
    assert all(r.sent_at and r.last_error is None for r in rows)


class StallingMailbox:
    """An SMTP handler that holds the first message without answering until released.
    A real MTA only takes responsibility for a message once it answers 250; if the client
    vanishes first, the message was never accepted (aiosmtpd cancels this coroutine)."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.stall_next = True

    async def handle_DATA(self, server, session, envelope):
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            if server.transport is None or server.transport.is_closing():
                return "451 Client went away"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def stalling_smtp():
    from aiosmtpd.controller import Controller

    mailbox = StallingMailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        mailbox.release.set()
        controller.stop()


def _worker(app, port: int, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "LIAISON_INSTANCE": app.instance_path,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "outbox", "work", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def test_worker_killed_mid_delivery_loses_and_duplicates_nothing(app, stalling_smtp):
    ids = _queue(3)
    db.session.remove()

    worker = _worker(app, stalling_smtp.port, "--interval", "0.2")
    try:
        assert stalling_smtp.stalled.wait(30), "the worker never reached the SMTP server"
    finally:
        worker.send_signal(signal.SIGKILL)  # kill -9: no cleanup, no final commit
        worker.wait(10)
    stalling_smtp.release.set()

    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.status for r in rows] == [Status.sending, Status.queued, Status.queued]
    # The abandoned claim expires after the lease; advance the clock rather than wait.
    db.session.execute(update(OutboxMessage).values(claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    db.session.remove()

    again = _worker(app, stalling_smtp.port, "--once")
    output = again.communicate(timeout=60)[0].decode()
    assert again.returncode == 0, output
    assert "3 sent" in output

    assert _received_ids(stalling_smtp.envelopes) == Counter({i: 1 for i in ids})
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {Status.sent}
