"""Merging two contacts into one.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app.audit.services import record
from app.auth.models import User
from app.extensions import db
from app.people.contacts import PLAIN_FIELDS, ContactData, apply_contact_data
from app.people.models import Contact, StanceChange


def merge_contacts(keep: Contact, other: Contact, actor: User | None) -> Contact:
    """Merge `other` into `keep`: notes, commitments, stance history, emails and phones move;
    then `other` is deleted. Recorded in the audit trail."""
    from app.notes.models import Commitment, note_contacts

    already = select(note_contacts.c.note_id).where(note_contacts.c.contact_id == keep.id)
    db.session.execute(note_contacts.delete().where(
        note_contacts.c.contact_id == other.id, note_contacts.c.note_id.in_(already)))
    db.session.execute(update(note_contacts).where(note_contacts.c.contact_id == other.id)
                       .values(contact_id=keep.id))
    db.session.execute(update(Commitment).where(Commitment.contact_id == other.id)
                       .values(contact_id=keep.id))
    db.session.execute(update(StanceChange).where(StanceChange.contact_id == other.id)
                       .values(contact_id=keep.id))
    for linked in _linked_to_contacts():
        db.session.execute(update(linked).where(linked.contact_id == other.id)
                           .values(contact_id=keep.id))
    emails = [e.email for e in keep.emails] + [e.email for e in other.emails]
    phones = [p.number for p in keep.phones] + [p.number for p in other.phones]
    tags = keep.tag_list + other.tag_list
    data = _data_of(keep)
    data.emails, data.phones, data.tags = emails, phones, ",".join(tags)
    for name in ("pronouns", "title", "organization_id", "sphere", "address", "website",
                 "source", "owner_id", "beat", "coverage_area", "approach_notes"):
        if not getattr(data, name):
            setattr(data, name, getattr(other, name))
    data.do_not_contact = keep.do_not_contact or other.do_not_contact
    data.is_media = keep.is_media or other.is_media
    apply_contact_data(keep, data)
    if other.last_contact_on and (not keep.last_contact_on
                                  or other.last_contact_on > keep.last_contact_on):
        keep.last_contact_on = other.last_contact_on
    record("contact.merge", f"Merged contact #{other.id} into {keep.name} (#{keep.id})",
           keep, actor)
    db.session.delete(other)
    db.session.flush()
    return keep


def _linked_to_contacts() -> list:
    """Other domains' rows that point at a contact (press inquiries, tour bookings): a merge
    moves them to the contact that stays."""
    from app.press.models import Inquiry
    from app.tours.models import TourBooking

    return [Inquiry, TourBooking]


def _data_of(contact: Contact) -> ContactData:
    data = ContactData(first_name=contact.first_name)
    for name in PLAIN_FIELDS:
        setattr(data, name, getattr(contact, name))
    data.tags = contact.tags
    data.stance, data.influence = contact.stance, contact.influence
    return data
