"""The address books people really export from, recognized by their headers, and the field
each of their columns goes to unless the person says otherwise.

The header sets are those the tools write: Google Contacts (today's export and the older
"Google CSV"), Outlook (outlook.com and new Outlook, and the classic desktop wizard), a
CiviCRM contact export ("Export all fields"), our own export, and vCards (see vcards.py).
Anything else is matched column by column by the names in GENERIC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.people.imports.columns import BY_KEY, ONE, header_key
from app.people.imports.vcards import VCARD_COLUMNS

# Plain column names, for a spreadsheet someone made (and for the extra columns of a known
# format): normalized header → field.
GENERIC: dict[str, str] = {
    **dict.fromkeys(("first name", "firstname", "given name", "first", "forename"),
                    "first_name"),
    **dict.fromkeys(("middle name", "middle", "additional name"), "middle_name"),
    **dict.fromkeys(("last name", "lastname", "surname", "family name", "last"), "last_name"),
    **dict.fromkeys(("name", "full name", "contact name", "contact"), "name"),
    **dict.fromkeys(("prefix", "name prefix", "honorific", "salutation"), "name_prefix"),
    **dict.fromkeys(("suffix", "name suffix"), "name_suffix"),
    **dict.fromkeys(("email", "emails", "e mail", "email address", "email addresses",
                     "e mail address", "email 2", "email 3", "work email", "personal email",
                     "other email"), "emails"),
    **dict.fromkeys(("phone", "phones", "phone number", "phone numbers", "telephone",
                     "mobile", "mobile phone", "cell", "cell phone", "work phone",
                     "home phone", "phone 2", "other phone"), "phones"),
    **dict.fromkeys(("organization", "organisation", "organization name", "company", "org",
                     "employer", "agency", "outlet"), "organization"),
    **dict.fromkeys(("organization type", "organisation type", "org type"),
                    "organization_type"),
    **dict.fromkeys(("title", "job title", "role", "position"), "title"),
    "pronouns": "pronouns",
    "stance": "stance",
    "influence": "influence",
    "sphere": "sphere",
    **dict.fromkeys(("tags", "tag", "labels", "groups", "categories"), "tags"),
    **dict.fromkeys(("address", "mailing address", "street address"), "address"),
    **dict.fromkeys(("website", "web", "url", "web site", "web page"), "website"),
    **dict.fromkeys(("source", "how we know them", "how we met"), "source"),
    **dict.fromkeys(("preferred channel", "preferred way to reach them", "channel"),
                    "preferred_channel"),
    **dict.fromkeys(("do not contact", "dnc", "do not email"), "do_not_contact"),
    **dict.fromkeys(("is media", "media", "journalist", "media contact"), "is_media"),
    "beat": "beat",
    "coverage area": "coverage_area",
    **dict.fromkeys(("how they like to be approached", "approach notes"), "approach_notes"),
    **dict.fromkeys(("notes", "note", "background", "comments"), "background"),
}


@dataclass(frozen=True)
class Format:
    """An address book's export: how to recognize it, and its columns' fields. `columns`
    maps a normalized header to a field, or to None for a column best left out even though
    GENERIC knows its name; `patterns` match numbered columns ("E-mail 2 - Value")."""

    key: str
    label: str
    recognize: Callable[[set[str]], bool]
    columns: dict[str, str | None] = field(default_factory=dict)
    patterns: tuple[tuple[str, str], ...] = ()


_GOOGLE_COMMON = {
    "name prefix": "name_prefix", "name suffix": "name_suffix", "notes": "background",
    "address 1 formatted": "address", "website 1 value": "website",
    # The label columns say what kind of email or phone the next column holds.
    "nickname": None, "file as": None,
}
_GOOGLE_PATTERNS = ((r"e mail \d+ value", "emails"), (r"phone \d+ value", "phones"))

GOOGLE = Format(
    "google", "a Google Contacts export",
    lambda keys: "labels" in keys and bool(keys & {"e mail 1 value", "phone 1 value"}),
    {**_GOOGLE_COMMON, "first name": "first_name", "middle name": "middle_name",
     "last name": "last_name", "organization name": "organization",
     "organization title": "title", "organization department": None, "labels": "tags"},
    _GOOGLE_PATTERNS)

GOOGLE_LEGACY = Format(
    "google_legacy", "a Google Contacts export (the older “Google CSV”)",
    lambda keys: "group membership" in keys and bool(keys & {"e mail 1 value",
                                                              "phone 1 value"}),
    {**_GOOGLE_COMMON, "name": "name", "given name": "first_name",
     "additional name": "middle_name", "family name": "last_name",
     "organization 1 name": "organization", "organization 1 title": "title",
     "group membership": "tags", "location": None, "occupation": None},
    _GOOGLE_PATTERNS)

_OUTLOOK_PHONES = ("business phone", "business phone 2", "home phone", "home phone 2",
                   "mobile phone", "other phone", "primary phone", "car phone", "callback",
                   "radio phone", "tty/tdd phone")
_OUTLOOK_ADDRESS = ("business street", "business street 2", "business street 3",
                    "business city", "business state", "business postal code",
                    "business country/region", "business country")
OUTLOOK = Format(
    "outlook", "an Outlook export",
    lambda keys: "e mail address" in keys and bool(keys & {"business phone", "mobile phone",
                                                           "job title"}),
    {"title": "name_prefix", "first name": "first_name", "middle name": "middle_name",
     "last name": "last_name", "suffix": "name_suffix", "company": "organization",
     "job title": "title", "web page": "website", "personal web page": None,
     "categories": "tags", "notes": "background", "location": None,
     **dict.fromkeys(_OUTLOOK_PHONES, "phones"),
     **dict.fromkeys(_OUTLOOK_ADDRESS, "address"),
     # Someone else's numbers, or no voice at all.
     **dict.fromkeys(("assistant's phone", "company main phone", "business fax", "home fax",
                      "other fax", "pager", "telex", "isdn"), None)},
    ((r"e mail( \d)? address", "emails"),))

CIVICRM = Format(
    "civicrm", "a CiviCRM contact export",
    lambda keys: "contact id" in keys and bool(keys & {"contact type", "display name",
                                                       "sort name"}),
    {"first name": "first_name", "middle name": "middle_name", "last name": "last_name",
     "individual prefix": "name_prefix", "individual suffix": "name_suffix",
     "job title": "title", "current employer": "organization",
     "organization name": "organization", "email": "emails", "phone": "phones",
     "street address": "address", "supplemental address 1": "address",
     "supplemental address 2": "address", "supplemental address 3": "address",
     "city": "address", "state": "address", "postal code": "address", "country": "address",
     "website": "website", "contact source": "source", "tag(s)": "tags",
     "group(s)": "tags", "note(s)": "background",
     # Opting out of email or of mailings leaves them out of every invitation here.
     "do not email": "do_not_contact", "no bulk emails (user opt out)": "do_not_contact",
     "display name": None, "sort name": None, "nickname": None, "legal name": None,
     "household name": None, "addressee": None},
)

LIAISON = Format(
    "liaison", "an export from Liaison",
    lambda keys: {"stance", "influence", "owner"} <= keys,
    {"id": None, "owner": None, "last contact": None, "last contact on": None})

VCARD = Format("vcard", "a vCard file (from a phone or Apple Contacts)", lambda keys: False,
               {header_key(h): f for h, f in VCARD_COLUMNS})

GENERIC_FORMAT = Format("generic", "a spreadsheet (columns matched by their names)",
                        lambda keys: True)

FORMATS = (GOOGLE, GOOGLE_LEGACY, OUTLOOK, CIVICRM, LIAISON, GENERIC_FORMAT)
_BY_KEY = {f.key: f for f in (*FORMATS, VCARD)}


def by_key(key: str | None) -> Format:
    """A format by the key an upload was staged with (a spreadsheet's if unknown)."""
    return _BY_KEY.get(key or "", GENERIC_FORMAT)


def recognize(headers: list[str]) -> Format:
    """The export these headers come from (GENERIC_FORMAT when none is recognized)."""
    keys = {header_key(h) for h in headers}
    return next(f for f in FORMATS if f.recognize(keys))


def _field(fmt: Format, key: str) -> str | None:
    if key in fmt.columns:
        return fmt.columns[key]
    for pattern, target in fmt.patterns:
        if re.fullmatch(pattern, key):
            return target
    return GENERIC.get(key)


def suggest(fmt: Format, headers: list[str]) -> list[str | None]:
    """The field for each column: the format's, else by name. A single-value field goes to
    its first column only (the others are left out, for the person to decide), and when a
    "Job title" column exists, a plain "Title" is the honorific (Outlook's meaning)."""
    keys = [header_key(h) for h in headers]
    fields = [_field(fmt, k) for k in keys]
    if "job title" in keys:
        fields = ["name_prefix" if k == "title" and f == "title" else f
                  for k, f in zip(keys, fields, strict=True)]
    taken: set[str] = set()
    for index, target in enumerate(fields):
        if target is None:
            continue
        if BY_KEY[target].kind == ONE:
            if target in taken:
                fields[index] = None
            taken.add(target)
    return fields
