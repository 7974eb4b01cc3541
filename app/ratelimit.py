"""Rate limits for public forms (tour requests, media inquiries), counted in the database so
every app process shares one count."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, delete, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db, dialect

KEEP = timedelta(days=2)  # longer than any rule's window


class RateHit(db.Model):
    """One counted public submission. `key` is an HMAC of what was counted (an IP, an email),
    so no address is kept. The table keeps the name it was born with in the tours domain:
    renaming it would cost a migration and buy nothing, as keys are namespaced by kind."""

    __tablename__ = "tour_rate_hits"
    __table_args__ = (Index("ix_tour_rate_hits_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class Rule:
    """At most `limit` hits for (kind, value) within `window`."""

    kind: str
    value: str
    limit: int
    window: timedelta


def key(kind: str, value: str) -> str:
    """The stored key: keyed with SECRET_KEY, so a leaked table names no IP or email."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def _serialize(keys: list[str]) -> None:
    """Make concurrent counts of the same keys take turns until the transaction ends, so a
    count and its insert are one step (otherwise 11 of 50 simultaneous requests pass a limit
    of 10). PostgreSQL: transaction-scoped advisory locks, taken in one order so two requests
    never wait on each other. SQLite: a request that may write already holds the database's
    write lock from its first statement (BEGIN IMMEDIATE, app/database.py)."""
    if dialect() != "postgresql":
        return
    for k in sorted(set(keys)):
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                           {"k": k})


serialize = _serialize  # the same locks, for other exact counters (the sign-in throttle)


def over_limit(rules: Sequence[Rule], now: datetime | None = None) -> bool:
    """True when any rule is already at its limit; otherwise counts this attempt against
    every rule (flushes, the caller commits). Exact under concurrency."""
    now = now or utcnow()
    keys = [key(rule.kind, rule.value) for rule in rules]
    _serialize(keys)
    for k, rule in zip(keys, rules, strict=True):
        count = db.session.scalar(
            select(func.count(RateHit.id)).where(RateHit.key == k, RateHit.at > now - rule.window)
        )
        if count >= rule.limit:
            return True
    db.session.add_all([RateHit(key=k, at=now) for k in keys])
    db.session.flush()
    return False


def purge(now: datetime | None = None) -> None:
    """Forget hits older than any window (run daily with `flask purge`)."""
    now = now or utcnow()
    db.session.execute(delete(RateHit).where(RateHit.at < now - KEEP))
    db.session.flush()


def take_turns(*values: str) -> None:
    """Make concurrent requests about the same things (an email, an address) take turns
    until the transaction ends, as `over_limit` does for its own keys: for a limit counted
    in another table (a visitor's tour seats) whose check and write must be one step."""
    _serialize([key("turns", value) for value in values if value])
