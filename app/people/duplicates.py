"""Likely duplicates: who a new or imported contact may already be (same email, phone, or
nearly the same name at the same organization), and the sweep that finds every likely pair
across all contacts and organizations for the likely duplicates page.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.people.contacts import normalize_email
from app.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    LikelyDuplicate,
    Organization,
)
from app.settings import services as settings_store


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


# --- likely duplicates across everyone (the sweep behind the likely duplicates page) ---------
#
# Comparing every contact with every other is 1.25 billion pairs at 50,000. The sweep reads
# each table once and groups records by blocking keys (an email, a phone, a folded full name,
# an organization with a first or last name, an organization's name key, its first words):
# only records that share a key are compared, and a key shared by more than a few records (an
# office's main line, a common name) says nothing about identity and is left out. The pairs go
# to likely_duplicates, ranked by score; the page reads a page of them.

CONTACT, ORGANIZATION = "contact", "organization"
SHARED_CAP = 6  # records sharing an email, phone, website or name beyond this: not identity
GROUP_CAP = 60  # records compared pairwise within one organization's first- or last-name group
SIMILAR_CAP = 200  # organizations compared pairwise within one first-word block

_LEGAL = {"inc", "incorporated", "llc", "ltd", "co", "corp", "corporation", "the", "a", "an",
          "of"}


_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str | None) -> str:
    """Lower case, accents and punctuation gone, single spaces: "José  O'Brien" →
    "jose o brien"."""
    text = text or ""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def org_key(name: str | None) -> str:
    """An organization's name for matching: folded, without articles and legal suffixes
    ("The Riverbend Food Shelf, Inc." → "riverbend food shelf")."""
    words = [w for w in fold(name).split(" ") if w and w not in _LEGAL]
    return " ".join(words)


def _website_key(url: str | None) -> str:
    host = (url or "").strip().lower().split("://")[-1].split("/")[0]
    return host.removeprefix("www.")


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


@dataclass
class FoundPair:
    """Two records that look alike: the best score and every reason."""

    score: int = 0
    reasons: list[str] | None = None

    def add(self, score: int, reason: str) -> None:
        self.reasons = self.reasons or []
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.score = max(self.score, score)

    @property
    def total(self) -> int:
        """The best reason's score, a little more for each further reason (at most 100)."""
        return min(100, self.score + 5 * (len(self.reasons or []) - 1))


class Pairs(dict):
    """Likely duplicate pairs found by one look: (low id, high id) -> its score and reasons."""

    def add(self, a: int, b: int, score: int, reason: str) -> None:
        if a != b:
            self.setdefault((min(a, b), max(a, b)), FoundPair()).add(score, reason)


def _grouped(items) -> dict:
    groups: dict = defaultdict(list)
    for key, value in items:
        if key:
            groups[key].append(value)
    return groups


def contact_pairs() -> Pairs:
    """Pairs of active contacts that look like the same person (three reads of the table)."""
    people = {cid: (fold(first), fold(last), org) for cid, first, last, org in db.session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.organization_id)
        .where(Contact.archived_at.is_(None)))}
    names = {cid: f"{first} {last}".strip() for cid, (first, last, _) in people.items()}
    pairs = Pairs()
    for model, column, score, reason in ((ContactEmail, ContactEmail.email, 100, "same email"),
                                         (ContactPhone, ContactPhone.number, 70, "same phone")):
        rows = db.session.execute(select(column, model.contact_id))
        for ids in _grouped((value, cid) for value, cid in rows if cid in people).values():
            ids = sorted(set(ids))
            if 2 <= len(ids) <= SHARED_CAP:
                for a, b in combinations(ids, 2):
                    bonus = round(25 * _similar(names[a], names[b])) if score < 100 else 0
                    pairs.add(a, b, score + bonus, reason)
    for ids in _grouped((name, cid) for cid, name in names.items()).values():
        if 2 <= len(ids) <= SHARED_CAP:
            for a, b in combinations(sorted(ids), 2):
                same_org = people[a][2] is not None and people[a][2] == people[b][2]
                pairs.add(a, b, 90 if same_org else 55,
                          "same name, same organization" if same_org else "same name")
    # Nearly the same name at the same organization: compared within each organization's
    # groups of people sharing a first (or a last) name, whose other name must be alike too
    # ("Jon" and "Jonathan", "Lopez" and "Lopes"; not "Maria Lopez" and "Maria Gomez").
    for same, other in ((0, 1), (1, 0)):
        blocks = _grouped(((person[2], person[same]), cid) for cid, person in people.items()
                          if person[2] is not None)
        for ids in blocks.values():
            if not 2 <= len(ids) <= GROUP_CAP:
                continue
            for a, b in combinations(sorted(ids), 2):
                if names[a] == names[b]:
                    continue
                if _alike(people[a][other], people[b][other]):
                    pairs.add(a, b, 60 + round(30 * _similar(names[a], names[b])),
                              "similar name, same organization")
    return pairs


def _alike(a: str, b: str) -> bool:
    """Two first (or last) names that may be the same one: nearly the same spelling, or one
    the start of the other (an initial, a short form)."""
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a) or _similar(a, b) >= 0.8


def organization_pairs() -> Pairs:
    """Pairs of active organizations that look like the same one (one read of the table)."""
    orgs = {oid: (org_key(name), email, phone, _website_key(site), re.findall(r"\d+", name))
            for oid, name, email, phone, site in db.session.execute(
                select(Organization.id, Organization.name, Organization.email,
                       Organization.phone, Organization.website)
                .where(Organization.archived_at.is_(None)))}
    pairs = Pairs()
    for index, base, reason in ((1, 95, "same email"), (2, 60, "same phone"),
                                (3, 60, "same website")):
        for ids in _grouped((row[index], oid) for oid, row in orgs.items()).values():
            if 2 <= len(ids) <= SHARED_CAP:
                for a, b in combinations(sorted(ids), 2):
                    bonus = round(30 * _similar(orgs[a][0], orgs[b][0])) if base < 95 else 0
                    pairs.add(a, b, base + bonus, reason)
    for ids in _grouped((row[0], oid) for oid, row in orgs.items()).values():
        if 2 <= len(ids) <= SHARED_CAP:
            for a, b in combinations(sorted(ids), 2):
                pairs.add(a, b, 90, "same name")
    # Nearly the same name: compared within blocks of the same first word (first two words
    # when a block is large); "Ward 3 Office" and "Ward 4 Office" differ by a number, and
    # numbers must agree.
    blocks = _grouped((row[0].split(" ")[0], oid) for oid, row in orgs.items())
    for first, ids in list(blocks.items()):
        if len(ids) > SIMILAR_CAP:
            del blocks[first]
            for key, sub in _grouped((" ".join(orgs[oid][0].split(" ")[:2]), oid)
                                     for oid in ids).items():
                if len(sub) <= SIMILAR_CAP:
                    blocks[f"{first}\x00{key}"] = sub
    for ids in blocks.values():
        for a, b in combinations(sorted(ids), 2):
            (key_a, *_, digits_a), (key_b, *_, digits_b) = orgs[a], orgs[b]
            if key_a == key_b or digits_a != digits_b:
                continue
            ratio = _similar(key_a, key_b)
            if ratio >= 0.85:
                pairs.add(a, b, 60 + round(100 * (ratio - 0.85)), "similar name")
    return pairs


def sweep(kind: str) -> int:
    """Find every likely duplicate of one kind again and store them, ranked; pairs someone
    said are not the same stay dismissed. Returns how many pairs are listed. Flushes."""
    return store(kind, find(kind))


def find(kind: str) -> Pairs:
    """Every likely duplicate pair of one kind (reads only: seconds at 50,000 contacts)."""
    return contact_pairs() if kind == CONTACT else organization_pairs()


def store(kind: str, pairs: Pairs) -> int:
    """List `pairs` as the likely duplicates of `kind`, replacing the last look's; pairs
    someone dismissed stay dismissed. (A record merged or deleted after `find` read it
    leaves a pair the page's join never shows, gone at the next look.) Returns how many
    pairs are listed. Flushes."""
    table = Contact if kind == CONTACT else Organization
    dismissed = set(db.session.execute(
        select(LikelyDuplicate.low_id, LikelyDuplicate.high_id)
        .where(LikelyDuplicate.kind == kind, LikelyDuplicate.dismissed_at.is_not(None))).all())
    db.session.execute(delete(LikelyDuplicate).where(
        LikelyDuplicate.kind == kind,
        LikelyDuplicate.dismissed_at.is_(None)
        | LikelyDuplicate.low_id.not_in(select(table.id))
        | LikelyDuplicate.high_id.not_in(select(table.id))))
    now = utcnow()
    rows = [{"kind": kind, "low_id": a, "high_id": b, "score": found.total,
             "reason": ", ".join(found.reasons or [])[:200], "found_at": now}
            for (a, b), found in pairs.items() if (a, b) not in dismissed]
    for chunk in chunks(rows, 2000):
        db.session.execute(insert(LikelyDuplicate), chunk)
    settings_store.put(f"duplicates_swept_{kind}", now.isoformat())
    db.session.flush()
    return len(rows)


def swept_at(kind: str) -> datetime | None:
    """When the likely duplicates of `kind` were last looked for."""
    value = settings_store.get(f"duplicates_swept_{kind}")
    return datetime.fromisoformat(value) if value else None


def dismiss(kind: str, low_id: int, high_id: int, actor: User | None) -> bool:
    """Record that two records are not the same: the pair leaves the list for good."""
    pair = db.session.get(LikelyDuplicate, (kind, min(low_id, high_id), max(low_id, high_id)))
    if pair is None or pair.dismissed_at is not None:
        return False
    pair.dismissed_at, pair.dismissed_by_id = utcnow(), getattr(actor, "id", None)
    record(f"{kind}.not_duplicate", f"Marked {kind}s #{pair.low_id} and #{pair.high_id} as "
           "not the same", actor=actor)
    db.session.flush()
    return True
