"""The outbox's promises under failure: SMTP down then up, and a worker killed mid-send."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.database import begin_write, utcnow
from app.extensions import db
from app.mail.models import OutboxMessage, Status
from app.mail.services import deliver_due, queue
from tests.conftest import Mailbox, bound_socket, start_smtp

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
    """Advance the clock for every waiting message (instead of sleeping through backoff).
    Ends whatever read is open and starts a write: on SQLite, an UPDATE inside a read that
    began before the worker's last commit fails at once ("database is locked") instead of
    waiting its turn."""
    begin_write(db.session)
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(update(OutboxMessage).values(next_attempt_at=past))
    db.session.commit()


@pytest.fixture
def refused_port():
    """A localhost port where nothing listens, held (bound_socket) so nothing starts to."""
    with bound_socket() as sock:
        yield sock.getsockname()[1]


def test_smtp_down_for_several_attempts_then_up_delivers_each_message_once(
        app, smtp_server, refused_port):
    ids = _queue(3)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=refused_port)  # nothing listens here

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
    mailbox = StallingMailbox()
    sock = bound_socket()
    mailbox.port = sock.getsockname()[1]
    controller = start_smtp(mailbox, sock)
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


# --- the service itself, riding through failures -------------------------------------------


def _rows() -> list[OutboxMessage]:
    db.session.commit()  # a fresh snapshot: what the worker process committed
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _wait(condition, timeout: float = 40.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_running_service_rides_out_an_smtp_outage_and_sends_each_message_once(app):
    """`outbox work` as a service: the SMTP server is down when mail is queued, the worker
    keeps trying (and stays up), the server comes back, each message arrives once."""
    sock = bound_socket()  # nothing listens here yet: the port is held, connections refused
    port = sock.getsockname()[1]
    ids = _queue(3)
    db.session.remove()
    worker = _worker(app, port, "--interval", "0.2")
    controller = None
    try:
        assert _wait(lambda: all(r.attempts >= 1 and r.last_error for r in _rows())), \
            "the worker never tried"
        assert {r.status for r in _rows()} == {Status.queued}
        assert worker.poll() is None  # a refused connection does not stop the service

        mailbox = Mailbox()
        controller = start_smtp(mailbox, sock)
        _make_due()  # instead of waiting out the backoff
        assert _wait(lambda: {r.status for r in _rows()} == {Status.sent})
        time.sleep(0.5)  # a duplicate, if any, would be on its way now
        assert _received_ids(mailbox.envelopes) == Counter({i: 1 for i in ids})
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0].decode()
        if controller is not None:
            controller.stop()
        sock.close()
    assert worker.returncode == 0, output
    assert "Stopped." in output


class DroppingMailbox:
    """Takes `accept` messages, then answers 421 (closing down) to the next, as an MTA being
    restarted does."""

    def __init__(self, accept: int) -> None:
        self.envelopes: list = []
        self.accept = accept
        self.refused = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if len(self.envelopes) >= self.accept:
            self.refused.set()
            return "421 Service shutting down, try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def test_smtp_server_leaving_mid_batch_then_back_sends_the_rest_once(app):
    ids = _queue(5)
    sock = bound_socket()
    port = sock.getsockname()[1]
    first = DroppingMailbox(accept=2)
    # A duplicate to the first server: stopping it closes that one, and the port stays ours
    # (still listening, unanswered, and unused meanwhile) for the second.
    controller = start_smtp(first, sock.dup())
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        counts = deliver_due()
    finally:
        controller.stop()
    assert first.refused.is_set()
    assert counts == {"sent": 2, "retry": 3, "failed": 0}
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.status for r in rows] == [Status.sent] * 2 + [Status.queued] * 3
    assert "421" in rows[2].last_error

    back = Mailbox()
    controller = start_smtp(back, sock)
    try:
        _make_due()
        assert deliver_due() == {"sent": 3, "retry": 0, "failed": 0}
        _make_due()
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    finally:
        controller.stop()
    both = _received_ids(first.envelopes) + _received_ids(back.envelopes)
    assert both == Counter({i: 1 for i in ids})


class PickyMailbox:
    """Refuses one address for good (550) and one for now (451); takes the rest."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("person0@"):
            return "550 No such mailbox"
        if address.startswith("person1@"):
            return "451 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def test_a_permanent_refusal_fails_at_once_and_a_temporary_one_is_retried(app):
    _queue(3)
    sock = bound_socket()
    port = sock.getsockname()[1]
    mailbox = PickyMailbox()
    controller = start_smtp(mailbox, sock)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        assert deliver_due() == {"sent": 1, "retry": 1, "failed": 1}
    finally:
        controller.stop()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.status for r in rows] == [Status.failed, Status.queued, Status.sent]
    assert rows[0].attempts == 1 and "550" in rows[0].last_error
    assert rows[1].next_attempt_at > utcnow() and "451" in rows[1].last_error
    assert len(mailbox.envelopes) == 1


def test_stopping_the_service_finishes_the_message_in_hand(app, stalling_smtp):
    """systemd's SIGTERM mid-send: the message on its way is finished and recorded (not
    left "sending" for its lease to expire and go again), and no other is started."""
    ids = _queue(3)
    db.session.remove()
    worker = _worker(app, stalling_smtp.port, "--interval", "0.2")
    try:
        assert stalling_smtp.stalled.wait(30), "the worker never reached the SMTP server"
        worker.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        stalling_smtp.release.set()
        output = worker.communicate(timeout=30)[0].decode()
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Stopping after the message in hand (SIGTERM)" in output
    rows = _rows()
    assert [r.status for r in rows] == [Status.sent, Status.queued, Status.queued]
    assert _received_ids(stalling_smtp.envelopes) == Counter({ids[0]: 1})
