"""Events, their hosts and speakers, invitations with RSVPs and attendance, public
registrations with their waitlist, and digests sent."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.people.models import Contact


class EventKind(enum.StrEnum):
    """What sort of gathering this is."""

    open_house = "open_house"
    tour = "tour"
    celebration = "celebration"
    fundraiser = "fundraiser"
    coalition_meeting = "coalition_meeting"
    speaking = "speaking"
    training = "training"
    media = "media"
    other = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    EventKind.open_house: "Open house",
    EventKind.tour: "Tour",
    EventKind.celebration: "Community celebration",
    EventKind.fundraiser: "Fundraiser",
    EventKind.coalition_meeting: "Coalition meeting",
    EventKind.speaking: "Public speaking engagement",
    EventKind.training: "Training",
    EventKind.media: "Media event",
    EventKind.other: "Other",
}


class EventStatus(enum.StrEnum):
    """Whether an event is going ahead."""

    scheduled = "scheduled"
    tentative = "tentative"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Answer(enum.StrEnum):
    """An invitee's RSVP."""

    pending = "pending"
    yes = "yes"
    maybe = "maybe"
    no = "no"

    @property
    def label(self) -> str:
        return {"pending": "No answer yet", "yes": "Yes", "maybe": "Maybe", "no": "No"}[self.value]

    @property
    def partstat(self) -> str:
        """The iCalendar participation status this answer is (RFC 5545 3.2.12)."""
        return PARTSTATS[self]


PARTSTATS = {Answer.pending: "NEEDS-ACTION", Answer.yes: "ACCEPTED", Answer.maybe: "TENTATIVE",
             Answer.no: "DECLINED"}


class Attendance(enum.StrEnum):
    """What happened on the day."""

    unknown = "unknown"
    attended = "attended"
    no_show = "no_show"

    @property
    def label(self) -> str:
        return {"unknown": "Not recorded", "attended": "Attended", "no_show": "Didn't come"}[
            self.value
        ]


class Event(db.Model):
    """One event. `uid` never changes; `sequence` only grows, bumped on every change that
    matters to invitees (RFC 5545), so calendar programs apply updates in order."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_starts_at", "starts_at"),
        Index("ix_events_public_starts_at", "is_public", "starts_at"),
        # The public feed's cache key (feeds.cached_public_feed), read from the index alone.
        Index("ix_events_public_feed", "is_public", "ends_at", "updated_at", "sequence"),
        Index("uq_events_slug", "slug", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    # The public page's address (/public-events/<slug>): made from the first title and never
    # changed after, so a link someone shared keeps working when the title is edited.
    slug: Mapped[str] = mapped_column(String(120))  # unique: uq_events_slug
    sequence: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind), default=EventKind.other)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    address_invitees_only: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="", server_default="")  # public
    capacity: Mapped[int | None]
    is_public: Mapped[bool] = mapped_column(default=False)
    # Members of the public may register on the public page (public events only).
    registration_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus), default=EventStatus.scheduled
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    followups_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    hosts: Mapped[list[EventHost]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="EventHost.id"
    )

    @property
    def audit_label(self) -> str:
        """The name the audit trail keeps for this row (app.audit.services.record)."""
        return self.title

    @property
    def cancelled(self) -> bool:
        return self.status == EventStatus.cancelled

    def public_location(self) -> str:
        """Where it is, as anyone may see it: the address only if not kept for invitees."""
        if self.address_invitees_only or not self.address:
            return self.location
        return ", ".join(x for x in (self.location, self.address) if x)

    def full_location(self) -> str:
        return ", ".join(x for x in (self.location, self.address) if x)

    @property
    def hides_address(self) -> bool:
        """An address exists and is kept for invitees and approved registrants."""
        return bool(self.address) and self.address_invitees_only


class EventHost(db.Model):
    """A host or speaker: a staff member or a contact (peer leaders included)."""

    __tablename__ = "event_hosts"
    __table_args__ = (Index("ix_event_hosts_event_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20), default="host")  # host | speaker

    user: Mapped[User | None] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")

    @property
    def name(self) -> str:
        person = self.user or self.contact
        return person.name if person else "—"


class Invitation(db.Model):
    """One invitee of one event. The RSVP link's token is derived from `nonce` and the
    secret key; only its hash is stored, for lookup."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id", name="uq_invitations_event_contact"),
        Index("ix_invitations_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(210))
    email: Mapped[str] = mapped_column(String(254))
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answer: Mapped[Answer] = mapped_column(str_enum(Answer), default=Answer.pending)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where the answer came from: "page" (the RSVP link) or "calendar" (a reply from their
    # calendar program, read from the organization's mailbox: app/events/replies.py).
    answered_via: Mapped[str | None] = mapped_column(String(16))
    # The event's SEQUENCE when we last asked this invitee for an answer (invited, or asked
    # again after the time or place moved): a calendar reply to an older one is stale.
    asked_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Their answer before we asked again, shown beside "No answer yet" until they answer.
    previous_answer: Mapped[Answer | None] = mapped_column(str_enum(Answer))
    attendance: Mapped[Attendance] = mapped_column(str_enum(Attendance), default=Attendance.unknown)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")


class DigestSent(db.Model):
    """The morning digest sent to one user on one day: the unique key makes
    `flask digest send` idempotent, even when two runs race."""

    __tablename__ = "event_digests"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_event_digests_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands. `registered` and `offered` hold places."""

    registered = "registered"
    waitlisted = "waitlisted"
    offered = "offered"  # a place is held for them until offer_expires_at
    cancelled = "cancelled"  # by the registrant
    declined = "declined"  # by the liaison
    lapsed = "lapsed"  # an offered place was not confirmed in time

    @property
    def label(self) -> str:
        return REGISTRATION_LABELS[self]


REGISTRATION_LABELS = {
    RegistrationStatus.registered: "Registered",
    RegistrationStatus.waitlisted: "On the waitlist",
    RegistrationStatus.offered: "Offered a place",
    RegistrationStatus.cancelled: "Cancelled",
    RegistrationStatus.declined: "Declined",
    RegistrationStatus.lapsed: "Offer lapsed",
}
ACTIVE = (RegistrationStatus.registered, RegistrationStatus.waitlisted,
          RegistrationStatus.offered)


class Registration(db.Model):
    """One member of the public's registration for an event, for themselves and their group.

    Screening (app.people.screening) never changes what the registrant is told: a held
    registration takes a place like any other but gets no private address or reminder until
    the liaison approves it; a blocked one is told the same and holds no place at all."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        Index("ix_event_registrations_event_status", "event_id", "status"),
        Index("ix_event_registrations_contact_id", "contact_id"),
        Index("ix_event_registrations_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, 16), default=RegistrationStatus.registered)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    affiliation: Mapped[str | None] = mapped_column(String(200))  # their organization
    group_size: Mapped[int] = mapped_column(default=1)
    accessibility: Mapped[str | None] = mapped_column(Text)
    contact_consent: Mapped[bool] = mapped_column(default=False)
    # The contact the liaison made (or found) from this registrant, with their agreement.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    # The private link's token is derived from this nonce and SECRET_KEY; only its SHA-256
    # is stored and looked up, so the database alone opens no registration.
    token_nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Screening matches, for the liaison's eyes only: [{"source", "field", "reason", "block"}].
    screening: Mapped[list] = mapped_column(JSON, default=list)
    held: Mapped[bool] = mapped_column(default=False)  # waits for the liaison's approval
    blocked: Mapped[bool] = mapped_column(default=False)  # told the same; holds no place
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # place in line
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    address_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when it goes
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attendance: Mapped[Attendance] = mapped_column(str_enum(Attendance), default=Attendance.unknown)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(lazy="raise")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def attended(self) -> bool:
        return self.attendance == Attendance.attended
