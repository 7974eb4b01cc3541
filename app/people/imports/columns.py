"""The fields a column of an upload can go to, the rules a column mapping must keep, and the
mappings remembered per set of headers (so next month's export from the same address book
maps itself).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import utcnow
from app.extensions import db, dialect
from app.people.models import ImportMapping

# How several columns going to one field combine:
ONE = "one"  # one column at most (a second is a mistake the mapping page points out)
MANY = "many"  # each column adds values (emails, phones, tags)
JOINED = "joined"  # the columns' text joined in order (an address split into street, city…)
FIRST = "first"  # the first column with a value in that row (a company, or an employer)
ANY = "any"  # a yes in any column (any opt-out means do not contact)


@dataclass(frozen=True)
class Target:
    """A field a column can go to, as the mapping page offers it."""

    key: str
    label: str
    group: str
    kind: str = ONE


TARGETS: tuple[Target, ...] = (
    Target("first_name", "First name", "Name"),
    Target("middle_name", "Middle name", "Name"),
    Target("last_name", "Last name", "Name"),
    Target("name", "Full name", "Name"),
    Target("name_prefix", "Name prefix (Rev., Dr.)", "Name"),
    Target("name_suffix", "Name suffix (Jr., PhD)", "Name"),
    Target("pronouns", "Pronouns", "Name"),
    Target("emails", "Email", "Reaching them", MANY),
    Target("phones", "Phone", "Reaching them", MANY),
    Target("address", "Address", "Reaching them", JOINED),
    Target("website", "Website", "Reaching them"),
    Target("preferred_channel", "Preferred way to reach them", "Reaching them"),
    Target("do_not_contact", "Do not contact", "Reaching them", ANY),
    Target("organization", "Organization", "Work", FIRST),
    Target("organization_type", "Organization type", "Work"),
    Target("title", "Job title or role", "Work"),
    Target("stance", "Stance", "Relationship"),
    Target("influence", "Influence", "Relationship"),
    Target("sphere", "Sphere", "Relationship"),
    Target("tags", "Tags", "Relationship", MANY),
    Target("source", "How we know them", "Relationship"),
    Target("background", "Background", "Relationship", JOINED),
    Target("is_media", "Journalist or media contact", "Media", ANY),
    Target("beat", "Beat", "Media"),
    Target("coverage_area", "Coverage area", "Media"),
    Target("approach_notes", "How they like to be approached", "Media"),
)

BY_KEY = {t.key: t for t in TARGETS}

# Each person needs a name: a row without one adds an organization, or is left out.
NAME_FIELDS = ("first_name", "name")


def header_key(header: str) -> str:
    """A header as matched: lower case, "-" and "_" as spaces, runs of spaces as one."""
    return " ".join(re.sub(r"[-_]", " ", header.strip().lower().lstrip("\ufeff")).split())


def headers_hash(headers: list[str]) -> str:
    """The key a mapping is remembered by: the normalized headers, in order."""
    joined = "\x1f".join(header_key(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


class MappingError(ValueError):
    """A column mapping that can't be used: messages by column index, and for the whole."""

    def __init__(self, columns: dict[int, str], general: list[str]) -> None:
        super().__init__("; ".join([*columns.values(), *general]))
        self.columns = columns
        self.general = general


def check(fields: list[str | None], headers: list[str]) -> None:
    """MappingError unless every field is one we know, a single-value field gets one column
    at most, and some column holds a name."""
    columns: dict[int, str] = {}
    general: list[str] = []
    if len(fields) != len(headers):
        raise MappingError({}, ["The columns changed since the page was shown. Upload the "
                                "file again."])
    claimed: dict[str, list[int]] = {}
    for index, key in enumerate(fields):
        if key is None:
            continue
        if key not in BY_KEY:
            columns[index] = "Choose a field from the list, or leave the column out."
            continue
        claimed.setdefault(key, []).append(index)
    for key, indexes in claimed.items():
        if BY_KEY[key].kind != ONE or len(indexes) < 2:
            continue
        names = " and ".join(f"“{headers[i][:40]}”" for i in indexes)
        for index in indexes:
            columns[index] = (f"Only one column can go to {BY_KEY[key].label.lower()}: "
                              f"{names} both do. Leave one out.")
    if not any(k in claimed for k in NAME_FIELDS):
        general.append("Choose the column that holds the first name (or the full name): "
                       "every person needs a name.")
    if columns or general:
        raise MappingError(columns, general)


def remembered(headers: list[str]) -> ImportMapping | None:
    """The mapping last confirmed for exactly these headers, if any."""
    return db.session.scalar(select(ImportMapping).where(
        ImportMapping.headers_hash == headers_hash(headers)))


def remember(headers: list[str], fields: list[str | None]) -> None:
    """Keep `fields` as the mapping for these headers (replacing an older choice). An upsert,
    so two people confirming the same headers at once don't collide."""
    values = {"headers_hash": headers_hash(headers), "fields": fields, "updated_at": utcnow()}
    insert = pg_insert if dialect() == "postgresql" else sqlite_insert
    statement = insert(ImportMapping).values(**values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["headers_hash"],
        set_={"fields": statement.excluded.fields, "updated_at": statement.excluded.updated_at}))
