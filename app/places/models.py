"""The community map: service sites, places, blocks and areas with their dated notes, and
events placed at a place."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.people.models import Contact, Organization, Stance


class Category(enum.StrEnum):
    """What a place is (the field guidance's community assets, and the rest)."""

    school = "school"
    faith = "faith"
    business = "business"
    community = "community"
    clinic = "clinic"
    pharmacy = "pharmacy"
    park = "park"
    transit = "transit"
    government = "government"
    law_enforcement = "law_enforcement"
    participant_area = "participant_area"
    issue = "issue"
    other = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def glyph(self) -> str:
        return CATEGORY_GLYPHS[self]

    @property
    def protected(self) -> bool:
        """Shown to admin and liaison only, never to staff, in an export or in public."""
        return self in PROTECTED_CATEGORIES


CATEGORY_LABELS = {
    Category.school: "School",
    Category.faith: "Faith community",
    Category.business: "Store or business",
    Category.community: "Community organization",
    Category.clinic: "Clinic or health service",
    Category.pharmacy: "Pharmacy",
    Category.park: "Park",
    Category.transit: "Transit",
    Category.government: "Government office",
    Category.law_enforcement: "Law enforcement",
    Category.participant_area: "Potential participant area",
    Category.issue: "Issue or concern",
    Category.other: "Other",
}
# A letter for each marker, so categories read without colour.
CATEGORY_GLYPHS = {
    Category.school: "S", Category.faith: "F", Category.business: "B",
    Category.community: "C", Category.clinic: "+", Category.pharmacy: "Rx",
    Category.park: "P", Category.transit: "T", Category.government: "G",
    Category.law_enforcement: "L", Category.participant_area: "PA", Category.issue: "!",
    Category.other: "•",
}
PROTECTED_CATEGORIES = frozenset({Category.participant_area})


class AreaKind(enum.StrEnum):
    """A block (walked street by street) or a wider area (a park, a corridor)."""

    block = "block"
    area = "area"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class NoteKind(enum.StrEnum):
    """What a dated note on an area records."""

    walked = "walked"
    changed = "changed"
    issue = "issue"

    @property
    def label(self) -> str:
        return {"walked": "Walked", "changed": "What changed", "issue": "Issue met"}[self.value]


class ServiceSite(db.Model):
    """A place the program provides services from: the centres of the map."""

    __tablename__ = "service_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    hours_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def audit_label(self) -> str:
        return self.name


class Area(db.Model):
    """A block or area drawn as one polygon. `ring` holds its corners as [lat, lng] pairs
    (counterclockwise, not repeating the first); the bounding box and centre are kept
    beside it so "which block is this place on" and "how far is it" are cheap."""

    __tablename__ = "map_areas"
    __table_args__ = (Index("ix_map_areas_bbox", "min_lat", "max_lat", "min_lng", "max_lng"),
                      Index("ix_map_areas_distance_m", "distance_m"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AreaKind] = mapped_column(str_enum(AreaKind, 16), default=AreaKind.block)
    private: Mapped[bool] = mapped_column(default=False)
    ring: Mapped[list] = mapped_column(JSON)
    min_lat: Mapped[float] = mapped_column(Float)
    min_lng: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    max_lng: Mapped[float] = mapped_column(Float)
    center_lat: Mapped[float] = mapped_column(Float)
    center_lng: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float] = mapped_column(Float)
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_sites.id", ondelete="SET NULL"))
    distance_m: Mapped[float | None] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    site: Mapped[ServiceSite | None] = relationship(lazy="raise")

    @property
    def corners(self) -> list[tuple[float, float]]:
        return [(lat, lng) for lat, lng in self.ring]

    @property
    def audit_label(self) -> str:
        """A private area is named in the audit trail by number only."""
        return f"{self.kind.value} #{self.id}" if self.private else self.name


class AreaNote(db.Model):
    """A dated note on a block or area: walked on, what changed, an issue met (open until
    it is marked resolved)."""

    __tablename__ = "map_area_notes"
    __table_args__ = (Index("ix_map_area_notes_area_id_noted_on", "area_id", "noted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("map_areas.id", ondelete="CASCADE"))
    noted_on: Mapped[date]
    kind: Mapped[NoteKind] = mapped_column(str_enum(NoteKind, 16), default=NoteKind.walked)
    text: Mapped[str] = mapped_column(Text, default="")
    resolved_on: Mapped[date | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def open_issue(self) -> bool:
        return self.kind == NoteKind.issue and self.resolved_on is None


class Place(db.Model):
    """A place on the map. Its nearest service site, the distance to it and the block it is
    on are computed when it (or a site, or an area) is saved, so lists sort and filter in
    SQL."""

    __tablename__ = "places"
    __table_args__ = (
        Index("ix_places_distance_m", "distance_m"),
        Index("ix_places_category", "category"),
        Index("ix_places_lat_lng", "lat", "lng"),
        Index("ix_places_area_id", "area_id"),
        Index("ix_places_organization_id", "organization_id"),
        Index("ix_places_contact_id", "contact_id"),
        Index("ix_places_issue_open", "issue_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(str_enum(Category), default=Category.other)
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    checked_on: Mapped[date | None]
    # The place's notes say an issue is open here (the dashboard, walk sheets and tour
    # screening show it until someone clears it).
    issue_open: Mapped[bool] = mapped_column(default=False)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("map_areas.id", ondelete="SET NULL"))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_sites.id", ondelete="SET NULL"))
    distance_m: Mapped[float | None] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization | None] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")
    area: Mapped[Area | None] = relationship(lazy="raise")
    site: Mapped[ServiceSite | None] = relationship(lazy="raise")

    @property
    def protected(self) -> bool:
        return self.category.protected

    @property
    def audit_label(self) -> str:
        """Participant areas are named in the audit trail by number only: admins read the
        trail, but a line copied out of it should not place participants anywhere."""
        return f"place #{self.id}" if self.protected else self.name

    @property
    def stance(self) -> Stance | None:
        """The linked organization's stance, else the linked contact's (load them first)."""
        if self.organization_id and self.organization is not None:
            return self.organization.stance
        if self.contact_id and self.contact is not None:
            return self.contact.stance
        return None


class PlaceEvent(db.Model):
    """An event placed on the map at a place (an event is at one place at most)."""

    __tablename__ = "place_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"),
                                          index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          unique=True)
