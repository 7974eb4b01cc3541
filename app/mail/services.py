"""Building, queueing and delivering outgoing mail."""

from __future__ import annotations

import base64
import contextlib
import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from app.database import begin_write, utcnow
from app.extensions import db
from app.mail.models import OutboxMessage, Status
from app.settings import services as settings

log = logging.getLogger("liaison.outbox")

MAX_ATTEMPTS = 8
# refold_source="none": the address headers, which we fold ourselves (address_header), go
# out exactly as written; every other header is an object that folds itself as usual.
SMTP_POLICY = policy.SMTP.clone(max_line_length=78, refold_source="none")
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


NAME_LIMIT = 120  # characters of a display name kept in a header


class _Folded(str):
    """An address header's value as address_header wrote it: stored and sent verbatim."""


class _OutboxPolicy(EmailPolicy):
    """The default policy, except that it keeps a `_Folded` value as it is instead of
    parsing it into a header object that the standard library would refold."""

    def header_store_parse(self, name, value):
        if isinstance(value, _Folded):
            return (name, value)
        return super().header_store_parse(name, value)


MESSAGE_POLICY = _OutboxPolicy()


def addr_spec(email: str) -> str:
    """`email` as the one addr-spec it must be (its domain in IDNA form); ValueError for
    anything that is not exactly one address."""
    local, _, domain = clean_header(email).rpartition("@")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return Address(addr_spec=f"{local}@{domain}").addr_spec  # raises on trailing text


def _display_words(name: str) -> list[str]:
    """A display name as header words that no reader can take for anything but a name:
    a short plain name as one quoted string, anything else (quotes, backslashes, "=?",
    letters beyond ASCII, length) as RFC 2047 encoded-words of at most 36 UTF-8 bytes,
    whose base64 holds no character that means something in an address header."""
    if name.isascii() and len(name) <= 60 and not any(c in name for c in '"\\') \
            and "=?" not in name:
        return [f'"{name}"']
    words, chunk = [], b""
    for char in name:
        encoded = char.encode("utf-8")
        if len(chunk) + len(encoded) > 36:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words if w]


def address_header(name: str | None, email: str) -> str:
    """The value of a From, To or Reply-To header naming one person, folded here.

    Built from the `Address` of `email` and a display name that can't change what the
    header says: Python's own folding (3.11) drops the quotes around a long display name
    holding ":" or "@" and so lets a name add recipients in the header readers see, and it
    can crash on names that look like encoded-words. We emit words no parser can misread,
    in lines of at most the policy's 78 characters (an address too long for one gets a line
    of its own, within SMTP's 998)."""
    spec = addr_spec(email)
    display = clean_header(name or "")[:NAME_LIMIT]
    if not display:
        return _Folded(spec)
    lines, line = [], ""
    for word in [*_display_words(display), f"<{spec}>"]:
        if line and len(line) + 1 + len(word) > 66:  # room for "Reply-To: " on the first
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return _Folded("\n ".join(lines))


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
    reply_to_name: str | None = None,
    cc: list[tuple[str, str]] = (),  # type: ignore[assignment]  # (name, email) pairs
) -> EmailMessage:
    """A message to one recipient. `calendar=(method, ics_text)` makes an iMIP message:
    multipart/mixed → multipart/alternative (text, html, text/calendar; method=…) plus the
    same calendar as an invite.ics attachment (RFC 6047)."""
    cfg = current_app.config
    msg = EmailMessage(policy=MESSAGE_POLICY)
    sender_name, sender_addr = parseaddr(cfg["MAIL_DEFAULT_SENDER"])
    msg["From"] = address_header(sender_name or settings.org_name(), sender_addr)
    msg["To"] = address_header(to_name, to)
    if cc:
        # One address a line, each folded by address_header (a plain str would be refolded).
        msg["Cc"] = _Folded(",\n ".join(address_header(name, email) for name, email in cc))
    msg["Subject"] = clean_header(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender_addr.rpartition("@")[2] or "liaison.local")
    if reply_to:
        msg["Reply-To"] = address_header(reply_to_name, reply_to)
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
    """Queue one message in the current transaction; it is sent after the commit. Those in
    `cc` (name, email pairs) each get their own copy: an outbox row is one delivery."""
    msg = build(to=to, subject=subject, text=text, **options)
    row = _row(msg, kind, to)
    for _name, email in options.get("cc") or ():
        copy = build(to=to, subject=subject, text=text, **options)
        _row(copy, kind, email)
    return row


def _row(msg: EmailMessage, kind: str, recipient: str) -> OutboxMessage:
    row = OutboxMessage(
        message_id=msg["Message-ID"],
        kind=kind,
        sender=addr_spec(parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]),
        recipient=addr_spec(recipient),
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
