"""The media page and media relations: spokespeople, rota, page settings, press kit,
statements, inquiries and coverage."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db


class PressPage(db.Model):
    """The one row of page settings, plus the version counter that names what /press shows
    (bumped atomically by every change, so caches and ETags follow at once)."""

    __tablename__ = "press_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    boilerplate: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    response_time: Mapped[str] = mapped_column(String(200), default="")
    after_hours: Mapped[str] = mapped_column(Text, default="")
    review_interval_days: Mapped[int] = mapped_column(Integer, default=30)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    # The reviewed_at (or "never") for which admins were last told the page is stale:
    # one email per staleness period.
    stale_notice_for: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Spokesperson(db.Model):
    """Someone who speaks for the program. Only active people who are not away appear on
    /press; `notes` is internal and never leaves the staff pages."""

    __tablename__ = "press_spokespeople"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    languages: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164
    email: Mapped[str] = mapped_column(String(254), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # internal only
    photo: Mapped[str | None] = mapped_column(String(80))  # file name under instance/press
    position: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(default=True)
    away: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def audit_label(self) -> str:
        """The name the audit trail keeps for this row (app.audit.services.record)."""
        return self.name

    @property
    def is_public(self) -> bool:
        return self.active and not self.away


class RotaShift(db.Model):
    """A date range when one spokesperson is on duty (inclusive; the latest added wins)."""

    __tablename__ = "press_rota"
    __table_args__ = (Index("ix_press_rota_dates", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spokesperson_id: Mapped[int] = mapped_column(
        ForeignKey("press_spokespeople.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    spokesperson: Mapped[Spokesperson] = relationship(lazy="joined")


class KitItem(db.Model):
    """A press kit file (PDF, PNG or JPEG, checked by content) stored under the instance."""

    __tablename__ = "press_kit"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    download_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Statement(db.Model):
    """A statement or press release; only published ones reach /press."""

    __tablename__ = "press_statements"
    __table_args__ = (Index("ix_press_statements_published_on", "published", "issued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def audit_label(self) -> str:
        """The name the audit trail keeps for this row (app.audit.services.record)."""
        return self.title


class InquiryStatus(enum.StrEnum):
    new = "new"
    responding = "responding"
    answered = "answered"
    declined = "declined"
    missed = "missed"

    @property
    def open(self) -> bool:
        return self in (InquiryStatus.new, InquiryStatus.responding)


OPEN_STATUSES = (InquiryStatus.new, InquiryStatus.responding)


class Attribution(enum.StrEnum):
    on_record = "on_record"
    background = "background"

    @property
    def label(self) -> str:
        return "On record" if self is Attribution.on_record else "Background"


class Inquiry(db.Model):
    """A journalist's request. The details the journalist typed stay here as they sent them;
    `contact_id` links the journalist's contact once the liaison matches or adds one (never
    automatically from the public form)."""

    __tablename__ = "press_inquiries"
    __table_args__ = (Index("ix_press_inquiries_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journalist_name: Mapped[str] = mapped_column(String(120))
    journalist_email: Mapped[str] = mapped_column(String(254))
    journalist_phone: Mapped[str] = mapped_column(String(20), default="")
    outlet: Mapped[str] = mapped_column(String(120))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    topic: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[InquiryStatus] = mapped_column(
        str_enum(InquiryStatus, 16), default=InquiryStatus.new
    )
    attribution: Mapped[Attribution] = mapped_column(
        str_enum(Attribution, 16), default=Attribution.on_record
    )
    spokesperson_id: Mapped[int | None] = mapped_column(
        ForeignKey("press_spokespeople.id", ondelete="SET NULL"), index=True
    )
    response_notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    spokesperson: Mapped[Spokesperson | None] = relationship(lazy="joined")


class Tone(enum.StrEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"


class Coverage(db.Model):
    """A story that covered the program."""

    __tablename__ = "press_coverage"
    __table_args__ = (Index("ix_press_coverage_published_on", "published_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet: Mapped[str] = mapped_column(String(120))
    published_on: Mapped[date] = mapped_column(Date)
    headline: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500), default="")
    tone: Mapped[Tone] = mapped_column(str_enum(Tone, 16), default=Tone.neutral)
    quoted: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
