"""Interaction notes (linked to contacts and organizations) and commitments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.people.models import Channel, Contact, Organization

note_contacts = Table(
    "note_contacts",
    db.metadata,
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_note_contacts_contact_id", "contact_id"),
)

note_organizations = Table(
    "note_organizations",
    db.metadata,
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"),
           primary_key=True),
    Index("ix_note_organizations_organization_id", "organization_id"),
)


class BodyFormat(enum.StrEnum):
    plain = "plain"
    markdown = "markdown"


class Note(db.Model):
    """What happened in one interaction. Sensitive notes are for admin and liaison only."""

    __tablename__ = "notes"
    # The notes list's order, newest first, exactly (a busy day's notes share a date).
    __table_args__ = (Index("ix_notes_occurred_on_id", "occurred_on", "id"),
                      Index("ix_notes_sensitive_occurred_on_id", "sensitive", "occurred_on",
                            "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_on: Mapped[date]
    channel: Mapped[Channel] = mapped_column(
        str_enum(Channel, 32)
    )
    summary: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[BodyFormat] = mapped_column(
        str_enum(BodyFormat, 16),
        default=BodyFormat.plain,
    )
    sensitive: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")
    contacts: Mapped[list[Contact]] = relationship(
        secondary=note_contacts, lazy="raise", order_by=Contact.sort_name
    )
    organizations: Mapped[list[Organization]] = relationship(
        secondary=note_organizations, lazy="raise", order_by=Organization.name
    )


class CommitmentStatus(enum.StrEnum):
    """A commitment is open until it is kept, or we explained why we can't."""

    open = "open"
    kept = "kept"
    explained = "explained"

    @property
    def label(self) -> str:
        return {"open": "Open", "kept": "Kept",
                "explained": "Can't do — explained"}[self.value]


class Commitment(db.Model):
    """Something we promised someone, with an owner and a due date."""

    __tablename__ = "commitments"
    __table_args__ = (Index("ix_commitments_status_due_on", "status", "due_on"),
                      Index("ix_commitments_contact_id", "contact_id"),
                      Index("ix_commitments_organization_id", "organization_id"),
                      Index("ix_commitments_owner_id", "owner_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    what: Mapped[str] = mapped_column(String(300))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, 16),
        default=CommitmentStatus.open,
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    explained_on: Mapped[date | None]
    explained_how: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contact: Mapped[Contact | None] = relationship(lazy="raise")
    organization: Mapped[Organization | None] = relationship(lazy="raise")
    owner: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[owner_id])

    @property
    def to_whom(self) -> str:
        names = [x.name for x in (self.contact, self.organization) if x is not None]
        return ", ".join(names) or "—"
