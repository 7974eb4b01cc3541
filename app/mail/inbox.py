"""Reading mail sent to the organization from an IMAP mailbox it configures (IMAP_SERVER and
the other IMAP_* settings: app/config.py, the README), with imap-tools.

A domain hands `poll()` a handler; each new message in IMAP_FOLDER is handled once: its
outcome is committed with a hash of its Message-ID (InboundMessage: nothing else about it
is kept), then it is flagged `$LiaisonProcessed` in the mailbox. A message the app dealt
with is also marked read and, if IMAP_PROCESSED_FOLDER is set, moved there; anything else
(a person's own reply, a message nobody could match) stays unread for a person to see.
Reading again never acts twice: the hash decides, whether or not the server keeps
keywords (Exchange doesn't), and only messages from the last IMAP_LOOKBACK_DAYS are read.

Senders can be forged. `sender()` names the one From address, and refuses a message whose
receiving server recorded a DMARC failure (the topmost Authentication-Results header, or the
topmost naming IMAP_AUTHSERV_ID); with IMAP_REQUIRE_AUTH it accepts only mail that server saw
pass DMARC or DKIM for that domain.
Logs say what happened to a message by its outcome and IMAP UID, never who sent it.
"""

from __future__ import annotations

import hashlib
import imaplib
import ipaddress
import logging
import re
import ssl
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from email.utils import getaddresses

from flask import current_app
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.consts import MailMessageFlags
from imap_tools.errors import ImapToolsError, MailboxLoginError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.database import begin_write, utcnow
from app.extensions import db
from app.mail.models import InboundMessage
from app.settings.clock import today

log = logging.getLogger("liaison.inbox")

KEYWORD = "$LiaisonProcessed"
MAX_SIZE = 1024 * 1024  # a calendar reply is a few kB; bigger mail is never read
KEEP_DAYS = 400  # how long a message's hash outlives it (longer than any lookback)


@dataclass(frozen=True)
class Outcome:
    """What a handler made of a message: a short code (logged and kept; no personal data)
    and whether the app dealt with it (then it is marked read and filed away)."""

    code: str
    done: bool


Handler = Callable[[Message], Outcome]


class InboxError(RuntimeError):
    """The mailbox can't be read as configured: a message for the operator (no secrets)."""


def configured() -> bool:
    return bool(current_app.config.get("IMAP_SERVER"))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _mailbox() -> BaseMailBox:
    """An unconnected mailbox as configured: implicit TLS (IMAP_USE_SSL, the default),
    STARTTLS (IMAP_USE_TLS), or plain only to this machine."""
    cfg = current_app.config
    host = cfg.get("IMAP_SERVER") or ""
    timeout = float(cfg.get("IMAP_TIMEOUT", 30))
    context = ssl.create_default_context(cafile=cfg.get("IMAP_CA_FILE") or None)
    if cfg.get("IMAP_USE_SSL"):
        return MailBox(host, int(cfg.get("IMAP_PORT") or 993), timeout=timeout,
                       ssl_context=context)
    if cfg.get("IMAP_USE_TLS"):
        return MailBoxStartTls(host, int(cfg.get("IMAP_PORT") or 143), timeout=timeout,
                               ssl_context=context)
    if not _loopback(host):
        raise InboxError("Refusing to send the mailbox password unencrypted to "
                         f"{host}: set IMAP_USE_SSL (or IMAP_USE_TLS for STARTTLS).")
    return MailBoxUnencrypted(host, int(cfg.get("IMAP_PORT") or 143), timeout=timeout)


def message_key(message: Message) -> str:
    """A message's identity across folders and readings: its Message-ID (hashed), or, for
    mail without one, its bytes."""
    message_id = " ".join(str(message.get("Message-ID", "")).split()).strip("<>").lower()
    data = f"id:{message_id}".encode() if message_id else message.as_bytes()
    return hashlib.sha256(data).hexdigest()


# --- who sent it ------------------------------------------------------------------------------

_DMARC = re.compile(r"\bdmarc\s*=\s*(\w+)(?:[^;]*?\bheader\.from\s*=\s*([^\s;]+))?", re.I)
_DKIM = re.compile(r"\bdkim\s*=\s*(\w+)(?:[^;]*?\bheader\.[di]\s*=\s*@?([^\s;]+))?", re.I)


def _aligned(domain: str, signer: str | None) -> bool:
    signer = (signer or "").lower().rstrip(".")
    return bool(signer) and (domain == signer or domain.endswith("." + signer))


def _verdict(message: Message) -> str:
    """The Authentication-Results our receiving server added: the topmost one, or with
    IMAP_AUTHSERV_ID the topmost naming that server (RFC 8601: anyone can write such a
    header further down, and only our own server's word is evidence)."""
    results = [str(r) for r in message.get_all("Authentication-Results", [])]
    ours = (current_app.config.get("IMAP_AUTHSERV_ID") or "").strip().lower()
    if not ours:
        return results[0] if results else ""
    return next((r for r in results
                 if (r.split(";", 1)[0].split() or [""])[0].lower() == ours), "")


def sender(message: Message) -> str | None:
    """The one address the message is From (lower case), or None: no address, several, or
    one its receiving server saw fail DMARC (or, with IMAP_REQUIRE_AUTH, not pass)."""
    addresses = [a for _, a in getaddresses(message.get_all("From", [])) if "@" in a]
    if len(addresses) != 1:
        return None
    address = addresses[0].strip().lower()
    domain = address.rpartition("@")[2]
    verdict = _verdict(message)
    dmarc = [(r.lower(), (d or "").lower()) for r, d in _DMARC.findall(verdict)]
    if any(r in ("fail", "reject", "quarantine") for r, _ in dmarc):
        return None
    if current_app.config.get("IMAP_REQUIRE_AUTH"):
        passed = any(r == "pass" and (not d or d == domain) for r, d in dmarc) or any(
            r.lower() == "pass" and _aligned(domain, d) for r, d in _DKIM.findall(verdict))
        if not passed:
            return None
    return address


# --- reading ------------------------------------------------------------------------------------


def _mark(box: BaseMailBox, uid: str, done: bool) -> None:
    """Flag a read message so it isn't fetched again; file what the app dealt with. A
    server that keeps no keywords still gets \\Seen (and the move)."""
    flags = [KEYWORD, MailMessageFlags.SEEN] if done else [KEYWORD]
    try:
        box.flag(uid, flags, True)
    except (ImapToolsError, imaplib.IMAP4.error):  # keeps no keywords: the hash suffices
        if done:
            box.flag(uid, [MailMessageFlags.SEEN], True)
    folder = current_app.config.get("IMAP_PROCESSED_FOLDER")
    if done and folder:
        if not box.folder.exists(folder):
            box.folder.create(folder)
        box.move(uid, folder)


def _handle_one(handle: Handler, message: Message, uid: str) -> Outcome | None:
    """Handle and record one message in its own transaction; None if another reader got
    there first (it marks the message)."""
    begin_write(db.session)  # it reads what is known, then writes the answer
    key = message_key(message)
    known = db.session.execute(select(InboundMessage.outcome, InboundMessage.done)
                               .where(InboundMessage.key == key)).first()
    if known is not None:  # acted on before (its flag didn't stick): only mark it again
        db.session.rollback()  # and hold no lock while the mail server is asked to
        return Outcome("already read", known.done)
    try:
        outcome = handle(message)
    except Exception as exc:  # a bug or bad data: keep it for a person, never loop on it
        db.session.rollback()
        log.error("inbound message uid %s could not be handled (%s)", uid, type(exc).__name__)
        outcome = Outcome("error", False)
    db.session.add(InboundMessage(key=key, outcome=outcome.code[:32], done=outcome.done))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return outcome


def poll(handle: Handler, *, limit: int = 200) -> Counter[str]:
    """Read up to `limit` new messages from IMAP_FOLDER, oldest first: hand each to
    `handle` (which flushes, never commits), commit, then mark it. Returns the outcomes
    counted. Raises InboxError when the mailbox can't be reached or read."""
    cfg = current_app.config
    counts: Counter[str] = Counter()
    since = today() - timedelta(days=int(cfg.get("IMAP_LOOKBACK_DAYS") or 30))
    try:
        with _mailbox().login(cfg.get("IMAP_USERNAME") or "", cfg.get("IMAP_PASSWORD") or "",
                              initial_folder=cfg.get("IMAP_FOLDER") or "INBOX") as box:
            uids = box.uids(AND(no_keyword=KEYWORD, date_gte=since, size_lt=MAX_SIZE))
            uids = sorted(uids, key=int)[:limit]
            if not uids:
                return counts
            for item in box.fetch(AND(uid=uids), mark_seen=False, bulk=20):
                outcome = _handle_one(handle, item.obj, item.uid)
                if outcome is None:
                    continue
                counts[outcome.code] += 1
                if not outcome.done:
                    log.info("inbound message uid %s left for a person: %s", item.uid,
                             outcome.code)
                _mark(box, item.uid, outcome.done)
    except InboxError:
        raise
    except (OSError, ssl.SSLError) as exc:
        raise InboxError(f"Can't reach the mailbox at {cfg.get('IMAP_SERVER')}: "
                         f"{type(exc).__name__}: {exc}") from None
    except MailboxLoginError:
        raise InboxError("The mailbox refused the sign-in: check IMAP_USERNAME and "
                         "IMAP_PASSWORD.") from None
    except (ImapToolsError, imaplib.IMAP4.error) as exc:
        raise InboxError(f"The mailbox answered with an error ({type(exc).__name__}); is "
                         f"IMAP_FOLDER right?") from None
    return counts


def purge(now: datetime | None = None) -> str:
    """Forget the hashes of messages read more than KEEP_DAYS ago."""
    cutoff = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    result = db.session.execute(delete(InboundMessage).where(InboundMessage.processed_at < cutoff))
    db.session.flush()
    return f"Forgot {result.rowcount} read message(s) older than {KEEP_DAYS} days."
