"""Merging two contacts (or two organizations) into one: the user picks which record stays
and, field by field, which value survives; lists are combined; everything that links to the
record that goes moves to the one that stays (people's own rows here, every other domain's
through the lifecycle signals). Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.people import lifecycle
from app.people.contacts import build_search_text, normalize_tags, refresh_search_text
from app.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Organization,
    OrganizationStanceChange,
    Stance,
    StanceChange,
)

# The fields a merge chooses between, in the order the comparison page shows them. Emails,
# phones and tags are combined; "do not contact" and "media contact" hold if either said so.
CONTACT_FIELDS: dict[str, str] = {
    "name_prefix": "Name prefix", "first_name": "First name", "last_name": "Last name",
    "name_suffix": "Name suffix", "pronouns": "Pronouns",
    "title": "Title or role", "organization_id": "Organization", "sphere": "Sphere",
    "stance": "Stance", "influence": "Influence", "owner_id": "Owner",
    "preferred_channel": "Preferred channel", "address": "Address", "website": "Website",
    "source": "How we know them", "keep_in_touch_days": "Keep in touch every (days)",
    "beat": "Beat", "coverage_area": "Coverage area",
    "approach_notes": "How they like to be approached", "background": "Background",
}
ORGANIZATION_FIELDS: dict[str, str] = {
    "name": "Name", "type": "Type", "sphere": "Sphere", "stance": "Stance",
    "owner_id": "Owner", "email": "Email", "phone": "Phone", "address": "Address",
    "website": "Website", "source": "How we know them",
}


class MergeError(ValueError):
    """A merge that can't be done as asked (the view shows the message)."""


def _known(value: Any) -> bool:
    """Filled in: not empty, and a stance other than "not yet known"."""
    return value not in (None, "") and value != Stance.unknown


def differing_fields(keep, other, fields: Iterable[str]) -> list[str]:
    """The fields whose values differ (the only ones there is anything to choose)."""
    return [f for f in fields if getattr(keep, f) != getattr(other, f)]


def default_take(keep, other, fields: Iterable[str]) -> set[str]:
    """The fields whose value comes from `other` unless the user says otherwise: those
    `keep` leaves blank and `other` fills in. A known stance is never replaced by "not yet
    known", and influence goes with the stance it was judged with."""
    fields = list(fields)
    take = {f for f in fields if not _known(getattr(keep, f)) and _known(getattr(other, f))}
    if "stance" in take and "influence" in fields:
        take.add("influence")
    return take


def _check(keep, other, take: Iterable[str] | None, fields: dict[str, str]) -> set[str]:
    if keep.id == other.id:
        raise MergeError("A record can't be merged into itself.")
    if keep.archived_at is not None or other.archived_at is not None:
        raise MergeError("Restore an archived record before merging it.")
    take = default_take(keep, other, fields) if take is None else set(take)
    unknown = take - set(fields)
    if unknown:
        raise MergeError(f"Not a field a merge chooses: {', '.join(sorted(unknown))}.")
    return take


def _relabel_added(model, owner_column, other_id: int, other_name: str) -> None:
    """The duplicate's first entry ("Added") stays on the timeline, in date order, saying
    what it was: it is not when the record that stays was added."""
    first = db.session.scalar(select(model).where(owner_column == other_id)
                              .order_by(model.at, model.id).limit(1))
    if first is not None and first.from_stance is None:
        was = "" if first.reason in ("", "Added") else f": {first.reason}"
        first.reason = (f"Added as a separate record, “{other_name}”, merged in later"
                        f"{was}")[:500]


def _move_unique(model, value_column, keep_id: int, other_id: int) -> None:
    """Move a contact's emails or phones; one already on `keep` isn't added twice."""
    theirs = select(value_column).where(model.contact_id == keep_id)
    db.session.execute(delete(model).where(model.contact_id == other_id,
                                           value_column.in_(theirs)))
    db.session.execute(update(model).where(model.contact_id == other_id)
                       .values(contact_id=keep_id))


def merge_contacts(keep: Contact, other: Contact, actor: User | None,
                   take: Iterable[str] | None = None) -> Contact:
    """Merge contact `other` into `keep`: for each field in `take` (default: the ones
    `keep` leaves blank and `other` fills in) `other`'s value wins; emails, phones and tags
    are combined; both stance timelines are kept; everything linked to `other` moves to
    `keep` (every domain's rows, through the lifecycle signal); then `other` is deleted.
    Recorded in the audit trail with both names. MergeError if it can't be done."""
    take = _check(keep, other, take, CONTACT_FIELDS)
    keep_name, other_name = keep.name, other.name
    was_stance, was_influence = keep.stance, keep.influence
    for name in take:
        setattr(keep, name, getattr(other, name))
    keep.do_not_contact = keep.do_not_contact or other.do_not_contact
    keep.is_media = keep.is_media or other.is_media
    keep.tags = normalize_tags(keep.tag_list + other.tag_list)
    for column in ("last_contact_on", "last_open_contact_on"):  # the later of the two
        theirs, ours = getattr(other, column), getattr(keep, column)
        if theirs and (not ours or theirs > ours):
            setattr(keep, column, theirs)
    keep.sort_name = f"{keep.last_name} {keep.first_name}".strip().lower()
    if keep.import_id != other.import_id:
        # Now partly someone's earlier record: undoing the import must not delete it.
        keep.import_id = None
    db.session.flush()

    _move_unique(ContactEmail, ContactEmail.email, keep.id, other.id)
    _move_unique(ContactPhone, ContactPhone.number, keep.id, other.id)
    _relabel_added(StanceChange, StanceChange.contact_id, other.id, other_name)
    db.session.execute(update(StanceChange).where(StanceChange.contact_id == other.id)
                       .values(contact_id=keep.id))
    lifecycle.merged_contact(keep, other)
    # The newest entry says where the merged contact stands now (either timeline's last
    # entry may be the one that goes).
    db.session.add(StanceChange(
        contact_id=keep.id, by_id=getattr(actor, "id", None), at=utcnow(),
        from_stance=_changed(was_stance, keep.stance), to_stance=keep.stance,
        from_influence=was_influence, to_influence=keep.influence,
        reason=f"Merged with “{other_name}”"[:500]))

    db.session.expire(keep, ["emails", "phones", "organization"])
    emails = list(db.session.scalars(select(ContactEmail.email)
                                     .where(ContactEmail.contact_id == keep.id)
                                     .order_by(ContactEmail.id)))
    phones = list(db.session.scalars(select(ContactPhone.number)
                                     .where(ContactPhone.contact_id == keep.id)
                                     .order_by(ContactPhone.id)))
    org_name = db.session.scalar(select(Organization.name).where(
        Organization.id == keep.organization_id)) if keep.organization_id else None
    keep.search_text = build_search_text(keep, org_name, emails, phones)
    record("contact.merge", f"Merged contact {other_name} (#{other.id}) into {keep_name} "
           f"(#{keep.id})", keep, actor)
    _delete_merged(Contact, other)
    return keep


def merge_organizations(keep: Organization, other: Organization, actor: User | None,
                        take: Iterable[str] | None = None) -> Organization:
    """Merge organization `other` into `keep`, as merge_contacts does for people: chosen
    fields, combined tags, both stance timelines; its contacts, notes and commitments move
    (the domains' rows through the lifecycle signal); then `other` is deleted."""
    take = _check(keep, other, take, ORGANIZATION_FIELDS)
    keep_name, other_name = keep.name, other.name
    was_stance = keep.stance
    for name in take:
        setattr(keep, name, getattr(other, name))
    keep.do_not_contact = keep.do_not_contact or other.do_not_contact
    keep.tags = normalize_tags(keep.tag_list + other.tag_list)
    db.session.flush()

    db.session.execute(update(Contact).where(Contact.organization_id == other.id)
                       .values(organization_id=keep.id))
    _relabel_added(OrganizationStanceChange, OrganizationStanceChange.organization_id,
                   other.id, other_name)
    db.session.execute(update(OrganizationStanceChange)
                       .where(OrganizationStanceChange.organization_id == other.id)
                       .values(organization_id=keep.id))
    lifecycle.merged_organization(keep, other)
    db.session.add(OrganizationStanceChange(
        organization_id=keep.id, by_id=getattr(actor, "id", None), at=utcnow(),
        from_stance=_changed(was_stance, keep.stance), to_stance=keep.stance,
        reason=f"Merged with “{other_name}”"[:500]))
    # Its people are found by the organization's (perhaps new) name.
    refresh_search_text(select(Contact).where(Contact.organization_id == keep.id))
    record("organization.merge", f"Merged organization {other_name} (#{other.id}) into "
           f"{keep_name} (#{keep.id})", keep, actor)
    _delete_merged(Organization, other)
    return keep


def _changed(was: Stance, now: Stance) -> Stance | None:
    """The merge entry's "from": only when the stance changed (the timeline then reads
    "Ally → Champion"; otherwise just "Ally")."""
    return was if was != now else None


def _delete_merged(model, other) -> None:
    """Delete the merged-away row by statement: its links have all moved, and the session's
    (stale) collections of it must not cascade to rows that now belong to the other."""
    db.session.flush()
    db.session.execute(delete(model).where(model.id == other.id))
    db.session.expunge(other)
    db.session.flush()
