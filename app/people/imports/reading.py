"""Reading an upload: its encoding, its CSV cells, which column is which field, and each
row's values cleaned and checked.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from app.people.contacts import normalize_email, normalize_tags, split_lines
from app.people.models import Channel, Influence, OrgType, Sphere, Stance
from app.people.phones import parse as parse_phone

MAX_BYTES = 5 * 1024 * 1024

MAX_ROWS = 20_000

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
        values[field] = one_line(" ".join(i for i in items if i.strip()))
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
        item = one_line(item)
        try:
            emails.append(check_email(item))
        except ValueError:
            errors.append(f"“{item[:60]}” isn't an email address.")
    values["emails"] = list(dict.fromkeys(emails))
    phones = []
    for item in re.split(r"[;\n]", "\n".join(raw.get("phones", []))):
        item = one_line(item)
        if not item:
            continue
        try:
            phones.append(parse_phone(item[:40]))
        except ValueError:
            errors.append(f"“{item[:40]}” isn't a phone number we can read. Include the area "
                          "code.")
    values["phones"] = list(dict.fromkeys(phones))
    values["tags"] = normalize_tags(one_line(" , ".join(raw.get("tags", []))))
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
