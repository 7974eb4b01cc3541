"""Press's answers to the people lifecycle: media inquiries linked to a journalist's contact
move on a merge, are counted for a delete or merge, and keep an imported contact from an
undo."""

from __future__ import annotations

from sqlalchemy import Select, func, select, update

from app.extensions import db
from app.people import lifecycle
from app.people.lifecycle import Link, LinkedIds, plural
from app.press.models import Inquiry


def contact_merged(keep, *, other, **_) -> None:
    """The duplicate's media inquiries now belong to `keep`."""
    db.session.execute(update(Inquiry).where(Inquiry.contact_id == other.id)
                       .values(contact_id=keep.id))


def contact_links(contact, **_) -> list[Link]:
    """ "2 media inquiries"."""
    n = db.session.scalar(select(func.count()).select_from(Inquiry)
                          .where(Inquiry.contact_id == contact.id)) or 0
    return [Link(n, plural(n, "media inquiry", "media inquiries"))]


def contact_ids_linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
    """Contacts among `among` linked to a media inquiry."""
    return [LinkedIds("media inquiries",
                      select(Inquiry.contact_id).where(Inquiry.contact_id.in_(among)))]


def connect() -> None:
    """Connect press's receivers (from init_app; connecting twice is harmless)."""
    lifecycle.connect(lifecycle.contact_merged, contact_merged)
    lifecycle.connect(lifecycle.contact_links, contact_links)
    lifecycle.connect(lifecycle.contact_ids_linked, contact_ids_linked)
