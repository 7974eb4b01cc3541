"""The people domain's verbs: add, change, archive, merge and find contacts and organizations.

Services flush but never commit; the view commits once.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import Select, case, func, literal_column, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.people import search
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

DEFAULT_REGION = "US"
PAGE_SIZE = 25


# --- normalizing --------------------------------------------------------------------------


def normalize_email(value: str) -> str:
    """An email as we store and match it: trimmed and lower-cased."""
    return (value or "").strip().lower()


_NANP = re.compile(r"(?:\+?1[-. ]?)?\(?([2-9]\d{2})\)?[-. ]?([2-9]\d{2})[-. ]?(\d{4})")


def parse_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """A phone number in E.164 form; ValueError if it isn't a plausible number."""
    if region == "US":
        # The everyday North American shapes, without phonenumbers' full (slow) parse: an
        # import reads thousands. Anything else takes the full parse.
        match = _NANP.fullmatch((value or "").strip())
        if match:
            return "+1" + "".join(match.groups())
    try:
        number = phonenumbers.parse((value or "").strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{value!r} doesn't look like a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} doesn't look like a phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
        if len(number) == 12 and number.startswith("+1"):
            # North American numbers read nationally as (NPA) NXX-XXXX: the same digit groups
            # phonenumbers would give, without parsing.
            words.extend((number[2:5], number[5:8], number[8:]))
            continue
        try:
            parsed = phonenumbers.parse(number, None)
            national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
            words.extend(re.findall(r"\d+", national))  # digit groups, free of - and ()
        except phonenumbers.NumberParseException:
            pass
    words.append(contact.tags.replace(",", " "))
    return " ".join(w for w in words if w)


# --- contacts --------------------------------------------------------------------------


@dataclass
class ContactData:
    """Everything a contact form or import row supplies."""

    first_name: str
    last_name: str = ""
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


_PLAIN_FIELDS = ("first_name", "last_name", "pronouns", "title", "organization_id", "sphere",
                 "address", "website", "preferred_channel", "source", "owner_id",
                 "do_not_contact", "keep_in_touch_days", "is_media", "beat", "coverage_area",
                 "approach_notes")


def _apply(contact: Contact, data: ContactData) -> None:
    for name in _PLAIN_FIELDS:
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
    _apply(contact, data)
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
    _apply(contact, data)
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


# --- duplicates and merging -------------------------------------------------------------


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


def _chunks(items: list, size: int = 900) -> Iterable[list]:
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
    for chunk in _chunks(emails):
        ids.update(db.session.scalars(
            select(ContactEmail.contact_id).where(ContactEmail.email.in_(chunk))))
    for chunk in _chunks(phones):
        ids.update(db.session.scalars(
            select(ContactPhone.contact_id).where(ContactPhone.number.in_(chunk))))
    org_ids = sorted({org for org, _, _ in names})
    for chunk in _chunks(org_ids):
        ids.update(db.session.scalars(select(Contact.id).where(
            Contact.organization_id.in_(chunk),
            or_(func.lower(Contact.first_name).in_({f for _, f, _ in names if f}),
                func.lower(Contact.last_name).in_({la for _, _, la in names if la})))))
    existing: dict[int, Existing] = {}
    id_list = sorted(ids)
    for chunk in _chunks(id_list):
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
    _apply(keep, data)
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
    for name in _PLAIN_FIELDS:
        setattr(data, name, getattr(contact, name))
    data.tags = contact.tags
    data.stance, data.influence = contact.stance, contact.influence
    return data


# --- lists and search ---------------------------------------------------------------------


def _enum_arg(cls, value):
    try:
        return cls(value) if value else None
    except ValueError:
        return None


def _contact_filters(args: Mapping[str, str]) -> list:
    """The list's filters (everything but the search box) as conditions on contacts."""
    where = [Contact.archived_at.is_not(None) if args.get("archived") == "1"
             else Contact.archived_at.is_(None)]
    stance = _enum_arg(Stance, args.get("stance"))
    if stance:
        where.append(Contact.stance == stance)
    influence = _enum_arg(Influence, args.get("influence"))
    if influence:
        where.append(Contact.influence == influence)
    sphere = _enum_arg(Sphere, args.get("sphere"))
    if sphere:
        where.append(Contact.sphere == sphere)
    org_type = _enum_arg(OrgType, args.get("type"))
    if org_type:
        where.append(Contact.organization_id.in_(
            select(Organization.id).where(Organization.type == org_type)))
    tag = (args.get("tag") or "").strip().lower()[:40]
    if tag:
        where.append(Contact.tags.contains(f",{tag},", autoescape=True))
        where.extend(search.tag_prefilter(tag, Contact.id))
    owner = args.get("owner", "")
    if owner.isdecimal() and len(owner) < 10:
        where.append(Contact.owner_id == int(owner))
    if args.get("media") == "1":
        where.append(Contact.is_media.is_(True))
    org = args.get("organization", "")
    if org.isdecimal() and len(org) < 10:
        where.append(Contact.organization_id == int(org))
    return where


def _text_match(args: Mapping[str, str], user: User) -> search.ContactMatch | None:
    return search.contact_match((args.get("q") or "").strip()[:200], user.sees_sensitive)


def contact_query(args: Mapping[str, str], user: User) -> Select:
    """Contacts matching the list's search box and filters (the export's rows)."""
    match = _text_match(args, user)
    query = select(Contact).where(*_contact_filters(args))
    return query.where(match.condition(Contact.id)) if match else query


SORTS = {
    "name": ("Name", (Contact.sort_name, Contact.id)),
    "recent": ("Recently changed", (Contact.updated_at.desc(), Contact.id.desc())),
    # Never contacted first: NULLS FIRST is SQLite's own order, so its index serves the sort.
    "contact": ("Longest since contact", (Contact.last_contact_on.asc().nulls_first(),
                                          Contact.id)),
    "stance": ("Stance", (Contact.stance, Contact.sort_name, Contact.id)),
}


COUNT_CAP = 1000
WALK_FROM = 2500


def _capped_count(ids: Select, bound: int):
    return select(func.count()).select_from(ids.limit(bound).subquery()).scalar_subquery()


def contact_page(args: Mapping[str, str], user: User, page: int,
                 size: int = PAGE_SIZE) -> tuple[list[Contact], int, bool]:
    """One page of the contacts the list's search and filters select, in the chosen order
    (with organization, owner, emails and phones), the total and whether it is capped.
    Counting stops COUNT_CAP rows past the page ("1,000+"): a common word matches most of
    50,000 contacts, and nobody pages through them all."""
    match = _text_match(args, user)
    filters = _contact_filters(args)
    bound = (page - 1) * size + COUNT_CAP
    # Counting goes on to WALK_FROM to choose the page's plan: this many matches are dense
    # enough that walking the sort's index meets a page of them soon; fewer (all the "Xu"s,
    # at the end of the name index) are cheaper looked up by id and sorted.
    counted_to = max(bound, WALK_FROM) if match else bound
    everything = _capped_count(select(Contact.id).where(
        *filters, *([match.condition(Contact.id)] if match else [])), counted_to)
    driver = match.driver() if match else None
    if driver is not None:
        # The full-text query drives the count and stops at the cap. (Its id + 0 keeps
        # SQLite from turning the join around into one full-text lookup per contact, ~0.3 ms
        # each.) Contacts it finds match for sure: when they reach the cap, that's the answer
        # and the full match (per-word lists of ids) is never built; one statement either way.
        found = driver.subquery("found")
        sure = _capped_count(select(Contact.id).join_from(
            found, Contact, Contact.id == found.c.id + literal_column("0")).where(*filters),
            counted_to)
        everything = sure if match.exact() else case((sure >= counted_to, counted_to),
                                                     else_=everything)
    counted = db.session.scalar(select(everything)) or 0
    total, capped = min(counted, bound), counted >= bound
    if counted >= counted_to and match:
        # Many matches: walk the sort's index and stop after one page, checking each contact
        # against the match list, rather than look every match up by id and sort them all.
        # (id + 0 is not indexable, so SQLite won't plan the id lookups.)
        matched = [match.condition(Contact.id + literal_column("0"))]
    else:
        matched = [match.condition(Contact.id)] if match else []
    order = SORTS[args.get("sort") if args.get("sort") in SORTS else "name"][1]
    # The page's ids first, then their rows: skipping to page 500 reads index entries only
    # (archived_at, sort_name covers the default list), not 12,500 rows and their joins.
    ids = select(Contact.id).where(*filters, *matched).order_by(*order).limit(size).offset(
        (page - 1) * size).subquery("page")
    rows = list(db.session.scalars(
        select(Contact).join(ids, ids.c.id == Contact.id).order_by(*order).options(
            joinedload(Contact.organization), joinedload(Contact.owner),
            selectinload(Contact.emails), selectinload(Contact.phones))
    ))
    return rows, total, capped


def stakeholder_counts() -> dict[tuple[Influence, Stance], int]:
    """How many active contacts sit in each influence-by-stance cell."""
    rows = db.session.execute(
        select(Contact.influence, Contact.stance, func.count())
        .where(Contact.archived_at.is_(None)).group_by(Contact.influence, Contact.stance))
    return {(Influence(i), Stance(s)): n for i, s, n in rows}


def stance_counts() -> dict[Stance, int]:
    """Active contacts per stance."""
    rows = db.session.execute(select(Contact.stance, func.count())
                              .where(Contact.archived_at.is_(None)).group_by(Contact.stance))
    return {Stance(s): n for s, n in rows}


# --- organizations --------------------------------------------------------------------


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
        _refresh_search_text(select(Contact).where(Contact.organization_id == org.id))
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


def organization_stance_history(org: Organization) -> list[OrganizationStanceChange]:
    """An organization's stance timeline, newest first."""
    return list(db.session.scalars(
        select(OrganizationStanceChange)
        .where(OrganizationStanceChange.organization_id == org.id)
        .options(joinedload(OrganizationStanceChange.by))
        .order_by(OrganizationStanceChange.at.desc(), OrganizationStanceChange.id.desc())
        .limit(100)))


def _refresh_search_text(query: Select) -> None:
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


def organization_query(args: Mapping[str, str]) -> Select:
    """Organizations matching the list's name search and filters."""
    query = select(Organization)
    if args.get("archived") == "1":
        query = query.where(Organization.archived_at.is_not(None))
    else:
        query = query.where(Organization.archived_at.is_(None))
    text_query = (args.get("q") or "").strip()[:200]
    if text_query:
        query = query.where(Organization.name.ilike(f"%{text_query}%", escape="\\"))
    org_type = _enum_arg(OrgType, args.get("type"))
    if org_type:
        query = query.where(Organization.type == org_type)
    sphere = _enum_arg(Sphere, args.get("sphere"))
    if sphere:
        query = query.where(Organization.sphere == sphere)
    tag = (args.get("tag") or "").strip().lower()[:40]
    if tag:
        query = query.where(Organization.tags.contains(f",{tag},", autoescape=True))
    return query


def contact_choices(wanted_ids: set[int], recent: int = 100) -> list[tuple[int, str]]:
    """Contacts for a select box: the ones already chosen plus the most recently updated."""
    rows = db.session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name)
        .where(Contact.id.in_(wanted_ids) | Contact.id.in_(
            select(Contact.id).where(Contact.archived_at.is_(None))
            .order_by(Contact.updated_at.desc()).limit(recent)))
        .order_by(Contact.sort_name))
    return [(i, f"{first} {last}".strip()) for i, first, last in rows]


def organization_choices() -> list[tuple[int, str]]:
    """Active organizations for a select box."""
    rows = db.session.execute(select(Organization.id, Organization.name)
                              .where(Organization.archived_at.is_(None))
                              .order_by(Organization.name))
    return [(i, n) for i, n in rows]


def user_choices() -> list[tuple[int, str]]:
    """Active colleagues, for owner select boxes."""
    rows = db.session.execute(select(User.id, User.name).where(User.active.is_(True))
                              .order_by(User.name))
    return [(i, n) for i, n in rows]
