"""Likely duplicates: who a new or imported contact may already be (same email, phone, or
nearly the same name at the same organization).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.people.contacts import normalize_email
from app.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Organization,
)


def find_duplicates(first_name: str, last_name: str, organization_id: int | None,
                    emails: Iterable[str], phones: Iterable[str],
                    exclude_id: int | None = None) -> list[tuple[Contact, str]]:
    """Likely duplicates of a contact about to be saved, each with the reason it matched."""
    found: dict[int, tuple[Contact, str]] = {}
    emails = [normalize_email(e) for e in emails if e]
    phones = list(phones)
    conditions = []
    if emails:
        conditions.append(Contact.id.in_(
            select(ContactEmail.contact_id).where(ContactEmail.email.in_(emails))))
    if phones:
        conditions.append(Contact.id.in_(
            select(ContactPhone.contact_id).where(ContactPhone.number.in_(phones))))
    first, last = (first_name or "").strip().lower(), (last_name or "").strip().lower()
    if organization_id and (first or last):
        conditions.append((Contact.organization_id == organization_id) & or_(
            func.lower(Contact.last_name) == last, func.lower(Contact.first_name) == first))
    if not conditions:
        return []
    query = (select(Contact).where(or_(*conditions))
             .options(selectinload(Contact.emails), selectinload(Contact.phones),
                      joinedload(Contact.organization)).limit(20))
    if exclude_id:
        query = query.where(Contact.id != exclude_id)
    wanted = f"{first} {last}".strip()
    for contact in db.session.scalars(query):
        reason = duplicate_reason(set(emails), set(phones), wanted,
                                  [e.email for e in contact.emails],
                                  [p.number for p in contact.phones], contact.name)
        if reason:
            found[contact.id] = (contact, reason)
    return list(found.values())

_ARTICLES = {"the", "a", "an"}


def _name_key(name: str) -> str:
    words = " ".join((name or "").lower().split()).split(" ")
    return " ".join(words[1:] if len(words) > 1 and words[0] in _ARTICLES else words)


def find_duplicate_organizations(org: Organization,
                                 limit: int = 10) -> list[tuple[Organization, str]]:
    """Active organizations that look like `org`: the same email, phone or website, or
    nearly the same name ("The Riverbend Council" and "Riverbend council")."""
    key = _name_key(org.name)
    first = key.split(" ")[0]
    lowered = func.lower(Organization.name)
    conditions = [lowered.startswith(first, autoescape=True),
                  lowered.startswith(f"the {first}", autoescape=True)]
    for column in ("email", "phone", "website"):
        if getattr(org, column):
            conditions.append(getattr(Organization, column) == getattr(org, column))
    query = (select(Organization).where(or_(*conditions), Organization.id != org.id,
                                        Organization.archived_at.is_(None))
             .order_by(Organization.name, Organization.id).limit(50))
    found = []
    for other in db.session.scalars(query):
        reason = next((f"same {column}" for column in ("email", "phone", "website")
                       if getattr(org, column) and getattr(other, column) == getattr(org, column)),
                      None)
        if reason is None and difflib.SequenceMatcher(
                None, _name_key(other.name), key).ratio() >= 0.8:
            reason = "similar name"
        if reason:
            found.append((other, reason))
    return found[:limit]

def duplicate_reason(emails: set[str], phones: set[str], wanted_name: str,
                     their_emails: Iterable[str], their_phones: Iterable[str],
                     their_name: str) -> str | None:
    """Why an existing contact looks like the same person (or None): the one rule shared by
    the contact form, merging and CSV import. Candidates for the name rule are already in the
    same organization with the same first or last name."""
    if any(e in emails for e in their_emails):
        return "same email"
    if any(p in phones for p in their_phones):
        return "same phone"
    if wanted_name and difflib.SequenceMatcher(
            None, their_name.lower(), wanted_name).ratio() >= 0.75:
        return "similar name in the same organization"
    return None


@dataclass
class Candidate:
    """A contact about to be saved, as find_duplicates_many sees it."""

    first_name: str
    last_name: str
    organization_id: int | None
    emails: list[str]
    phones: list[str]


@dataclass
class Existing:
    """The few columns of an existing contact that duplicate matching needs."""

    id: int
    first_name: str
    last_name: str
    organization_id: int | None
    emails: list[str]
    phones: list[str]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def chunks(items: list, size: int = 900) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def find_duplicates_many(candidates: list[Candidate]) -> list[list[tuple[Existing, str]]]:
    """find_duplicates for many contacts at once (CSV import): the same rule, with a few
    batched queries instead of one per candidate. One list of (existing, reason) per
    candidate, in order."""
    emails = sorted({normalize_email(e) for c in candidates for e in c.emails if e})
    phones = sorted({p for c in candidates for p in c.phones})
    names = {(c.organization_id, (c.first_name or "").strip().lower(),
              (c.last_name or "").strip().lower()) for c in candidates if c.organization_id}
    ids: set[int] = set()
    for chunk in chunks(emails):
        ids.update(db.session.scalars(
            select(ContactEmail.contact_id).where(ContactEmail.email.in_(chunk))))
    for chunk in chunks(phones):
        ids.update(db.session.scalars(
            select(ContactPhone.contact_id).where(ContactPhone.number.in_(chunk))))
    org_ids = sorted({org for org, _, _ in names})
    for chunk in chunks(org_ids):
        ids.update(db.session.scalars(select(Contact.id).where(
            Contact.organization_id.in_(chunk),
            or_(func.lower(Contact.first_name).in_({f for _, f, _ in names if f}),
                func.lower(Contact.last_name).in_({la for _, _, la in names if la})))))
    existing: dict[int, Existing] = {}
    id_list = sorted(ids)
    for chunk in chunks(id_list):
        for cid, first, last, org in db.session.execute(
                select(Contact.id, Contact.first_name, Contact.last_name,
                       Contact.organization_id).where(Contact.id.in_(chunk))):
            existing[cid] = Existing(cid, first, last, org, [], [])
        for cid, email in db.session.execute(select(ContactEmail.contact_id, ContactEmail.email)
                                             .where(ContactEmail.contact_id.in_(chunk))):
            existing[cid].emails.append(email)
        for cid, number in db.session.execute(
                select(ContactPhone.contact_id, ContactPhone.number)
                .where(ContactPhone.contact_id.in_(chunk))):
            existing[cid].phones.append(number)
    by_email: dict[str, list[Existing]] = {}
    by_phone: dict[str, list[Existing]] = {}
    by_name: dict[tuple[int | None, str], list[Existing]] = {}
    for contact in existing.values():
        for e in contact.emails:
            by_email.setdefault(e, []).append(contact)
        for p in contact.phones:
            by_phone.setdefault(p, []).append(contact)
        for key in ("f:" + contact.first_name.lower(), "l:" + contact.last_name.lower()):
            by_name.setdefault((contact.organization_id, key), []).append(contact)
    results = []
    for c in candidates:
        c_emails = {normalize_email(e) for e in c.emails if e}
        c_phones = set(c.phones)
        first, last = (c.first_name or "").strip().lower(), (c.last_name or "").strip().lower()
        pool: dict[int, Existing] = {}
        for e in c_emails:
            pool.update((x.id, x) for x in by_email.get(e, []))
        for p in c_phones:
            pool.update((x.id, x) for x in by_phone.get(p, []))
        if c.organization_id and (first or last):
            for key in (("f:" + first) if first else None, ("l:" + last) if last else None):
                if key:
                    pool.update((x.id, x) for x in by_name.get((c.organization_id, key), []))
        wanted = f"{first} {last}".strip() if c.organization_id else ""
        found = []
        for x in sorted(pool.values(), key=lambda x: x.id)[:20]:
            reason = duplicate_reason(
                c_emails, c_phones,
                wanted if x.organization_id == c.organization_id else "",
                x.emails, x.phones, x.name)
            if reason:
                found.append((x, reason))
        results.append(found)
    return results
