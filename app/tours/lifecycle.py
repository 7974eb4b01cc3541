"""Tours' answers to the people lifecycle: bookings linked to a visitor's contact move on a
merge, are counted for a delete or merge, and keep an imported contact from an undo."""

from __future__ import annotations

from sqlalchemy import Select, func, select, update

from app.extensions import db
from app.people import lifecycle
from app.people.lifecycle import Link, LinkedIds, plural
from app.tours.models import TourBooking


def contact_merged(keep, *, other, **_) -> None:
    """The duplicate's tour bookings now belong to `keep`."""
    db.session.execute(update(TourBooking).where(TourBooking.contact_id == other.id)
                       .values(contact_id=keep.id))


def contact_links(contact, **_) -> list[Link]:
    """ "1 tour booking"."""
    n = db.session.scalar(select(func.count()).select_from(TourBooking)
                          .where(TourBooking.contact_id == contact.id)) or 0
    return [Link(n, plural(n, "tour booking"))]


def contact_ids_linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
    """Contacts among `among` linked to a tour booking."""
    return [LinkedIds("tour bookings",
                      select(TourBooking.contact_id).where(TourBooking.contact_id.in_(among)))]


def connect() -> None:
    """Connect tours' receivers (from init_app; connecting twice is harmless)."""
    lifecycle.connect(lifecycle.contact_merged, contact_merged)
    lifecycle.connect(lifecycle.contact_links, contact_links)
    lifecycle.connect(lifecycle.contact_ids_linked, contact_ids_linked)
