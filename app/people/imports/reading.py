"""Reading an upload: its encoding, its rows of cells (from CSV, or from vCards), and each
row's values cleaned and checked once its columns are mapped to fields.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from app.people.contacts import normalize_email, normalize_tags
from app.people.imports import vcards
from app.people.imports.columns import ANY, BY_KEY, FIRST, MANY, header_key
from app.people.models import Channel, Influence, OrgType, Sphere, Stance
from app.people.phones import parse as parse_phone
from app.system.forms import clean_text

MAX_BYTES = 5 * 1024 * 1024

MAX_ROWS = 20_000

LENGTHS = {"first_name": 100, "last_name": 100, "name_prefix": 40, "name_suffix": 40,
           "pronouns": 40, "title": 200, "organization": 200, "address": 300,
           "website": 300, "source": 300, "beat": 200, "coverage_area": 200}

# Multi-line text (their line breaks kept), cut to TEXT_LIMIT rather than refused.
TEXT_FIELDS = ("background", "approach_notes")
TEXT_LIMIT = 5000

_YES = {"yes", "y", "true", "1", "x", "on"}

_NO = {"no", "n", "false", "0", "off", ""}

# Honorifics a full name may start with ("Rev. Rosa Delgado"): they go to the name prefix.
HONORIFICS = {"mr", "mrs", "ms", "mx", "miss", "dr", "rev", "fr", "sr", "br", "hon", "prof",
              "pastor", "rabbi", "imam", "sister", "father", "judge", "councilmember",
              "commissioner", "sen", "rep", "chief", "capt", "sgt", "officer", "deacon",
              "bishop", "reverend", "honorable", "doctor"}

# Address books' own groups, which say nothing about a person: Google's "* myContacts" and
# "* starred" (a leading "*" marks a system group), the same names in its Outlook-style
# export, and the groups Google makes for each import.
_SYSTEM_GROUP = re.compile(r"^(\*.*|my ?contacts|starred|other contacts|imported on .*)$", re.I)

# Several values in one cell: Google separates them with " ::: ".
_MULTI = re.compile(r"\s*:::\s*|[;\n]")

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


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Parsed:
    """An upload read into cells: its headers, its rows (the row's number as a spreadsheet
    shows it, or the card's, and its cells), rows that couldn't be read at all (number,
    message), and what kind of file it was."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    broken: list[tuple[int, str]]
    kind: str  # "csv" or "vcard"


def parse(text: str) -> Parsed:
    """Rows of cells with their headers: a vCard file's cards, or a CSV's rows."""
    text = text.replace("\x00", "")
    if vcards.looks_like_vcard(text):
        rows, broken = vcards.read(text, MAX_ROWS)
        if len(rows) + len(broken) > MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} cards. Split it into "
                                  "smaller files and import each.")
        if not rows and not broken:
            raise ImportFileError("The file has no contact cards in it.")
        return Parsed(list(vcards.HEADERS), rows, broken, "vcard")
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportFileError("The first row should name the columns (First name, Last "
                                  "name, Email, …), but it is empty.")
        if len(header) > 500:
            raise ImportFileError("The first row has more than 500 columns. Is this a "
                                  "contacts file?")
        rows = []
        # A row's number is where a spreadsheet shows it (the header is row 1), whatever
        # line breaks its cells hold.
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                # Keep one stray cell, if any holds text, for the row's problem.
                cells = cells[:len(header)] + [c for c in cells[len(header):] if c.strip()][:1]
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows. Split it "
                                      "into smaller files and import each.")
    except csv.Error as exc:
        raise ImportFileError(f"We couldn't read this as CSV (near line {reader.line_num}: "
                              f"{exc}). Check the file is saved as CSV.") from exc
    if not rows:
        raise ImportFileError("The file has a header row but no contacts under it.")
    headers = [h.strip().lstrip("\ufeff")[:100] for h in header]
    return Parsed(headers, rows, [], "csv")


def one_line(value: str) -> str:
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
            table[header_key(member.label)] = member
            table[header_key(member.value)] = member
        _CHOICES[enum_cls] = table
    return table.get(header_key(value))


def _yes_no(value: str) -> bool | None:
    key = value.strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def _items(cells: list[str], pattern: re.Pattern = _MULTI) -> list[str]:
    return [one_line(part) for cell in cells for part in pattern.split(cell)
            if part and part.strip()]


def _address(cells: list[str]) -> str:
    """Address parts (street, city, …) as one line; a part's own lines become commas."""
    parts = []
    for cell in cells:
        parts.extend(one_line(line) for line in re.split(r"[\r\n]+", cell) if line.strip())
    return ", ".join(p.strip(" ,") for p in parts if p.strip(" ,"))


def split_tags(cells: list[str]) -> str:
    """Tags from label and category cells ("* myContacts ::: Neighbors" → "neighbors"),
    without the address book's own system groups."""
    items = _items(cells, re.compile(r"\s*:::\s*|[;,\n]"))
    return normalize_tags([t for t in items if not _SYSTEM_GROUP.match(t.strip())])


def _split_name(full: str) -> tuple[str, str, str]:
    """(prefix, first, last) from a full name: "Rev. Rosa Delgado Ruiz" gives ("Rev.",
    "Rosa", "Delgado Ruiz")."""
    words = full.split()
    prefix = ""
    if len(words) > 2 and words[0].rstrip(".").lower() in HONORIFICS:
        prefix, words = words[0], words[1:]
    if not words:
        return prefix, "", ""
    return prefix, words[0], " ".join(words[1:])


def _email(item: str) -> str:
    # "Rosa Delgado <rosa@example.org>", as some address books write one.
    match = re.fullmatch(r"[^<>]*<([^<>\s]+@[^<>\s]+)>\s*", item)
    return match.group(1) if match else item


def clean_row(columns: list[str | None], cells: list[str], region: str | None = None
              ) -> tuple[dict[str, Any], list[str], list[str]]:
    """One row's values, normalized, with its problems (which block the import) and notes
    (worth a look), as sentences for the preview. `columns` holds each column's field;
    phone numbers without a country code are read in `region` (the organization's when
    None: pass it when cleaning many rows, it is a settings lookup)."""
    raw: dict[str, list[str]] = {}
    for target, cell in zip(columns, cells, strict=False):
        if target:
            raw.setdefault(target, []).append(_unquote(cell.replace("\x00", "")))
    errors: list[str] = []
    notes: list[str] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
        errors.append("This row has more cells than the header has columns.")
    values: dict[str, Any] = {}
    for target, items in raw.items():
        kind = BY_KEY[target].kind
        if kind == MANY or target == "address" or target in TEXT_FIELDS:
            continue
        present = [one_line(i) for i in items if i.strip()]
        if kind == FIRST:
            values[target] = present[0] if present else ""
        elif kind == ANY:
            values[target] = next((p for p in present if _yes_no(p) is not False), "")
        else:
            values[target] = " ".join(present)
    values["address"] = _address(raw.get("address", []))
    for target in TEXT_FIELDS:
        text = "\n\n".join(clean_text(i) for i in raw.get(target, []) if i.strip())
        if len(text) > TEXT_LIMIT:
            notes.append(f"{BY_KEY[target].label.split(' (')[0]} was cut to its first "
                         f"{TEXT_LIMIT:,} characters.")
            text = text[:TEXT_LIMIT].rstrip()
        values[target] = text
    if values.get("name"):
        prefix, first, last = _split_name(values["name"])
        if not values.get("first_name") and not values.get("last_name"):
            values["first_name"], values["last_name"] = first, last
            if prefix and not values.get("name_prefix"):
                values["name_prefix"] = prefix
    values.pop("name", None)
    middle = values.pop("middle_name", "")
    if middle and values.get("first_name"):
        values["first_name"] = f"{values['first_name']} {middle}"
    values.setdefault("first_name", "")
    values.setdefault("last_name", "")
    if not values["first_name"] and not values["last_name"]:
        # No person here: an organization's own row, or a card with only a number.
        values["kind"] = "organization" if values.get("organization") else "skip"
    else:
        values["kind"] = "person"
        if not values["first_name"]:
            errors.append("First name is missing.")
    for target, limit in LENGTHS.items():
        if len(values.get(target) or "") > limit:
            errors.append(f"{target.replace('_', ' ').capitalize()} is longer than "
                          f"{limit} characters.")
            values[target] = values[target][:limit]
    emails = []
    for item in _items([c.replace(",", ";") for c in raw.get("emails", [])]):
        if item.startswith("/o="):
            notes.append("Left out an Exchange directory address (not an email address).")
            continue
        try:
            emails.append(check_email(_email(item)))
        except ValueError:
            errors.append(f"“{item[:60]}” isn't an email address.")
    values["emails"] = list(dict.fromkeys(emails))
    phones = []
    for item in _items(raw.get("phones", [])):
        try:
            phones.append(parse_phone(item[:40], region))
        except ValueError:
            errors.append(f"“{item[:40]}” isn't a phone number we can read. Include the area "
                          "code.")
    values["phones"] = list(dict.fromkeys(phones))
    values["tags"] = split_tags(raw.get("tags", []))
    if len(values["tags"]) > 500:
        errors.append("Tags are longer than 500 characters in all.")
        values["tags"] = ""
    for target, enum_cls in (("stance", Stance), ("influence", Influence), ("sphere", Sphere),
                             ("preferred_channel", Channel), ("organization_type", OrgType)):
        text = values.get(target)
        if not text:
            values[target] = None
            continue
        member = _choice(enum_cls, text)
        if member is None:
            names = ", ".join(getattr(m, "label", m.value) for m in enum_cls)
            errors.append(f"{target.replace('_', ' ').capitalize()} “{text[:40]}” isn't one "
                          f"we know. Use one of: {names}.")
        values[target] = member.value if member else None
    for target in ("do_not_contact", "is_media"):
        text = values.get(target) or ""
        flag = _yes_no(text)
        if flag is None:
            errors.append(f"{'Do not contact' if target == 'do_not_contact' else 'Media'} "
                          f"should be yes or no, not “{text[:20]}”.")
        values[target] = bool(flag)
    if values["kind"] == "skip":
        # Left out whatever else it holds: its problems can't block the others.
        errors = []
    elif values["kind"] == "organization" and (len(values["emails"]) > 1
                                               or len(values["phones"]) > 1):
        notes.append("An organization keeps one email and one phone: the first of each.")
    return values, errors, notes
