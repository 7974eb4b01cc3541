"""Tour slots (one row per offered time, locked while seats are taken), bookings and the
screening list. The rate-limit ledger is shared with other public forms: app/ratelimit.py."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.tours.schedule import format_key


class Status(enum.StrEnum):
    """Where a booking stands. `pending` waits for the visitor to confirm their email (it
    holds no seats and lapses after PENDING_FOR); only `requested` and `confirmed` hold
    seats."""

    pending = "pending"
    requested = "requested"
    confirmed = "confirmed"
    declined = "declined"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no_show"

    @property
    def label(self) -> str:
        return {"no_show": "No-show", "pending": "Awaiting email"}.get(
            self.value, self.value.title())


HOLDS_SEATS = (Status.requested, Status.confirmed)
# How long a request waits for the visitor to confirm their email before it lapses.
PENDING_FOR = timedelta(hours=1)


class TourSlot(db.Model):
    """A tour time that someone has booked. Slots are computed from the settings; this row
    exists so that concurrent bookings for one time can lock it (SELECT … FOR UPDATE)."""

    __tablename__ = "tour_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), unique=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    bookings: Mapped[list[TourBooking]] = relationship(back_populates="slot")

    @property
    def key(self) -> str:
        """The same key as the offered slot's (schedule.Slot.key): its UTC start."""
        return format_key(self.starts_at)


class TourBooking(db.Model):
    """One visitor's request for a tour, for themselves and their group."""

    __tablename__ = "tour_bookings"
    __table_args__ = (Index("ix_tour_bookings_status_slot", "status", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("tour_slots.id"), index=True)
    status: Mapped[Status] = mapped_column(
        str_enum(Status, 16),
        default=Status.requested,
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    group_size: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str | None] = mapped_column(Text)
    accessibility: Mapped[str | None] = mapped_column(Text)
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The contact the liaison made (or found) from this booker, with their agreement.
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    # The manage link's token is derived from this nonce and SECRET_KEY (services._token_for);
    # only its SHA-256 is stored and looked up, so the database alone opens no booking.
    token_nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Screening matches the liaison sees (never the booker):
    # [{"source", "field", "reason", "block"}]. Any match holds the booking for the liaison.
    screening: Mapped[list] = mapped_column(JSON, default=list)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    # An HMAC of the address the request came from (ratelimit.key), for the per-visitor seat
    # limits; no address is kept.
    ip_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # With approval off, when an unscreened request confirms itself (a short random delay
    # after the visitor confirms their email, so the first answer is the same for everyone).
    auto_confirm_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_message: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE for updates
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    slot: Mapped[TourSlot] = relationship(back_populates="bookings")

    @property
    def holds_seats(self) -> bool:
        return self.status in HOLDS_SEATS

    @property
    def blocked(self) -> bool:
        """On the screening list as "block": never confirmed automatically."""
        return any(m.get("block") for m in self.screening or ())

    def lapsed(self, now: datetime) -> bool:
        """An email never confirmed within PENDING_FOR: the request is void."""
        return self.status == Status.pending and self.created_at <= now - PENDING_FOR


class ScreenKind(enum.StrEnum):
    """What a screening entry compares against."""

    email = "email"
    domain = "domain"
    name = "name"
    organization = "organization"


class ScreenAction(enum.StrEnum):
    """hold: the booking waits for the liaison. block: it waits too, marked blocked, and is
    never confirmed automatically; the liaison declines it. Either way the booker sees what
    everyone sees (turning them away silently would tell them they are on a list)."""

    hold = "hold"
    block = "block"


class TourScreen(db.Model):
    """A staff-kept screening entry: an email, domain, name or organization to hold or block."""

    __tablename__ = "tour_screens"
    __table_args__ = (Index("uq_tour_screens_kind_value", "kind", "value", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ScreenKind] = mapped_column(
        str_enum(ScreenKind, 16)
    )
    value: Mapped[str] = mapped_column(String(254))  # normalised: lower case, trimmed
    action: Mapped[ScreenAction] = mapped_column(
        str_enum(ScreenAction, 8)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
