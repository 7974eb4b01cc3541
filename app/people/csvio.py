"""CSV export that opens cleanly in Excel and LibreOffice: UTF-8 with a byte-order mark (so
Excel reads accents right), friendly headers, phones as people read them, and every cell
that could start a formula neutralized."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy import Select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.people import phones
from app.people.models import Contact

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")

# Without it Excel reads UTF-8 as the machine's legacy code page ("JosÃ©").
BOM = "\ufeff"

# The import reads these headers back (formats.GENERIC, formats.LIAISON).
EXPORT_COLUMNS = ["ID", "Name prefix", "First name", "Last name", "Name suffix", "Pronouns",
                  "Title", "Organization", "Sphere", "Stance", "Influence", "Emails", "Phones",
                  "Tags", "Owner", "Do not contact", "Media contact", "Beat", "Coverage area",
                  "Last contact"]


def neutralize(value: object) -> str:
    """A cell value a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


def _phones(c: Contact, region: str) -> str:
    # Numbers at home read as people dial them ("(312) 555-0100"), never "+13125550100",
    # which a spreadsheet takes for a formula. One from abroad keeps its "+44 …".
    return "; ".join(phones.format(p.number, region) for p in c.phones)


def _row(c: Contact, region: str) -> list[str]:
    return [str(c.id), c.name_prefix, c.first_name, c.last_name, c.name_suffix, c.pronouns,
            c.title, c.organization.name if c.organization else "",
            c.sphere.label if c.sphere else "", c.stance.label, c.influence.label,
            "; ".join(e.email for e in c.emails), _phones(c, region),
            ", ".join(c.tag_list), c.owner.name if c.owner else "",
            "yes" if c.do_not_contact else "", "yes" if c.is_media else "", c.beat,
            c.coverage_area, c.last_contact_on.isoformat() if c.last_contact_on else ""]


def write_rows(rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text, chunk by chunk, every cell neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralize(v) for v in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_contacts(query: Select) -> str:
    """Every contact `query` selects, as CSV text for a spreadsheet: a byte-order mark, a
    header row, a row per contact."""
    contacts = db.session.scalars(query.order_by(Contact.sort_name, Contact.id).options(
        joinedload(Contact.organization), joinedload(Contact.owner),
        selectinload(Contact.emails), selectinload(Contact.phones)))
    region = phones.region()
    rows: list[list[object]] = [EXPORT_COLUMNS]
    rows.extend(_row(c, region) for c in contacts)
    return BOM + "".join(write_rows(rows))
