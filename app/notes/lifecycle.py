"""Notes' answers to the people lifecycle: notes and commitments move on a merge, are
counted for a delete or merge, and keep an imported contact or organization from an undo."""

from __future__ import annotations

from sqlalchemy import Select, func, select, update

from app.extensions import db
from app.notes.models import Commitment, note_contacts, note_organizations
from app.people import lifecycle
from app.people.lifecycle import Count, LinkedIds
from app.system.words import plural


def _move_links(table, column: str, keep_id: int, other_id: int) -> None:
    """Move a note link table's rows from `other_id` to `keep_id`; a note linked to both
    keeps one row (the pair is the primary key)."""
    col = table.c[column]
    both = select(table.c.note_id).where(col == keep_id)
    db.session.execute(table.delete().where(col == other_id, table.c.note_id.in_(both)))
    db.session.execute(update(table).where(col == other_id).values({column: keep_id}))


def contact_merged(keep, *, other, **_) -> None:
    """Notes about the duplicate and commitments to them now belong to `keep`."""
    _move_links(note_contacts, "contact_id", keep.id, other.id)
    db.session.execute(update(Commitment).where(Commitment.contact_id == other.id)
                       .values(contact_id=keep.id))


def organization_merged(keep, *, other, **_) -> None:
    """Notes about the duplicate organization and commitments to it now belong to `keep`."""
    _move_links(note_organizations, "organization_id", keep.id, other.id)
    db.session.execute(update(Commitment).where(Commitment.organization_id == other.id)
                       .values(organization_id=keep.id))


def _counts(link_table, link_column, commitment_column, object_id: int) -> list[Count]:
    return [Count(select(func.count()).select_from(link_table)
                  .where(link_table.c[link_column] == object_id).scalar_subquery(),
                  lambda n: plural(n, "note")),
            Count(select(func.count()).select_from(Commitment)
                  .where(commitment_column == object_id).scalar_subquery(),
                  lambda n: plural(n, "commitment"))]


def contact_links(contact, **_) -> list[Count]:
    """ "3 notes", "1 commitment"."""
    return _counts(note_contacts, "contact_id", Commitment.contact_id, contact.id)


def organization_links(org, **_) -> list[Count]:
    """ "3 notes", "1 commitment"."""
    return _counts(note_organizations, "organization_id", Commitment.organization_id, org.id)


def contact_ids_linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
    """Contacts among `among` with notes or commitments."""
    return [
        LinkedIds("notes", select(note_contacts.c.contact_id)
                  .where(note_contacts.c.contact_id.in_(among))),
        LinkedIds("commitments", select(Commitment.contact_id)
                  .where(Commitment.contact_id.in_(among))),
    ]


def organization_ids_linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
    """Organizations among `among` with notes or commitments."""
    return [
        LinkedIds("notes", select(note_organizations.c.organization_id)
                  .where(note_organizations.c.organization_id.in_(among))),
        LinkedIds("commitments", select(Commitment.organization_id)
                  .where(Commitment.organization_id.in_(among))),
    ]


def connect() -> None:
    """Connect notes' receivers (from init_app; connecting twice is harmless)."""
    lifecycle.connect(lifecycle.contact_merged, contact_merged)
    lifecycle.connect(lifecycle.organization_merged, organization_merged)
    lifecycle.connect(lifecycle.contact_links, contact_links)
    lifecycle.connect(lifecycle.organization_links, organization_links)
    lifecycle.connect(lifecycle.contact_ids_linked, contact_ids_linked)
    lifecycle.connect(lifecycle.organization_ids_linked, organization_ids_linked)
