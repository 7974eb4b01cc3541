"""The people domain's verbs for contacts and organizations: add, change, stance,
archive, delete, find or add; the normalizing they share (emails, tags, search text).

Services flush but never commit; the view commits once.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Influence,
    Organization,
    OrganizationStanceChange,
    OrgType,
    Sphere,
    Stance,
    StanceChange,
)
from app.people.phones import digit_groups
from app.people.phones import parse as parse_phone


def normalize_email(value: str) -> str:
    """An email as we store and match it: trimmed and lower-cased."""
    return (value or "").strip().lower()

def normalize_tags(value: str | Iterable[str]) -> str:
    """Tags stored as ",a,b," (lower-case, unique, sorted) so one LIKE finds a whole tag."""
    items = value.replace(";", ",").split(",") if isinstance(value, str) else value
    tags = sorted({" ".join(t.split()).lower()[:40] for t in items if t and t.strip()})
    return "," + ",".join(tags) + "," if tags else ""


def split_lines(value: str) -> list[str]:
    """Non-empty lines or comma-separated items of a textarea."""
    parts = (value or "").replace(",", "\n").replace(";", "\n").splitlines()
    return [p.strip() for p in parts if p.strip()]


_WORD = re.compile(r"[^\W_]+")


def build_search_text(contact: Contact, organization_name: str | None,
                      emails: Iterable[str], phones: Iterable[str]) -> str:
    """The words a contact can be found by: names, organization, title, emails, phones, tags."""
    words = [contact.first_name, contact.last_name, organization_name or "", contact.title or "",
             contact.beat or "", contact.coverage_area or ""]
    for email in emails:
        # Also word by word: PostgreSQL's parser keeps "a@b.org" as one token.
        words.append(email)
        words.extend(_WORD.findall(email))
    for number in phones:
        digits = number.lstrip("+")
        words.append(f"{digits} {digits[1:] if digits.startswith('1') else ''}")
        words.extend(digit_groups(number))
    words.append(contact.tags.replace(",", " "))
    return " ".join(w for w in words if w)


@dataclass
class ContactData:
    """Everything a contact form or import row supplies."""

    first_name: str
    last_name: str = ""
    name_prefix: str | None = None
    name_suffix: str | None = None
    pronouns: str | None = None
    title: str | None = None
    organization_id: int | None = None
    sphere: Sphere | None = None
    emails: list[str] | None = None
    phones: list[str] | None = None
    address: str | None = None
    website: str | None = None
    preferred_channel: Any = None
    tags: str = ""
    source: str | None = None
    owner_id: int | None = None
    do_not_contact: bool = False
    stance: Stance = Stance.unknown
    influence: Influence = Influence.medium
    keep_in_touch_days: int | None = None
    is_media: bool = False
    beat: str | None = None
    coverage_area: str | None = None
    approach_notes: str | None = None
    background: str | None = None


PLAIN_FIELDS = ("first_name", "last_name", "name_prefix", "name_suffix", "pronouns", "title",
                "organization_id", "sphere", "address", "website", "preferred_channel",
                "source", "owner_id", "do_not_contact", "keep_in_touch_days", "is_media",
                "beat", "coverage_area", "approach_notes", "background")


def apply_contact_data(contact: Contact, data: ContactData) -> None:
    for name in PLAIN_FIELDS:
        value = getattr(data, name)
        setattr(contact, name, value if value != "" or name in ("last_name",) else None)
    contact.last_name = data.last_name or ""
    contact.tags = normalize_tags(data.tags or "")
    contact.sort_name = f"{contact.last_name} {contact.first_name}".strip().lower()
    emails = list(dict.fromkeys(normalize_email(e) for e in data.emails or [] if e))
    phones = list(dict.fromkeys(data.phones or []))
    contact.emails = [ContactEmail(email=e) for e in emails]
    contact.phones = [ContactPhone(number=p) for p in phones]
    org_name = None
    if contact.organization_id:
        org_name = db.session.scalar(
            select(Organization.name).where(Organization.id == contact.organization_id))
    contact.search_text = build_search_text(contact, org_name, emails, phones)


def create_contact(data: ContactData, actor: User | None, reason: str = "") -> Contact:
    """Add a contact (its first stance goes on the timeline too)."""
    contact = Contact(stance=data.stance, influence=data.influence, emails=[], phones=[])
    apply_contact_data(contact, data)
    db.session.add(contact)
    db.session.flush()
    db.session.add(StanceChange(contact_id=contact.id, by_id=getattr(actor, "id", None),
                                from_stance=None, to_stance=contact.stance,
                                from_influence=None, to_influence=contact.influence,
                                reason=reason or "Added"))
    record("contact.create", f"Added contact {contact.name} (#{contact.id})", contact, actor)
    db.session.flush()
    return contact


def update_contact(contact: Contact, data: ContactData, actor: User | None,
                   reason: str = "") -> Contact:
    """Change a contact's details; a stance or influence change goes on the timeline."""
    apply_contact_data(contact, data)
    set_stance(contact, data.stance, data.influence, reason, actor)
    record("contact.update", f"Edited contact {contact.name} (#{contact.id})", contact, actor)
    db.session.flush()
    return contact


def set_stance(contact: Contact, stance: Stance, influence: Influence, reason: str,
               actor: User | None) -> StanceChange | None:
    """Record a change of stance or influence (who, when, from, to, why)."""
    if contact.stance == stance and contact.influence == influence:
        return None
    change = StanceChange(contact_id=contact.id, by_id=getattr(actor, "id", None),
                          from_stance=contact.stance, to_stance=stance,
                          from_influence=contact.influence, to_influence=influence,
                          reason=(reason or "").strip()[:500])
    contact.stance, contact.influence = stance, influence
    db.session.add(change)
    db.session.flush()
    return change


def change_stance(contact: Contact, stance: Stance, influence: Influence, reason: str,
                  actor: User | None) -> StanceChange | None:
    """Change a contact's stance or influence on its own, with the reason (the contact
    page's quick form); on the timeline and in the audit trail."""
    was = contact.stance
    change = set_stance(contact, stance, influence, reason, actor)
    if change is not None:
        record("contact.stance", f"Changed the stance of {contact.name} (#{contact.id}): "
               f"{was.label} → {stance.label}, {influence.label.lower()} influence",
               contact, actor)
        db.session.flush()
    return change


def archive_contact(contact: Contact, actor: User | None) -> None:
    """Archive (hide from lists and invitations; restorable)."""
    contact.archived_at = utcnow()
    record("contact.archive", f"Archived contact {contact.name} (#{contact.id})", contact, actor)
    db.session.flush()


def restore_contact(contact: Contact, actor: User | None) -> None:
    """Bring an archived contact back."""
    contact.archived_at = None
    record("contact.restore", f"Restored contact {contact.name} (#{contact.id})", contact, actor)
    db.session.flush()


def delete_contact(contact: Contact, actor: User | None) -> None:
    """Delete a contact for good (admin only; the audit trail keeps the fact, not the data)."""
    record("contact.delete", f"Deleted contact #{contact.id} for good", contact, actor)
    db.session.delete(contact)
    db.session.flush()


def load_contact(contact_id: int) -> Contact | None:
    """A contact with its organization, owner, emails and phones (one round of queries)."""
    return db.session.scalar(
        select(Contact).where(Contact.id == contact_id).options(
            joinedload(Contact.organization), joinedload(Contact.owner),
            selectinload(Contact.emails), selectinload(Contact.phones))
    )


def stance_history(contact: Contact) -> list[StanceChange]:
    """A contact's stance timeline, newest first."""
    return list(db.session.scalars(
        select(StanceChange).where(StanceChange.contact_id == contact.id)
        .options(joinedload(StanceChange.by))
        .order_by(StanceChange.at.desc(), StanceChange.id.desc()).limit(100)
    ))


def contact_by_email(email: str) -> Contact | None:
    """The (first) contact with this email address, archived ones included."""
    email = normalize_email(email)
    if not email:
        return None
    return db.session.scalar(
        select(Contact).where(Contact.id.in_(
            select(ContactEmail.contact_id).where(ContactEmail.email == email)))
        .order_by(Contact.archived_at.is_not(None), Contact.id).limit(1))


def find_or_add_organization(name: str, org_type: OrgType, actor: User | None,
                             sphere: Sphere | None = None) -> Organization | None:
    """The active organization with this name (any case), or a new one."""
    name = " ".join((name or "").split())[:200]
    if not name:
        return None
    org = db.session.scalar(
        select(Organization).where(func.lower(Organization.name) == name.lower(),
                                   Organization.archived_at.is_(None))
        .order_by(Organization.id).limit(1))
    return org or save_organization(None, {"name": name, "type": org_type, "sphere": sphere},
                                    actor)


def find_or_add_contact(name: str, email: str, actor: User | None, *, phone: str | None = None,
                        organization: str | None = None, org_type: OrgType = OrgType.other,
                        source: str | None = None, is_media: bool = False,
                        reason: str = "") -> tuple[Contact, bool]:
    """The contact with this email, or a new one made from these details (with their
    organization, found by name or added). Returns (contact, created). Only for a staff
    member's explicit action: never call it from anonymous input alone."""
    existing = contact_by_email(email)
    if existing is not None:
        return existing, False
    words = " ".join((name or "").split()).split(" ")
    first, last = words[0][:100] or "(no name)", " ".join(words[1:])[:100]
    phones = []
    # A free-text phone we can't read stays where it was typed (the booking or inquiry).
    with contextlib.suppress(ValueError):
        phones = [parse_phone(phone)] if phone else []
    sphere = Sphere.media if is_media else None
    org = find_or_add_organization(organization or "", org_type, actor, sphere=sphere)
    data = ContactData(first_name=first, last_name=last, emails=[email], phones=phones,
                       organization_id=org.id if org else None, source=(source or "")[:300],
                       owner_id=getattr(actor, "id", None), is_media=is_media, sphere=sphere)
    return create_contact(data, actor, reason=reason), True


_ORG_FIELDS = ("name", "type", "sphere", "email", "phone", "address", "website", "source",
               "owner_id", "do_not_contact")


def save_organization(org: Organization | None, values: Mapping[str, Any],
                      actor: User | None) -> Organization:
    """Add or change an organization; contacts' search text follows a rename."""
    creating = org is None
    if org is None:
        org = Organization()
        db.session.add(org)
    renamed = not creating and org.name != values["name"]
    for name in _ORG_FIELDS:
        value = values.get(name)
        setattr(org, name, value if value != "" else None)
    org.email = normalize_email(org.email) or None if org.email else None
    org.tags = normalize_tags(values.get("tags") or "")
    db.session.flush()
    stance = Stance(values.get("stance") or (Stance.unknown if creating else org.stance))
    if creating or stance != org.stance:
        set_organization_stance(org, stance, values.get("stance_reason") or "", actor,
                                first=creating)
    if renamed:
        refresh_search_text(select(Contact).where(Contact.organization_id == org.id))
    verb = "create" if creating else "update"
    record(f"organization.{verb}", f"{'Added' if creating else 'Edited'} organization "
           f"{org.name} (#{org.id})", org, actor)
    db.session.flush()
    return org


def set_organization_stance(org: Organization, stance: Stance, reason: str,
                            actor: User | None, first: bool = False) -> OrganizationStanceChange:
    """Record an organization's stance (who, when, from, to, why), as for contacts."""
    change = OrganizationStanceChange(
        organization_id=org.id, by_id=getattr(actor, "id", None),
        from_stance=None if first else org.stance, to_stance=stance,
        reason=(reason or "").strip()[:500] or ("Added" if first else ""))
    org.stance = stance
    db.session.add(change)
    db.session.flush()
    return change


def change_organization_stance(org: Organization, stance: Stance, reason: str,
                               actor: User | None) -> OrganizationStanceChange | None:
    """Change an organization's stance on its own, with the reason (the organization page's
    quick form); on the timeline and in the audit trail."""
    if stance == org.stance:
        return None
    was = org.stance
    change = set_organization_stance(org, stance, reason, actor)
    record("organization.stance", f"Changed the stance of {org.name} (#{org.id}): "
           f"{was.label} → {stance.label}", org, actor)
    db.session.flush()
    return change


def organization_stance_history(org: Organization) -> list[OrganizationStanceChange]:
    """An organization's stance timeline, newest first."""
    return list(db.session.scalars(
        select(OrganizationStanceChange)
        .where(OrganizationStanceChange.organization_id == org.id)
        .options(joinedload(OrganizationStanceChange.by))
        .order_by(OrganizationStanceChange.at.desc(), OrganizationStanceChange.id.desc())
        .limit(100)))


def refresh_search_text(query: Select) -> None:
    """Rebuild the search words of the contacts `query` selects (after a rename or merge)."""
    for contact in db.session.scalars(query.options(
            joinedload(Contact.organization), selectinload(Contact.emails),
            selectinload(Contact.phones))):
        contact.search_text = build_search_text(
            contact, contact.organization.name if contact.organization else None,
            [e.email for e in contact.emails], [p.number for p in contact.phones])


def archive_organization(org: Organization, actor: User | None, restore: bool = False) -> None:
    """Archive (or restore) an organization."""
    org.archived_at = None if restore else utcnow()
    verb = "restore" if restore else "archive"
    record(f"organization.{verb}", f"{verb.title()}d organization {org.name} (#{org.id})",
           org, actor)
    db.session.flush()


def delete_organization(org: Organization, actor: User | None) -> None:
    """Delete an organization for good (admin only); its contacts stay, unlinked."""
    record("organization.delete", f"Deleted organization #{org.id} for good", org, actor)
    db.session.delete(org)
    db.session.flush()
