"""Building, queueing and delivering outgoing mail."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from app.database import begin_write, utcnow
from app.extensions import db
from app.mail.models import OutboxMessage, Status
from app.settings import services as settings

log = logging.getLogger("liaison.outbox")

MAX_ATTEMPTS = 8
SMTP_POLICY = policy.SMTP.clone(max_line_length=78)
RECORD_TRIES = 8  # about a minute of waiting, on top of each try's busy timeout
LEASE = timedelta(minutes=5)  # a message "sending" for longer than this was abandoned


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes
    params: dict | None = None


def clean_header(value: str) -> str:
    """One line, no control characters: names and titles can never inject headers."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value or "").split())


def address(name: str | None, email: str) -> str:
    return formataddr((clean_header(name or ""), clean_header(email)))


def build(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    calendar: tuple[str, str] | None = None,
    attachments: list[Attachment] = (),  # type: ignore[assignment]
    to_name: str | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    """A message to one recipient. `calendar=(method, ics_text)` makes an iMIP message:
    multipart/mixed → multipart/alternative (text, html, text/calendar; method=…) plus the
    same calendar as an invite.ics attachment (RFC 6047)."""
    cfg = current_app.config
    msg = EmailMessage()
    sender_name, sender_addr = parseaddr(cfg["MAIL_DEFAULT_SENDER"])
    msg["From"] = address(sender_name or settings.org_name(), sender_addr)
    msg["To"] = address(to_name, to)
    msg["Subject"] = clean_header(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender_addr.rpartition("@")[2] or "liaison.local")
    if reply_to:
        msg["Reply-To"] = clean_header(reply_to)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    if calendar:
        method, ics = calendar
        msg.add_alternative(ics, subtype="calendar", params={"method": method})
        msg.add_attachment(
            ics.encode(), maintype="text", subtype="calendar", filename="invite.ics",
            params={"method": method, "charset": "utf-8"},
        )
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype,
                           filename=item.filename, params=item.params or {})
    return msg


def queue(*, kind: str, to: str, subject: str, text: str, **options) -> OutboxMessage:
    """Queue one message in the current transaction; it is sent after the commit."""
    msg = build(to=to, subject=subject, text=text, **options)
    row = OutboxMessage(
        message_id=msg["Message-ID"],
        kind=kind,
        sender=parseaddr(msg["From"])[1],
        recipient=clean_header(to),
        subject=msg["Subject"],
        # SMTP needs CRLF line ends; smtplib sends bytes as they are, and a message with
        # bare LFs reads as one over-long line to a strict server (aiosmtpd refuses it).
        raw=msg.as_bytes(policy=SMTP_POLICY),
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


# --- delivery --------------------------------------------------------------------------------


def delivery_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@dataclass(frozen=True)
class _Claimed:
    """What a worker needs to send a message it has claimed (read in the claiming write)."""

    id: int
    sender: str
    recipient: str
    raw: bytes


def _claim(message_id: int) -> _Claimed | None:
    """Take a message for sending; only one worker can win (a conditional UPDATE). The
    claim and the read of what to send are one write transaction, so nothing is left open
    while we talk to SMTP."""
    now = utcnow()
    begin_write(db.session)
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .where(
            or_(
                OutboxMessage.status == Status.queued,
                (OutboxMessage.status == Status.sending) & (OutboxMessage.claimed_at < now - LEASE),
            )
        )
        .values(status=Status.sending, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    claimed = None
    if result.rowcount == 1:
        row = db.session.execute(select(OutboxMessage.sender, OutboxMessage.recipient,
                                        OutboxMessage.raw)
                                 .where(OutboxMessage.id == message_id)).one()
        claimed = _Claimed(message_id, row.sender, row.recipient, row.raw)
    db.session.commit()
    return claimed


def _record(message_id: int, error: Exception | None) -> Status:
    """Write down how a send went, in its own write transaction. A message that was sent
    must not stay "sending" (its lease would expire and it would go again), so a busy
    database is waited for and retried rather than given up on."""
    for attempt in range(RECORD_TRIES):
        try:
            begin_write(db.session)
            row = db.session.get(OutboxMessage, message_id, populate_existing=True)
            if error is None:
                row.status, row.sent_at, row.last_error = Status.sent, utcnow(), None
            else:
                _failed_attempt(row, error)
            status = row.status
            db.session.commit()
            return status
        except OperationalError:
            db.session.rollback()
            if attempt == RECORD_TRIES - 1:
                raise
            log.warning("outbox: database busy recording message %s; trying again", message_id)
            time.sleep(min(0.1 * 2 ** attempt, 5))
    raise AssertionError("unreachable")


def _smtp() -> smtplib.SMTP:
    cfg = current_app.config
    timeout = 20
    if cfg["MAIL_USE_SSL"]:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
        if cfg["MAIL_USE_TLS"]:
            client.starttls(context=ssl.create_default_context())
    if cfg.get("MAIL_USERNAME"):
        client.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    return client


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver_due(limit: int = 50, stop: threading.Event | None = None) -> dict[str, int]:
    """Send every message that is due; returns counts of sent, retried and failed. When
    `stop` is set (the service is asked to stop), the message being sent is finished and
    recorded, and no other is claimed."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not delivery_configured():
        return counts
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == Status.queued) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == Status.sending) & (OutboxMessage.claimed_at < now - LEASE),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    client: smtplib.SMTP | None = None
    try:
        for message_id in due:
            if stop is not None and stop.is_set():
                break
            try:
                claimed = _claim(message_id)
            except OperationalError:
                # The database stayed busy past its timeout: nothing was claimed or sent, so
                # the message simply waits for the next round.
                db.session.rollback()
                log.info("outbox: database busy; message %s waits for the next round",
                         message_id)
                continue
            if claimed is None:
                continue
            error: Exception | None = None
            try:
                if client is None:
                    client = _smtp()
                client.sendmail(claimed.sender, [claimed.recipient], claimed.raw)
            except (OSError, smtplib.SMTPException) as exc:
                client, error = None, exc
            status = _record(claimed.id, error)
            if status == Status.sent:
                counts["sent"] += 1
            else:
                counts["failed" if status == Status.failed else "retry"] += 1
    finally:
        if client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                client.quit()
    return counts


def _failed_attempt(row: OutboxMessage, exc: Exception) -> None:
    reason = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
    else:
        permanent = getattr(exc, "smtp_code", 0) >= 500
    row.last_error = reason
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = Status.failed
        log.warning("outbox: message %s failed for good after %s attempts", row.id, row.attempts)
    else:
        row.status = Status.queued
        row.next_attempt_at = utcnow() + backoff(row.attempts)
        log.info("outbox: message %s will be retried (attempt %s)", row.id, row.attempts)


def retry(row: OutboxMessage) -> None:
    """Put a failed message back in the queue, due now."""
    row.status, row.next_attempt_at, row.attempts = Status.queued, utcnow(), 0
    db.session.flush()
