"""CSV import of contacts: read and check an upload, stage a preview, write it all or nothing,
and undo a whole import.

How an import behaves (shown on the upload page too):

- Columns are mapped by header (see HEADERS; case, spaces, "-" and "_" don't matter).
  A first name (or a full "name") column is required; unknown columns are listed and ignored.
- The file must be UTF-8 (a byte-order mark is fine). Windows-1252, as older Excel writes it,
  is accepted only when it decodes cleanly, and the preview says so. Anything else is refused
  with a message rather than guessed.
- A row whose email matches an existing contact (emails compared lower-cased) **updates** that
  contact, filling in only what is empty: it never overwrites what someone recorded. New
  emails, phones and tags are added; "do not contact" and "media" can be switched on, never
  off; a stance is set only where it was "not yet known". A matched row that adds nothing is
  left alone. Every other row **creates** a contact; likely duplicates (same phone, similar
  name in the same organization) are shown so the file can be fixed first.
- Organizations are matched by name (case and spacing ignored), or created.
- Any row with a problem blocks the whole import: nothing is written until the file is clean.
- Undo removes the contacts and organizations the import created (except any that have notes,
  commitments or event links since: those stay, and the undo says how many) and puts back the
  fields, emails and phones it filled in on existing contacts, where nobody changed them since.
- Cells that look like spreadsheet formulas are stored as plain text (exports neutralize
  them again); line breaks inside one-line fields collapse to spaces; everything is escaped
  when shown.
- The parsed upload is staged in the contact_imports row (JSON), never in process memory, and
  a preview expires after PREVIEW_HOURS.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm.attributes import flag_modified

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.people.contacts import (
    build_search_text,
    normalize_email,
    normalize_tags,
    split_lines,
)
from app.people.duplicates import Candidate, chunks, find_duplicates_many
from app.people.models import (
    Channel,
    Contact,
    ContactEmail,
    ContactImport,
    ContactPhone,
    Influence,
    Organization,
    OrgType,
    Sphere,
    Stance,
    StanceChange,
)
from app.phones import parse as parse_phone

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
PREVIEW_HOURS = 24

# Accepted headers, by field. Headers are compared after lower-casing and turning "-", "_"
# and runs of spaces into one space. Several columns may feed a list field (emails, phones,
# tags): "email" and "email 2" both add addresses.
HEADERS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "firstname", "given name", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "name": ("name", "full name", "contact name", "contact"),
    "emails": ("email", "emails", "e mail", "email address", "email addresses", "email 2",
               "email 3", "work email", "personal email", "other email"),
    "phones": ("phone", "phones", "phone number", "phone numbers", "telephone", "mobile",
               "mobile phone", "cell", "cell phone", "work phone", "home phone", "phone 2",
               "other phone"),
    "organization": ("organization", "organisation", "organization name", "company", "org",
                     "employer", "agency", "outlet"),
    "organization_type": ("organization type", "organisation type", "org type"),
    "title": ("title", "job title", "role", "position"),
    "pronouns": ("pronouns",),
    "stance": ("stance",),
    "influence": ("influence",),
    "sphere": ("sphere",),
    "tags": ("tags", "tag", "labels", "groups"),
    "address": ("address", "mailing address", "street address"),
    "website": ("website", "web", "url", "web site"),
    "source": ("source", "how we know them", "how we met"),
    "preferred_channel": ("preferred channel", "preferred way to reach them", "channel"),
    "do_not_contact": ("do not contact", "dnc", "do not email"),
    "is_media": ("is media", "media", "journalist", "media contact"),
    "beat": ("beat",),
    "coverage_area": ("coverage area",),
}
LIST_FIELDS = ("emails", "phones", "tags")
LENGTHS = {"first_name": 100, "last_name": 100, "pronouns": 40, "title": 200,
           "organization": 200, "address": 300, "website": 300, "source": 300, "beat": 200,
           "coverage_area": 200}
# Fields an import may fill in on an existing contact when they are empty there.
FILLABLE = ("last_name", "pronouns", "title", "sphere", "address", "website", "source",
            "preferred_channel", "beat", "coverage_area")
_ALIASES = {alias: field for field, aliases in HEADERS.items() for alias in aliases}
_YES = {"yes", "y", "true", "1", "x", "on"}
_NO = {"no", "n", "false", "0", "off", ""}
# What Windows-1252 text from a spreadsheet plausibly holds beyond ASCII: accented Latin
# letters and the usual typographic punctuation. Anything else (Z-caron, f-hook, runs of
# symbols: what Shift-JIS looks like read as Windows-1252) means we would be guessing.
_CP1252_LETTERS = re.compile(r"[À-ÖØ-öø-ÿ]")
_CP1252_PUNCT = set("\u00a0«»°·\u00b4¡¿©®\u2019\u2018\u201c\u201d"
                    "\u2013\u2014\u2026\u20ac\u2022\u2122")


def _plausible_cp1252(text: str) -> bool:
    run = 0
    for i, ch in enumerate(text):
        if ord(ch) < 128:
            run = 0
            continue
        run += 1
        if run > 2:
            return False
        if _CP1252_LETTERS.fullmatch(ch):
            # An accented letter sits inside or at the edge of a word.
            near = text[max(i - 1, 0):i] + text[i + 1:i + 2]
            if not any(c.isalpha() for c in near):
                return False
        elif ch not in _CP1252_PUNCT:
            return False
    return True


# Plain ASCII addresses are checked with a strict pattern (email_validator is thorough but too
# slow for 10,000 rows); anything unusual still goes through email_validator.
_SIMPLE_EMAIL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                           r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63})")
_SPECIAL_TLDS = {d for d in SPECIAL_USE_DOMAIN_NAMES if "." not in d}


def check_email(value: str) -> str:
    """An email normalized (lower-cased); ValueError if it isn't an address."""
    email = normalize_email(value)
    match = _SIMPLE_EMAIL.fullmatch(email)
    if match and match.group(1) not in _SPECIAL_TLDS and len(email) <= 254 \
            and len(email.partition("@")[0]) <= 64:
        return email
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    if len(value) > 254:
        raise ValueError("too long")
    return email


class ImportFileError(ValueError):
    """The upload as a whole can't be read; the message goes beside the file field."""


class ImportRowsError(ValueError):
    """Some rows have problems, so nothing was written."""


# --- reading the file -----------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read as; ImportFileError if it isn't text we
    can read without guessing."""
    if not data.strip():
        raise ImportFileError("The file is empty. Choose a CSV file with a header row and "
                              "at least one contact.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if b"\x00" in head or controls > len(head) // 100 + 2:
        raise ImportFileError("This looks like a binary file (a spreadsheet or an image?), "
                              "not CSV text. In your spreadsheet choose File → Save as → "
                              "“CSV UTF-8”, then upload that file.")
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_cp1252(text):
        return text, "Windows-1252"
    raise ImportFileError("This file isn't UTF-8 text, and we won't guess its encoding. In "
                          "your spreadsheet choose File → Save as → “CSV UTF-8”, then upload "
                          "that file.")


def _header_key(header: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", header.strip().lower().lstrip("\ufeff")).split())


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Parsed:
    """A CSV read into cells: the field of each column, ignored headers and the rows."""

    columns: list[str | None]
    ignored: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str


def parse(text: str) -> Parsed:
    """Rows of cells, with each column mapped to a field by its header."""
    text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportFileError("The first row should name the columns (First name, Last "
                                  "name, Email, …), but it is empty.")
        columns = [_ALIASES.get(_header_key(h)) for h in header]
        ignored = [h.strip()[:60] for h, c in zip(header, columns, strict=True)
                   if c is None and h.strip()]
        if "first_name" not in columns and "name" not in columns:
            raise ImportFileError("The file needs a “First name” (or “Name”) column. The "
                                  "first row should name the columns; we found: "
                                  + ", ".join(f"“{h.strip()[:40]}”" for h in header[:12]))
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append((reader.line_num, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows. Split it "
                                      "into smaller files and import each.")
    except csv.Error as exc:
        raise ImportFileError(f"We couldn't read this as CSV (near line {reader.line_num}: "
                              f"{exc}). Check the file is saved as CSV.") from exc
    if not rows:
        raise ImportFileError("The file has a header row but no contacts under it.")
    return Parsed(columns, ignored, rows, delimiter)


# --- one row ---------------------------------------------------------------------------


def _one_line(value: str) -> str:
    """A single-line value: line breaks and other control characters become spaces."""
    if value.isprintable():
        return " ".join(value.split())
    value = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                    for ch in value)
    return " ".join(value.split())


def _unquote(value: str) -> str:
    # Our own export prefixes formula-looking cells with "'"; take it off so a round trip
    # gives back the same text. The text itself is stored as text, never evaluated.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


_CHOICES: dict[type, dict[str, Any]] = {}


def _choice(enum_cls, value: str):
    """An enum member from its value or its label ("challenger" or "Challenging")."""
    table = _CHOICES.get(enum_cls)
    if table is None:
        table = {}
        for member in enum_cls:
            table[_header_key(member.label)] = member
            table[_header_key(member.value)] = member
        _CHOICES[enum_cls] = table
    return table.get(_header_key(value))


def _yes_no(value: str) -> bool | None:
    key = value.strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def clean_row(columns: list[str | None], cells: list[str]) -> tuple[dict[str, Any], list[str]]:
    """One row's values, normalized, and its problems (as sentences for the preview)."""
    raw: dict[str, list[str]] = {}
    for field, cell in zip(columns, cells, strict=False):
        if field:
            raw.setdefault(field, []).append(_unquote(cell.replace("\x00", "")))
    errors: list[str] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
        errors.append("This row has more cells than the header has columns.")
    values: dict[str, Any] = {}
    for field, items in raw.items():
        if field in LIST_FIELDS:
            continue
        values[field] = _one_line(" ".join(i for i in items if i.strip()))
    if values.get("name") and not values.get("first_name"):
        # "Rosa Delgado Ruiz": the first word is the first name, the rest the last name.
        first, _, last = values["name"].partition(" ")
        values["first_name"] = first
        if not values.get("last_name"):
            values["last_name"] = last.strip()
    values.pop("name", None)
    values.setdefault("first_name", "")
    values.setdefault("last_name", "")
    if not values.get("first_name"):
        errors.append("First name is missing.")
    for field, limit in LENGTHS.items():
        if len(values.get(field) or "") > limit:
            errors.append(f"{field.replace('_', ' ').capitalize()} is longer than "
                          f"{limit} characters.")
            values[field] = values[field][:limit]
    emails = []
    for item in split_lines(" ; ".join(raw.get("emails", []))):
        item = _one_line(item)
        try:
            emails.append(check_email(item))
        except ValueError:
            errors.append(f"“{item[:60]}” isn't an email address.")
    values["emails"] = list(dict.fromkeys(emails))
    phones = []
    for item in re.split(r"[;\n]", "\n".join(raw.get("phones", []))):
        item = _one_line(item)
        if not item:
            continue
        try:
            phones.append(parse_phone(item[:40]))
        except ValueError:
            errors.append(f"“{item[:40]}” isn't a phone number we can read. Include the area "
                          "code.")
    values["phones"] = list(dict.fromkeys(phones))
    values["tags"] = normalize_tags(_one_line(" , ".join(raw.get("tags", []))))
    if len(values["tags"]) > 500:
        errors.append("Tags are longer than 500 characters in all.")
        values["tags"] = ""
    for field, enum_cls in (("stance", Stance), ("influence", Influence), ("sphere", Sphere),
                            ("preferred_channel", Channel), ("organization_type", OrgType)):
        text = values.get(field)
        if not text:
            values[field] = None
            continue
        member = _choice(enum_cls, text)
        if member is None:
            names = ", ".join(getattr(m, "label", m.value) for m in enum_cls)
            errors.append(f"{field.replace('_', ' ').capitalize()} “{text[:40]}” isn't one "
                          f"we know. Use one of: {names}.")
        values[field] = member.value if member else None
    for field in ("do_not_contact", "is_media"):
        text = values.get(field) or ""
        flag = _yes_no(text)
        if flag is None:
            errors.append(f"{'Do not contact' if field == 'do_not_contact' else 'Media'} "
                          f"should be yes or no, not “{text[:20]}”.")
        values[field] = bool(flag)
    return values, errors


# --- planning: what each row will do -------------------------------------------------------


def _org_key(name: str) -> str:
    return " ".join(name.lower().split())


def _organizations(names: set[str]) -> dict[str, tuple[int, str]]:
    """Existing organizations by matching key: (id, name)."""
    found: dict[str, tuple[int, str]] = {}
    keys = sorted({_org_key(n) for n in names if n})
    for chunk in chunks(keys):
        for oid, name in db.session.execute(
                select(Organization.id, Organization.name)
                .where(func.lower(Organization.name).in_(chunk))
                .order_by(Organization.archived_at.is_not(None), Organization.id)):
            found.setdefault(_org_key(name), (oid, name))
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
                found.setdefault(_org_key(name), (oid, name))
    return found


def _contacts_by_email(emails: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(set(emails))):
        for cid, email in db.session.execute(
                select(ContactEmail.contact_id, ContactEmail.email)
                .where(ContactEmail.email.in_(chunk)).order_by(ContactEmail.contact_id)):
            found.setdefault(email, cid)
    return found


def _load_contacts(ids: list[int]) -> dict[int, dict[str, Any]]:
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


CHANGE_LABELS = {"last_name": "last name", "preferred_channel": "preferred channel",
                 "coverage_area": "coverage area", "do_not_contact": "do not contact",
                 "is_media": "media contact"}


def plan(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """Decide what each row does against the database as it is now: its problems, the
    contact its email matches (update) or not (create), and likely duplicates. Rows are the
    staged dicts ({"line", "values", "errors"}); each gets "action", "match", "changes" and
    "duplicates". Returns the counts, and the matched contacts' current values by id.
    A constant handful of batched queries."""
    orgs = _organizations({r["values"].get("organization") or "" for r in rows})
    by_email = _contacts_by_email([e for r in rows for e in r["values"]["emails"]])
    matched_ids = []
    seen_emails: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    for row in rows:
        values = row["values"]
        row["errors"] = list(row.get("parse_errors", []))
        row["notes"] = []
        for email in values["emails"]:
            if email in seen_emails:
                row["errors"].append(f"{email} is also on line {seen_emails[email]}: one "
                                     "person per row, please.")
            seen_emails.setdefault(email, row["line"])
        for phone in values["phones"]:
            if phone in seen_phones:
                row["notes"].append(f"Same phone as line {seen_phones[phone]}.")
            seen_phones.setdefault(phone, row["line"])
        matches = {by_email[e] for e in values["emails"] if e in by_email}
        if len(matches) > 1:
            row["errors"].append("Its emails belong to different existing contacts "
                                 f"(#{', #'.join(str(m) for m in sorted(matches))}); merge "
                                 "them first or split the row.")
        row["match_id"] = min(matches) if len(matches) == 1 else None
        if row["match_id"]:
            matched_ids.append(row["match_id"])
        org_name = values.get("organization")
        row["org"] = list(orgs[_org_key(org_name)]) if org_name and \
            _org_key(org_name) in orgs else None
    current = _load_contacts(matched_ids)
    new_rows = [r for r in rows if not r["match_id"]]
    candidates = [Candidate(r["values"]["first_name"] or "",
                                     r["values"].get("last_name") or "",
                                     r["org"][0] if r["org"] else None,
                                     r["values"]["emails"], r["values"]["phones"])
                  for r in new_rows]
    duplicates = find_duplicates_many(candidates)
    counts = {"create": 0, "update": 0, "unchanged": 0, "errors": 0, "duplicates": 0,
              "rows": len(rows)}
    for row, found in zip(new_rows, duplicates, strict=True):
        row["duplicates"] = [{"id": x.id, "name": x.name, "reason": reason}
                             for x, reason in found[:5]]
    for row in rows:
        row.setdefault("duplicates", [])
        if row["match_id"]:
            existing = current.get(row["match_id"])
            if existing is None:
                row["errors"].append("The contact this email matched was just removed.")
                row["match"] = None
            else:
                row["match"] = {"id": existing["id"], "name":
                                f"{existing['first_name']} {existing['last_name']}".strip()}
                org = row["org"]
                name = (org[1] if org else row["values"].get("organization")) or None
                row["changes"] = _changes(row["values"], existing, org[0] if org else None,
                                          name)
        else:
            row["match"] = None
        if row["errors"]:
            row["action"] = "error"
            counts["errors"] += 1
        elif row["match"]:
            row["action"] = "update" if row.get("changes") else "unchanged"
            counts[row["action"]] += 1
        else:
            row["action"] = "create"
            counts["create"] += 1
        if row["duplicates"] or row["notes"]:
            counts["duplicates"] += 1
    return counts, current


# --- staging an upload ---------------------------------------------------------------------


def purge_expired() -> int:
    """Remove previews nobody confirmed within PREVIEW_HOURS (their staged rows with them)."""
    cutoff = utcnow() - timedelta(hours=PREVIEW_HOURS)
    result = db.session.execute(delete(ContactImport).where(
        ContactImport.confirmed_at.is_(None), ContactImport.created_at < cutoff))
    return result.rowcount or 0


def stage(filename: str, data: bytes, actor: User) -> ContactImport:
    """Read an upload and stage its preview (nothing about contacts is written yet).
    ImportFileError if the file as a whole can't be used."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
                              f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files.")
    text, encoding = decode(data)
    parsed = parse(text)
    rows = []
    for line, cells in parsed.rows:
        values, errors = clean_row(parsed.columns, cells)
        rows.append({"line": line, "values": values, "parse_errors": errors})
    counts, _ = plan(rows)
    purge_expired()
    name = _one_line(filename or "upload.csv")[-200:] or "upload.csv"
    imp = ContactImport(filename=name, created_by_id=actor.id,
                        rows={"encoding": encoding, "ignored": parsed.ignored,
                              "mapped": sorted({c for c in parsed.columns if c}),
                              "counts": counts, "rows": rows})
    db.session.add(imp)
    db.session.flush()
    return imp


def is_expired(imp: ContactImport) -> bool:
    """True for a preview older than PREVIEW_HOURS that was never confirmed."""
    return imp.confirmed_at is None and \
        imp.created_at < utcnow() - timedelta(hours=PREVIEW_HOURS)


def _save(imp: ContactImport, data: dict[str, Any]) -> None:
    # The staged JSON is changed in place; tell SQLAlchemy, which compares by value.
    imp.rows = data
    flag_modified(imp, "rows")


# --- confirming --------------------------------------------------------------------------


def _search_text(values: dict[str, Any], org_name: str | None) -> str:
    # A plain stand-in for the contact: building ORM objects costs more than the text.
    probe = SimpleNamespace(first_name=values["first_name"],
                            last_name=values.get("last_name") or "",
                            title=values.get("title"), beat=values.get("beat"),
                            coverage_area=values.get("coverage_area"), tags=values["tags"])
    return build_search_text(probe, org_name, values["emails"],  # type: ignore[arg-type]
                                      values["phones"])


def confirm(imp: ContactImport, actor: User) -> dict[str, int]:
    """Write a staged import, all or nothing: re-plan against the database as it is now and
    raise ImportRowsError (writing nothing) if any row has a problem. Flushes; the view
    commits once."""
    data = dict(imp.rows)
    rows = data["rows"]
    counts, current = plan(rows)
    data["counts"] = counts
    if counts["errors"]:
        _save(imp, data)
        raise ImportRowsError(f"{counts['errors']} rows have problems, so nothing was "
                              "imported.")
    now = utcnow()
    actor_id = actor.id
    # Organizations first: one per new name.
    new_orgs: dict[str, int] = {}
    for row in rows:
        name = row["values"].get("organization")
        wanted = row["action"] == "create" or (
            row["action"] == "update" and "organization" in row["changes"])
        if name and not row["org"] and wanted:
            new_orgs[_org_key(name)] = -1
    org_rows = {}
    for row in rows:
        name = row["values"].get("organization")
        if name and _org_key(name) in new_orgs and _org_key(name) not in org_rows:
            org_rows[_org_key(name)] = {
                "name": name, "type": OrgType(row["values"].get("organization_type") or "other"),
                "sphere": None, "tags": "", "do_not_contact": False,
                "owner_id": actor_id, "source": f"CSV import #{imp.id}",
                "created_at": now, "updated_at": now}
    if org_rows:
        keys = list(org_rows)
        ids = db.session.scalars(insert(Organization).returning(
            Organization.id, sort_by_parameter_order=True), [org_rows[k] for k in keys]).all()
        new_orgs = dict(zip(keys, ids, strict=True))

    def org_of(row) -> tuple[int | None, str | None]:
        if row["org"]:
            return row["org"][0], row["org"][1]
        name = row["values"].get("organization")
        return (new_orgs[_org_key(name)], name) if name else (None, None)

    created = [r for r in rows if r["action"] == "create"]
    contact_rows = []
    for row in created:
        v = row["values"]
        org_id, org_name = org_of(row)
        last = v.get("last_name") or ""
        contact_rows.append({
            "first_name": v["first_name"], "last_name": last,
            "sort_name": f"{last} {v['first_name']}".strip().lower(),
            "pronouns": v.get("pronouns") or None, "title": v.get("title") or None,
            "organization_id": org_id,
            "sphere": Sphere(v["sphere"]) if v.get("sphere") else None,
            "address": v.get("address") or None, "website": v.get("website") or None,
            "preferred_channel": Channel(v["preferred_channel"])
            if v.get("preferred_channel") else None,
            "tags": v["tags"], "source": v.get("source") or f"CSV import #{imp.id}",
            "owner_id": actor_id, "do_not_contact": v["do_not_contact"],
            "stance": Stance(v.get("stance") or "unknown"),
            "influence": Influence(v.get("influence") or "medium"),
            "is_media": v["is_media"], "beat": v.get("beat") or None,
            "coverage_area": v.get("coverage_area") or None,
            "search_text": _search_text(v, org_name), "import_id": imp.id,
            "created_at": now, "updated_at": now})
    contact_ids: list[int] = []
    if contact_rows:
        # A plain executemany (RETURNING over thousands of rows is much slower). The new ids
        # are ours alone (import_id) and ascend in insertion order, so they line up with
        # the rows; the count check makes sure.
        db.session.execute(insert(Contact.__table__), contact_rows)
        contact_ids = list(db.session.scalars(
            select(Contact.id).where(Contact.import_id == imp.id).order_by(Contact.id)))
        if len(contact_ids) != len(contact_rows):
            raise RuntimeError("imported contacts don't line up with their rows")
    emails, phones, stances = [], [], []
    for cid, row, crow in zip(contact_ids, created, contact_rows, strict=True):
        emails.extend({"contact_id": cid, "email": e} for e in row["values"]["emails"])
        phones.extend({"contact_id": cid, "number": p} for p in row["values"]["phones"])
        stances.append({"contact_id": cid, "by_id": actor_id, "at": now, "from_stance": None,
                        "to_stance": crow["stance"], "from_influence": None,
                        "to_influence": crow["influence"],
                        "reason": f"Imported from CSV (import #{imp.id})"})
    updated = _apply_updates([r for r in rows if r["action"] == "update"], current, imp,
                             actor_id, now, org_of, emails, phones, stances)
    # Core executemany: the ORM's bulk path adds nothing here but time.
    if emails:
        db.session.execute(insert(ContactEmail.__table__), emails)
    if phones:
        db.session.execute(insert(ContactPhone.__table__), phones)
    if stances:
        db.session.execute(insert(StanceChange.__table__), stances)
    result = {"created": len(contact_ids), "updated": len(updated),
              "unchanged": counts["unchanged"], "organizations": len(new_orgs)}
    data["result"] = {**result, "updated_contacts": updated,
                      "organization_ids": sorted(new_orgs.values())}
    _save(imp, data)
    imp.confirmed_at = now
    imp.created_count = len(contact_ids)
    record("contact.import", f"Imported contacts from CSV (import #{imp.id}, "
           f"{imp.filename}): {result['created']} added, {result['updated']} updated, "
           f"{result['organizations']} organizations added", imp, actor)
    db.session.flush()
    return result


def _apply_updates(rows, current, imp, actor_id, now, org_of, emails, phones,
                   stances) -> list[dict]:
    """Fill in matched contacts (one executemany per shape of change); return what undo
    needs to put each back."""
    updated = []
    batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        changes = row["changes"]
        cid = row["match"]["id"]
        was = current[cid]
        values: dict[str, Any] = {f: changes[f] for f in FILLABLE if f in changes}
        org_name = was["organization_name"]
        if "organization" in changes:
            values["organization_id"], org_name = org_of(row)
        for field in ("tags", "do_not_contact", "is_media"):
            if field in changes:
                values[field] = changes[field]
        if "stance" in changes:
            values["stance"] = changes["stance"]
            values["influence"] = changes.get("influence") or was["influence"]
            stances.append({"contact_id": cid, "by_id": actor_id, "at": now,
                            "from_stance": Stance(was["stance"]),
                            "to_stance": Stance(values["stance"]),
                            "from_influence": Influence(was["influence"]),
                            "to_influence": Influence(values["influence"]),
                            "reason": f"Imported from CSV (import #{imp.id})"})
        before = {f: was[f] for f in values}
        after = dict(values)
        new = {**was, **values}
        probe = {"first_name": new["first_name"], "last_name": new["last_name"],
                 "title": new["title"], "beat": new["beat"],
                 "coverage_area": new["coverage_area"], "tags": new["tags"],
                 "emails": was["emails"] + changes.get("emails", []),
                 "phones": was["phones"] + changes.get("phones", [])}
        values["search_text"] = _search_text(probe, org_name)
        for enum_field, cls in (("sphere", Sphere), ("preferred_channel", Channel),
                                ("stance", Stance), ("influence", Influence)):
            if values.get(enum_field):
                values[enum_field] = cls(values[enum_field])
        values["updated_at"] = now
        values["b_id"] = cid
        batches.setdefault(tuple(sorted(values)), []).append(values)
        emails.extend({"contact_id": cid, "email": e} for e in changes.get("emails", []))
        phones.extend({"contact_id": cid, "number": p} for p in changes.get("phones", []))
        updated.append({"id": cid, "before": before, "after": after,
                        "emails": changes.get("emails", []),
                        "phones": changes.get("phones", [])})
    table = Contact.__table__
    for params in batches.values():
        db.session.execute(update(table).where(table.c.id == bindparam("b_id")), params)
    return updated


# --- undoing -------------------------------------------------------------------------------


def undo(imp: ContactImport, actor: User) -> dict[str, int]:
    """Undo a confirmed import: remove the contacts and organizations it created (keeping
    any that have notes, commitments or event links since), and put back what it filled in on
    existing contacts where nobody changed it since. Recorded in the audit trail."""
    from app.events.models import EventHost, Invitation
    from app.notes.models import Commitment, note_contacts, note_organizations

    data = dict(imp.rows)
    result = data.get("result", {})
    linked = or_(
        Contact.id.in_(select(note_contacts.c.contact_id)),
        Contact.id.in_(select(Commitment.contact_id).where(Commitment.contact_id.is_not(None))),
        Contact.id.in_(select(Invitation.contact_id).where(Invitation.contact_id.is_not(None))),
        Contact.id.in_(select(EventHost.contact_id).where(EventHost.contact_id.is_not(None))),
    )
    mine = Contact.import_id == imp.id
    kept = db.session.scalar(select(func.count()).select_from(Contact).where(mine, linked)) or 0
    doomed = select(Contact.id).where(mine, ~linked).scalar_subquery()
    # Children go explicitly (not by ON DELETE CASCADE) so SQLite without the pragma agrees.
    for table in (ContactEmail, ContactPhone, StanceChange):
        db.session.execute(delete(table).where(table.contact_id.in_(doomed)))
    removed = db.session.execute(delete(Contact).where(Contact.id.in_(
        select(Contact.id).where(mine, ~linked)))).rowcount or 0
    db.session.execute(update(Contact).where(mine).values(import_id=None))
    now = utcnow()
    restored = _restore_all(result.get("updated_contacts", []), imp, actor, now)
    org_ids = result.get("organization_ids", [])
    orgs_removed = 0
    if org_ids:
        unused = select(Organization.id).where(
            Organization.id.in_(org_ids),
            ~Organization.id.in_(select(Contact.organization_id)
                                 .where(Contact.organization_id.is_not(None))),
            ~Organization.id.in_(select(note_organizations.c.organization_id)),
            ~Organization.id.in_(select(Commitment.organization_id)
                                 .where(Commitment.organization_id.is_not(None))))
        orgs_removed = db.session.execute(delete(Organization).where(
            Organization.id.in_(unused.scalar_subquery()))).rowcount or 0
    summary = {"removed": removed, "kept": kept, "restored": restored,
               "organizations_removed": orgs_removed}
    data["undo"] = summary
    _save(imp, data)
    imp.undone_at = now
    record("contact.import_undo", f"Undid CSV import #{imp.id}: {removed} contacts removed, "
           f"{kept} kept (they have notes or links since), {restored} restored, "
           f"{orgs_removed} organizations removed", imp, actor)
    db.session.flush()
    return summary


def _restore_all(items: list[dict[str, Any]], imp: ContactImport, actor: User, now) -> int:
    """Put back what the import filled in on existing contacts, field by field where the field
    still holds what the import set (a later edit wins), with a few batched statements."""
    if not items:
        return 0
    current = _load_contacts([item["id"] for item in items])
    table = Contact.__table__
    batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    stances: list[dict[str, Any]] = []
    gone_emails: list[dict[str, Any]] = []
    gone_phones: list[dict[str, Any]] = []
    restored = 0
    for item in items:
        cid = item["id"]
        was = current.get(cid)
        if was is None:
            continue
        before, after = item["before"], item["after"]
        values = {f: before[f] for f, v in after.items() if f in before and was.get(f) == v}
        if "stance" in values or "influence" in values:
            values.setdefault("stance", was["stance"])
            values.setdefault("influence", was["influence"])
            if (values["stance"], values["influence"]) != (was["stance"], was["influence"]):
                stances.append({"contact_id": cid, "by_id": actor.id, "at": now,
                                "from_stance": Stance(was["stance"]),
                                "to_stance": Stance(values["stance"]),
                                "from_influence": Influence(was["influence"]),
                                "to_influence": Influence(values["influence"]),
                                "reason": f"CSV import #{imp.id} undone"})
        emails = [e for e in item["emails"] if e in was["emails"]]
        phones = [p for p in item["phones"] if p in was["phones"]]
        if not values and not emails and not phones:
            continue
        restored += 1
        gone_emails.extend({"b_cid": cid, "b_email": e} for e in emails)
        gone_phones.extend({"b_cid": cid, "b_number": p} for p in phones)
        new = {**was, **values}
        org_name = was["organization_name"]
        if "organization_id" in values and values["organization_id"] != was["organization_id"]:
            org_name = db.session.scalar(select(Organization.name).where(
                Organization.id == values["organization_id"])) if values["organization_id"] \
                else None
        new["emails"] = [e for e in was["emails"] if e not in emails]
        new["phones"] = [p for p in was["phones"] if p not in phones]
        values["search_text"] = _search_text(new, org_name)
        for field, cls in (("stance", Stance), ("influence", Influence), ("sphere", Sphere),
                           ("preferred_channel", Channel)):
            if values.get(field):
                values[field] = cls(values[field])
        values["updated_at"] = now
        values["b_id"] = cid
        batches.setdefault(tuple(sorted(values)), []).append(values)
    for params in batches.values():
        db.session.execute(update(table).where(table.c.id == bindparam("b_id")), params)
    emails_table, phones_table = ContactEmail.__table__, ContactPhone.__table__
    if gone_emails:
        db.session.execute(delete(emails_table).where(
            emails_table.c.contact_id == bindparam("b_cid"),
            emails_table.c.email == bindparam("b_email")), gone_emails)
    if gone_phones:
        db.session.execute(delete(phones_table).where(
            phones_table.c.contact_id == bindparam("b_cid"),
            phones_table.c.number == bindparam("b_number")), gone_phones)
    if stances:
        db.session.execute(insert(StanceChange.__table__), stances)
    return restored
