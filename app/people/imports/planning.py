"""Planning an import: what each staged row will do against the database as it is now
(add, fill in an existing contact, nothing, or a problem), and its likely duplicates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from app.extensions import db
from app.people import phones
from app.people.contacts import normalize_tags
from app.people.duplicates import Candidate, chunks, find_duplicates_many
from app.people.imports.columns import BY_KEY
from app.people.imports.staged import StagedRow
from app.people.models import (
    Channel,
    Contact,
    ContactEmail,
    ContactPhone,
    Influence,
    Organization,
    Sphere,
    Stance,
)

# Fields an import may fill in on an existing contact when they are empty there.
FILLABLE = ("last_name", "name_prefix", "name_suffix", "pronouns", "title", "sphere", "address",
            "website", "source", "preferred_channel", "beat", "coverage_area", "approach_notes",
            "background")


def org_key(name: str) -> str:
    return " ".join(name.lower().split())


def _organizations(names: set[str]) -> dict[str, tuple[int, str]]:
    """Existing organizations by matching key: (id, name)."""
    found: dict[str, tuple[int, str]] = {}
    keys = sorted({org_key(n) for n in names if n})
    for chunk in chunks(keys):
        for oid, name in db.session.execute(
                select(Organization.id, Organization.name)
                .where(func.lower(Organization.name).in_(chunk))
                .order_by(Organization.archived_at.is_not(None), Organization.id)):
            found.setdefault(org_key(name), (oid, name))
    # Names with odd inner spacing don't match lower(name) exactly; one more pass for those.
    missing = [k for k in keys if k not in found]
    if missing:
        for chunk in chunks(missing):
            patterns = [Organization.name.ilike(k.replace(" ", "%"), escape="\\")
                        for k in chunk if "%" not in k and "_" not in k and "\\" not in k]
            if not patterns:
                continue
            for oid, name in db.session.execute(select(Organization.id, Organization.name)
                                                .where(or_(*patterns))):
                found.setdefault(org_key(name), (oid, name))
    return found


def _contacts_by_email(emails: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(set(emails))):
        for cid, email in db.session.execute(
                select(ContactEmail.contact_id, ContactEmail.email)
                .where(ContactEmail.email.in_(chunk)).order_by(ContactEmail.contact_id)):
            found.setdefault(email, cid)
    return found


def load_contacts(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The current values of existing contacts an import matched, as plain dicts."""
    out: dict[int, dict[str, Any]] = {}
    cols = [Contact.id, Contact.first_name, Contact.last_name, Contact.organization_id,
            Contact.stance, Contact.influence, Contact.tags, Contact.do_not_contact,
            Contact.is_media, *(getattr(Contact, f) for f in FILLABLE if f != "last_name"),
            Organization.name.label("organization_name")]
    for chunk in chunks(sorted(set(ids))):
        for row in db.session.execute(select(*cols).outerjoin(
                Organization, Organization.id == Contact.organization_id)
                .where(Contact.id.in_(chunk))):
            data = dict(row._mapping)
            for key, value in list(data.items()):
                data[key] = getattr(value, "value", value)
            data["emails"], data["phones"] = [], []
            out[data["id"]] = data
        for cid, email in db.session.execute(select(ContactEmail.contact_id, ContactEmail.email)
                                             .where(ContactEmail.contact_id.in_(chunk))):
            out[cid]["emails"].append(email)
        for cid, number in db.session.execute(
                select(ContactPhone.contact_id, ContactPhone.number)
                .where(ContactPhone.contact_id.in_(chunk))):
            out[cid]["phones"].append(number)
    return out


def _changes(values: dict[str, Any], current: dict[str, Any], org_id: int | None,
             org_name: str | None) -> dict[str, Any]:
    """What a matched row would change on an existing contact (fill in, never overwrite)."""
    changes: dict[str, Any] = {}
    for field in FILLABLE:
        if values.get(field) and not current.get(field):
            changes[field] = values[field]
    if org_name and not current.get("organization_id"):
        changes["organization"] = org_name
        if org_id:
            changes["organization_id"] = org_id
    if values.get("stance") and current["stance"] == Stance.unknown.value \
            and values["stance"] != Stance.unknown.value:
        changes["stance"] = values["stance"]
        if values.get("influence"):
            changes["influence"] = values["influence"]
    new_emails = [e for e in values["emails"] if e not in current["emails"]]
    if new_emails:
        changes["emails"] = new_emails
    new_phones = [p for p in values["phones"] if p not in current["phones"]]
    if new_phones:
        changes["phones"] = new_phones
    tags = normalize_tags(
        [t for t in current["tags"].split(",") if t] + [t for t in values["tags"].split(",")
                                                        if t])
    if tags != current["tags"] and len(tags) <= 500:
        changes["tags"] = tags
    for flag in ("do_not_contact", "is_media"):
        if values.get(flag) and not current.get(flag):
            changes[flag] = True
    return changes


def describe_changes(changes: dict[str, Any]) -> list[str]:
    """What an update does to an existing contact, in words, for the preview ("title:
    Council aide", "adds phone (555) 555-0177")."""
    out: list[str] = []
    for key, value in changes.items():
        if key == "organization_id":
            continue
        if key == "emails":
            out.extend(f"adds email {e}" for e in value)
        elif key == "phones":
            out.extend(f"adds phone {phones.format(p)}" for p in value)
        elif key == "tags":
            out.append("tags: " + ", ".join(t for t in value.split(",") if t))
        elif key in ("do_not_contact", "is_media"):
            out.append(f"{_label(key).lower()}: yes")
        elif key in _ENUMS:
            out.append(f"{_label(key).lower()}: {_ENUMS[key](value).label}")
        else:
            text = str(value)
            out.append(f"{_label(key).lower()}: {text[:80]}{'…' if len(text) > 80 else ''}")
    return out


_ENUMS = {"stance": Stance, "influence": Influence, "sphere": Sphere,
          "preferred_channel": Channel}


def _label(key: str) -> str:
    return BY_KEY[key].label.split(" (")[0] if key in BY_KEY else key.replace("_", " ")


def plan(rows: list[StagedRow], unit: str = "line"
         ) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """Decide what each row does against the database as it is now: its problems, the
    contact its email matches (update) or not (create), and likely duplicates; a row naming
    only an organization adds that organization (if it's new), and a row with no name is
    left out. Each staged row gets its action, match, changes, duplicates, errors and notes
    anew (naming other rows by `unit` and number: "line 3", "card 3"). Returns the counts,
    and the matched contacts' current values by id. A constant handful of batched
    queries."""
    people = [r for r in rows if r.kind == "person"]
    orgs = _organizations({r.values.get("organization") or "" for r in rows})
    by_email = _contacts_by_email([e for r in people for e in r.values["emails"]])
    matched_ids = []
    seen_emails: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    seen_orgs: dict[str, int] = {}
    for row in rows:
        values = row.values
        row.errors = list(row.parse_errors)
        row.notes, row.duplicates, row.changes = list(row.parse_notes), [], {}
        row.match_id, row.same_phone_as = None, None
        org_name = values.get("organization")
        row.org = list(orgs[org_key(org_name)]) if org_name and \
            org_key(org_name) in orgs else None
        if row.kind == "organization":
            key = org_key(org_name)
            if not row.org and key in seen_orgs:
                row.notes.append(f"Same organization as {unit} {seen_orgs[key]}.")
            seen_orgs.setdefault(key, row.line)
            continue
        if row.kind != "person":
            continue
        for email in values["emails"]:
            if email in seen_emails:
                row.errors.append(f"{email} is also on {unit} {seen_emails[email]}: one "
                                     "person per row, please.")
            seen_emails.setdefault(email, row.line)
        for phone in values["phones"]:
            if phone in seen_phones and row.same_phone_as is None:
                row.same_phone_as = seen_phones[phone]
            seen_phones.setdefault(phone, row.line)
        matches = {by_email[e] for e in values["emails"] if e in by_email}
        if len(matches) > 1:
            row.errors.append("Its emails belong to different existing contacts "
                                 f"(#{', #'.join(str(m) for m in sorted(matches))}); merge "
                                 "them first or split the row.")
        row.match_id = min(matches) if len(matches) == 1 else None
        if row.match_id:
            matched_ids.append(row.match_id)
    current = load_contacts(matched_ids)
    new_rows = [r for r in people if not r.match_id]
    candidates = [Candidate(r.values["first_name"] or "",
                                     r.values.get("last_name") or "",
                                     r.org[0] if r.org else None,
                                     r.values["emails"], r.values["phones"])
                  for r in new_rows]
    duplicates = find_duplicates_many(candidates)
    counts = {"create": 0, "update": 0, "unchanged": 0, "errors": 0, "duplicates": 0,
              "organizations": 0, "skip": 0, "rows": len(rows)}
    for row, found in zip(new_rows, duplicates, strict=True):
        row.duplicates = [{"id": x.id, "name": x.name, "reason": reason}
                             for x, reason in found[:5]]
    for row in rows:
        row.match = None
        if row.match_id:
            existing = current.get(row.match_id)
            if existing is None:
                row.errors.append("The contact this email matched was just removed.")
            else:
                row.match = {"id": existing["id"], "name":
                                f"{existing['first_name']} {existing['last_name']}".strip()}
                org = row.org
                name = (org[1] if org else row.values.get("organization")) or None
                row.changes = _changes(row.values, existing, org[0] if org else None,
                                          name)
        if row.errors:
            row.action = "error"
            counts["errors"] += 1
        elif row.kind == "skip":
            row.action = "skip"
            counts["skip"] += 1
        elif row.kind == "organization":
            # A new organization once; one already here (or earlier in the file) is left be.
            first = seen_orgs.get(org_key(row.values["organization"])) == row.line
            row.action = "organization" if first and not row.org else "skip"
            counts["organizations" if row.action == "organization" else "skip"] += 1
        elif row.match:
            row.action = "update" if row.changes else "unchanged"
            counts[row.action] += 1
        else:
            row.action = "create"
            counts["create"] += 1
        if row.duplicates or row.same_phone_as:
            counts["duplicates"] += 1
    # Every organization the import adds: named by new people, by updates that fill one in,
    # or on its own row.
    counts["new_organizations"] = len({
        org_key(r.values["organization"]) for r in rows
        if r.values.get("organization") and not r.org and (
            r.action in ("create", "organization")
            or (r.action == "update" and "organization" in r.changes))})
    return counts, current
