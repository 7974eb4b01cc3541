"""Contacts (people) and organizations, their emails and phones, stance history and imports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.people import phones


class Stance(enum.StrEnum):
    """Where a relationship stands today (it describes the relationship, not the person)."""

    champion = "champion"
    ally = "ally"
    neutral = "neutral"
    skeptic = "skeptic"
    challenger = "challenger"
    unknown = "unknown"

    @property
    def label(self) -> str:
        return STANCE_LABELS[self]


STANCE_LABELS = {
    Stance.champion: "Champion",
    Stance.ally: "Ally",
    Stance.neutral: "Neutral",
    Stance.skeptic: "Skeptical",
    Stance.challenger: "Challenging",
    Stance.unknown: "Not yet known",
}
STANCE_HINTS = {
    Stance.champion: "Speaks up for the program unprompted",
    Stance.ally: "Supportive when asked",
    Stance.neutral: "Neither for nor against, for now",
    Stance.skeptic: "Has doubts we can address",
    Stance.challenger: "Currently opposes the program; keep in careful touch",
    Stance.unknown: "We have not learned this yet",
}


class Influence(enum.StrEnum):
    """How much a contact's view shapes others'."""

    low = "low"
    medium = "medium"
    high = "high"

    @property
    def label(self) -> str:
        return self.value.title()


class Sphere(enum.StrEnum):
    """The spheres of the external community (from the field guidance)."""

    government = "government"
    social_services = "social_services"
    professional = "professional"
    movement = "movement"
    media = "media"
    neighbors = "neighbors"
    faith = "faith"

    @property
    def label(self) -> str:
        return SPHERE_LABELS[self]


SPHERE_LABELS = {
    Sphere.government: "Local government",
    Sphere.social_services: "Social services",
    Sphere.professional: "Professional community",
    Sphere.movement: "National movement",
    Sphere.media: "Media",
    Sphere.neighbors: "Neighbors and businesses",
    Sphere.faith: "Faith communities",
}


class OrgType(enum.StrEnum):
    """What kind of organization this is."""

    government = "government"
    elected = "elected"
    health_department = "health_department"
    social_service = "social_service"
    clinic = "clinic"
    school = "school"
    faith = "faith"
    business = "business"
    neighborhood = "neighborhood"
    media = "media"
    coalition = "coalition"
    law_enforcement = "law_enforcement"
    funder = "funder"
    other = "other"

    @property
    def label(self) -> str:
        return ORG_TYPE_LABELS[self]


ORG_TYPE_LABELS = {
    OrgType.government: "City, county or state government office",
    OrgType.elected: "Elected official's office",
    OrgType.health_department: "Health department",
    OrgType.social_service: "Social service organization",
    OrgType.clinic: "Clinic or hospital",
    OrgType.school: "School",
    OrgType.faith: "Faith community",
    OrgType.business: "Business",
    OrgType.neighborhood: "Neighborhood group",
    OrgType.media: "Media outlet",
    OrgType.coalition: "Coalition or professional body",
    OrgType.law_enforcement: "Law enforcement",
    OrgType.funder: "Funder",
    OrgType.other: "Other",
}


class Channel(enum.StrEnum):
    """How someone prefers to be reached, or how an interaction happened."""

    meeting = "meeting"
    call = "call"
    email = "email"
    event = "event"
    public_comment = "public_comment"
    social_media = "social_media"
    text = "text"
    other = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Organization(db.Model):
    """An organization in the external community (a council office, a clinic, a paper)."""

    __tablename__ = "organizations"
    __table_args__ = (
        Index("ix_organizations_name", "name"),
        Index("ix_organizations_type", "type"),
        Index("ix_organizations_sphere", "sphere"),
        Index("ix_organizations_stance", "stance"),
        # The tag vocabulary (tags page, suggestions) is read from the index alone.
        Index("ix_organizations_archived_at_tags", "archived_at", "tags"),
        # "Changed since the last look for duplicates" (the likely duplicates page).
        Index("ix_organizations_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[OrgType] = mapped_column(str_enum(OrgType), default=OrgType.other)
    sphere: Mapped[Sphere | None] = mapped_column(str_enum(Sphere))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(300))
    tags: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str | None] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    do_not_contact: Mapped[bool] = mapped_column(default=False)
    # Like a contact's: where the relationship with the organization as a whole stands.
    stance: Mapped[Stance] = mapped_column(str_enum(Stance), default=Stance.unknown,
                                           server_default=Stance.unknown.value)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Bumped by every ORM update (version_id_col): the edit form carries the version it
    # showed, so a save over someone else's newer changes is caught (app/system/conflicts.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    owner: Mapped[User | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_label(self) -> str:
        """The name the audit trail keeps for this row (app.audit.services.record)."""
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def phone_display(self) -> str:
        return phones.format(self.phone)


class Contact(db.Model):
    """A person in the external community, optionally belonging to an organization."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_sort_name", "sort_name"),
        # An organization's people in name order (its page, and the list's counts) without
        # reading other organizations' rows: the planner walked the name index otherwise.
        Index("ix_contacts_organization_id_archived_at_sort_name", "organization_id",
              "archived_at", "sort_name"),
        Index("ix_contacts_stance_influence", "stance", "influence"),
        # Media contacts in name order, and the keep-in-touch classes (notes.services
        # due_for_contact_query): one index range per class, oldest last contact first.
        Index("ix_contacts_is_media_archived_at_sort_name", "is_media", "archived_at",
              "sort_name"),
        Index("ix_contacts_is_media_archived_at_stance_last_contact_on", "is_media",
              "archived_at", "stance", "last_contact_on"),
        Index("ix_contacts_is_media_archived_at_stance_last_open_contact_on", "is_media",
              "archived_at", "stance", "last_open_contact_on"),
        Index("ix_contacts_archived_at_keep_in_touch_days", "archived_at", "keep_in_touch_days"),
        Index("ix_contacts_owner_id", "owner_id"),
        Index("ix_contacts_import_id", "import_id"),
        Index("ix_contacts_last_contact_on", "last_contact_on"),
        Index("ix_contacts_last_open_contact_on", "last_open_contact_on"),
        Index("ix_contacts_archived_at_tags", "archived_at", "tags"),
        # The list's orders (migration 0009): a page walks one of these and stops.
        Index("ix_contacts_archived_at_sort_name", "archived_at", "sort_name"),
        Index("ix_contacts_stance_sort_name", "stance", "sort_name"),
        Index("ix_contacts_updated_at_id", "updated_at", "id"),
        # (PostgreSQL also has last_contact_on and last_open_contact_on NULLS FIRST, id:
        # "longest since contact", never-contacted first, migration 0022; and the
        # keep-in-touch classes' order over active contacts, migration 0023.)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    sort_name: Mapped[str] = mapped_column(String(210), default="")
    # Honorifics and suffixes ("Rev.", "Jr."): part of how to address someone, not a job.
    name_prefix: Mapped[str | None] = mapped_column(String(40))
    name_suffix: Mapped[str | None] = mapped_column(String(40))
    pronouns: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    sphere: Mapped[Sphere | None] = mapped_column(str_enum(Sphere))
    address: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(300))
    preferred_channel: Mapped[Channel | None] = mapped_column(str_enum(Channel))
    tags: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str | None] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    do_not_contact: Mapped[bool] = mapped_column(default=False)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance), default=Stance.unknown)
    influence: Mapped[Influence] = mapped_column(str_enum(Influence), default=Influence.medium)
    keep_in_touch_days: Mapped[int | None]
    is_media: Mapped[bool] = mapped_column(default=False)
    beat: Mapped[str | None] = mapped_column(String(200))
    coverage_area: Mapped[str | None] = mapped_column(String(200))
    approach_notes: Mapped[str | None] = mapped_column(Text)
    # What is known about them that isn't a dated note (an address book's "Notes", say).
    background: Mapped[str | None] = mapped_column(Text)
    last_contact_on: Mapped[date | None]
    # The same from notes that are not sensitive: what staff are shown, so a sensitive note
    # never tells them, by moving a date, that something happened.
    last_open_contact_on: Mapped[date | None]
    search_text: Mapped[str] = mapped_column(Text, default="")
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_imports.id", ondelete="SET NULL")
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # As for organizations: two people editing one contact (app/system/conflicts.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    organization: Mapped[Organization | None] = relationship(lazy="raise")
    owner: Mapped[User | None] = relationship(lazy="raise")
    emails: Mapped[list[ContactEmail]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ContactEmail.id"
    )
    phones: Mapped[list[ContactPhone]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ContactPhone.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def formal_name(self) -> str:
        """The name with its honorific and suffix: "Rev. Rosa Delgado Jr."."""
        return " ".join(p for p in (self.name_prefix, self.first_name, self.last_name,
                                    self.name_suffix) if p)

    audit_label = name  # the name the audit trail keeps (app.audit.services.record)

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    def last_contact_for(self, user: User | None) -> date | None:
        """The last contact `user` may know of: sensitive notes count only for those who
        read them (see last_contact_column)."""
        return self.last_contact_on if user is not None and user.sees_sensitive \
            else self.last_open_contact_on


def last_contact_column(user: User | None):
    """The last-contact column for `user`'s lists, sorts and due dates: every note for
    admins and the liaison, only non-sensitive notes for staff (and for nobody)."""
    return Contact.last_contact_on if user is not None and user.sees_sensitive \
        else Contact.last_open_contact_on


class ContactEmail(db.Model):
    """One email address of a contact, stored lower-cased for matching."""

    __tablename__ = "contact_emails"
    __table_args__ = (Index("ix_contact_emails_email", "email"),
                      Index("ix_contact_emails_contact_id", "contact_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))


class ContactPhone(db.Model):
    """One phone number of a contact, stored as E.164."""

    __tablename__ = "contact_phones"
    __table_args__ = (Index("ix_contact_phones_number", "number"),
                      Index("ix_contact_phones_contact_id", "contact_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))

    @property
    def display(self) -> str:
        return phones.format(self.number)


class ContactTally(db.Model):
    """How many active (not archived) contacts hold each stance and influence: the dashboard's
    counts and the stakeholder map read these few rows instead of counting every contact.
    Kept by triggers on contacts (migration 0014_bench), so every way of writing contacts (forms,
    imports, merges, bulk SQL) keeps them right."""

    __tablename__ = "contact_tallies"

    stance: Mapped[Stance] = mapped_column(str_enum(Stance), primary_key=True)
    influence: Mapped[Influence] = mapped_column(str_enum(Influence), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class StanceChange(db.Model):
    """One change of a contact's stance or influence: who, when, from, to and why."""

    __tablename__ = "stance_changes"
    __table_args__ = (Index("ix_stance_changes_contact_id_at", "contact_id", "at"),
                      Index("ix_stance_changes_at", "at"),
                      # Changes, not first entries (from_stance is empty when a contact is
                      # added): the dashboard's latest changes skip an import's 20,000 adds.
                      Index("ix_stance_changes_changed_at", "at",
                            sqlite_where=text("from_stance IS NOT NULL"),
                            postgresql_where=text("from_stance IS NOT NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_stance: Mapped[Stance | None] = mapped_column(str_enum(Stance))
    to_stance: Mapped[Stance] = mapped_column(str_enum(Stance))
    from_influence: Mapped[Influence | None] = mapped_column(str_enum(Influence))
    to_influence: Mapped[Influence] = mapped_column(str_enum(Influence))
    reason: Mapped[str] = mapped_column(String(500), default="")

    contact: Mapped[Contact] = relationship(lazy="raise")
    by: Mapped[User | None] = relationship(lazy="raise")


class OrganizationStanceChange(db.Model):
    """One change of an organization's stance: who, when, from, to and why."""

    __tablename__ = "organization_stance_changes"
    __table_args__ = (Index("ix_organization_stance_changes_org_at", "organization_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_stance: Mapped[Stance | None] = mapped_column(str_enum(Stance))
    to_stance: Mapped[Stance] = mapped_column(str_enum(Stance))
    reason: Mapped[str] = mapped_column(String(500), default="")

    by: Mapped[User | None] = relationship(lazy="raise")


class LikelyDuplicate(db.Model):
    """Two contacts (or two organizations) that look like the same one, found by the sweep in
    app/people/duplicates.py, ranked by `score`; or a pair someone said are not the same
    (`dismissed_at`), which the sweep then leaves alone. A derived list, so its ids are plain
    integers rather than foreign keys: a pair whose record was merged away or deleted drops
    out of the page's join, and out of the table at the next sweep."""

    __tablename__ = "likely_duplicates"
    __table_args__ = (
        Index("ix_likely_duplicates_rank", "kind", "dismissed_at", "score", "low_id",
              "high_id"),
        Index("ix_likely_duplicates_high", "kind", "high_id"),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # contact | organization
    low_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    high_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dismissed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))


class ContactImport(db.Model):
    """A CSV import: previewed rows, then confirmed (all or nothing), and perhaps undone."""

    __tablename__ = "contact_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[Any] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_count: Mapped[int] = mapped_column(default=0)

    created_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def status(self) -> str:
        if self.undone_at:
            return "undone"
        return "imported" if self.confirmed_at else "preview"


class ImportMapping(db.Model):
    """The column choices last confirmed for one set of headers, so the next export from the
    same address book maps itself. Keyed by a hash of the normalized headers: a file whose
    first row is really data leaves no names behind here."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    headers_hash: Mapped[str] = mapped_column(String(64), unique=True)
    fields: Mapped[Any] = mapped_column(JSON)  # a field name (or None) per column, in order
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
