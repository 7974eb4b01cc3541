"""Outgoing mail, queued as rows in the same transaction as the change that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db


class Status(enum.StrEnum):
    """Where a message is: held/queued for delivery, being sent, sent, or given up on."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(db.Model):
    """One email to one recipient. The full RFC 5322 message (and its Message-ID) is built
    at queue time, so every retry sends exactly the same bytes."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    sender: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[Status] = mapped_column(
        str_enum(Status, 16), default=Status.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InboundMessage(db.Model):
    """A message read from the organization's mailbox (app/mail/inbox.py) and what became
    of it. Only a hash of its Message-ID is kept, never who sent it or what it said, so
    that reading the mailbox again never acts on a message twice."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_processed_at", "processed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the Message-ID
    outcome: Mapped[str] = mapped_column(String(32))  # e.g. "recorded", "unmatched"
    done: Mapped[bool] = mapped_column(default=False)  # dealt with: marked read (and moved)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
