"""Coalitions and professional bodies, their member organizations, our membership (role,
representative, dues, renewal), dated deadlines, values alignment and the notes,
commitments and events linked to a coalition."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.people.models import Contact, Organization, Sphere
from app.settings.models import ProgramValue


class Kind(enum.StrEnum):
    """What sort of body this is."""

    coalition = "coalition"
    professional_association = "professional_association"
    national_network = "national_network"
    working_group = "working_group"
    movement_organization = "movement_organization"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.coalition: "Coalition",
    Kind.professional_association: "Professional association",
    Kind.national_network: "National network",
    Kind.working_group: "Working group or task force",
    Kind.movement_organization: "Movement organization",
}


class Scope(enum.StrEnum):
    """How far the body reaches."""

    local = "local"
    regional = "regional"
    state = "state"
    national = "national"
    international = "international"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Role(enum.StrEnum):
    """Our part in a body. Only member, lead and observer renew; prospective and former
    are bodies we are not (or no longer) part of."""

    member = "member"
    lead = "lead"
    observer = "observer"
    prospective = "prospective"
    former = "former"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def active(self) -> bool:
        return self in ACTIVE_ROLES


ROLE_LABELS = {
    Role.member: "Member",
    Role.lead: "Steering or lead",
    Role.observer: "Observer",
    Role.prospective: "Prospective",
    Role.former: "Former member",
}
ACTIVE_ROLES = (Role.member, Role.lead, Role.observer)


class DuesPeriod(enum.StrEnum):
    """What a dues amount covers."""

    year = "year"
    quarter = "quarter"
    month = "month"
    one_time = "one_time"

    @property
    def label(self) -> str:
        return {"year": "a year", "quarter": "a quarter", "month": "a month",
                "one_time": "once"}[self.value]

    @property
    def months(self) -> int:
        return {"year": 12, "quarter": 3, "month": 1, "one_time": 12}[self.value]


class Rating(enum.StrEnum):
    """How a partner's words and deeds sit with one of the program's values."""

    aligned = "aligned"
    partly = "partly"
    conflicts = "conflicts"
    unknown = "unknown"

    @property
    def label(self) -> str:
        return {"aligned": "Aligned", "partly": "Partly aligned", "conflicts": "Conflicts",
                "unknown": "Not yet known"}[self.value]


# What each rating adds to a partner's alignment score (unknown counts for nothing).
RATING_POINTS = {Rating.aligned: 2, Rating.partly: 1, Rating.conflicts: -2, Rating.unknown: 0}


class DeadlineKind(enum.StrEnum):
    """What a dated deadline is for."""

    abstract = "abstract"
    nomination = "nomination"
    sign_on = "sign_on"
    report = "report"
    other = "other"

    @property
    def label(self) -> str:
        return {"abstract": "Conference abstract", "nomination": "Award nomination",
                "sign_on": "Sign-on letter", "report": "Report or survey",
                "other": "Other"}[self.value]


class Outcome(enum.StrEnum):
    """How a deadline closed: we did it, or we chose to let it pass."""

    done = "done"
    skipped = "skipped"

    @property
    def label(self) -> str:
        return {"done": "Done", "skipped": "Let pass"}[self.value]


class Coalition(db.Model):
    """A coalition, professional association, network or working group. It may itself be
    an organization record (`organization_id`), whose stance and contacts it then shares."""

    __tablename__ = "coalitions"
    __table_args__ = (Index("ix_coalitions_name", "name"),
                      Index("ix_coalitions_sphere", "sphere"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[Kind] = mapped_column(str_enum(Kind), default=Kind.coalition)
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, 16), default=Scope.local)
    sphere: Mapped[Sphere | None] = mapped_column(str_enum(Sphere))
    website: Mapped[str] = mapped_column(String(300), default="")
    meeting_cadence: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization | None] = relationship(lazy="raise")
    membership: Mapped[Membership | None] = relationship(
        lazy="raise", uselist=False, back_populates="coalition", cascade="all, delete-orphan")


class CoalitionMember(db.Model):
    """An organization that belongs to a coalition, with its role there and the contact
    who represents it (if we know)."""

    __tablename__ = "coalition_members"
    __table_args__ = (
        Index("uq_coalition_members_coalition_org", "coalition_id", "organization_id",
              unique=True),
        Index("ix_coalition_members_organization_id", "organization_id"),
        Index("ix_coalition_members_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(120), default="")
    joined_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")


class Membership(db.Model):
    """Our own membership of a coalition: role, representative, dues and renewal. A
    renewal date that passes stays overdue until renewed or let lapse with a reason."""

    __tablename__ = "coalition_memberships"
    __table_args__ = (Index("ix_coalition_memberships_renewal_on", "renewal_on"),
                      Index("ix_coalition_memberships_representative_id", "representative_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(
        ForeignKey("coalitions.id", ondelete="CASCADE"), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 16), default=Role.member)
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    since: Mapped[date | None]
    dues_cents: Mapped[int | None]
    dues_period: Mapped[DuesPeriod | None] = mapped_column(str_enum(DuesPeriod, 16))
    paid_through: Mapped[date | None]
    renewal_on: Mapped[date | None]
    renewed_on: Mapped[date | None]
    lapsed_on: Mapped[date | None]
    lapse_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    coalition: Mapped[Coalition] = relationship(lazy="raise", back_populates="membership")
    representative: Mapped[User | None] = relationship(lazy="raise")

    @property
    def renews(self) -> bool:
        """True while a renewal date is being watched (an active role, not let lapse)."""
        return self.role.active and self.lapsed_on is None and self.renewal_on is not None

    def overdue(self, today: date) -> bool:
        return self.renews and self.renewal_on < today  # type: ignore[operator]


class Deadline(db.Model):
    """A dated deadline a coalition gives us: a conference abstract, an award nomination,
    a sign-on letter. Open until done or let pass."""

    __tablename__ = "coalition_deadlines"
    __table_args__ = (Index("ix_coalition_deadlines_coalition_id", "coalition_id"),
                      Index("ix_coalition_deadlines_outcome_due_on", "outcome", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DeadlineKind] = mapped_column(str_enum(DeadlineKind, 16),
                                               default=DeadlineKind.other)
    due_on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, 16))
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    coalition: Mapped[Coalition] = relationship(lazy="raise")


class Alignment(db.Model):
    """How one coalition or one organization sits with one of the program's values, with
    a dated note of the evidence (what they said or did)."""

    __tablename__ = "value_alignments"
    __table_args__ = (
        CheckConstraint("(coalition_id IS NULL) <> (organization_id IS NULL)",
                        name="one_partner"),
        Index("uq_value_alignments_coalition_value", "coalition_id", "value_id", unique=True),
        Index("uq_value_alignments_organization_value", "organization_id", "value_id",
              unique=True),
        Index("ix_value_alignments_value_id", "value_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("program_values.id", ondelete="CASCADE"))
    coalition_id: Mapped[int | None] = mapped_column(
        ForeignKey("coalitions.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"))
    rating: Mapped[Rating] = mapped_column(str_enum(Rating, 16), default=Rating.unknown)
    evidence: Mapped[str] = mapped_column(Text, default="")
    observed_on: Mapped[date | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    value: Mapped[ProgramValue] = relationship(lazy="raise")


# Notes, commitments and events about a coalition: the coalitions domain owns the links,
# so notes and events never learn that coalitions exist.
coalition_notes = Table(
    "coalition_notes",
    db.metadata,
    Column("coalition_id", ForeignKey("coalitions.id", ondelete="CASCADE"), primary_key=True),
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_coalition_notes_note_id", "note_id"),
)

coalition_commitments = Table(
    "coalition_commitments",
    db.metadata,
    Column("coalition_id", ForeignKey("coalitions.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_coalition_commitments_commitment_id", "commitment_id"),
)

coalition_events = Table(
    "coalition_events",
    db.metadata,
    Column("coalition_id", ForeignKey("coalitions.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_coalition_events_event_id", "event_id"),
)
