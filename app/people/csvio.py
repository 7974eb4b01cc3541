"""CSV export that opens cleanly in Excel and LibreOffice: UTF-8 with a byte-order mark (so
Excel reads accents right), friendly headers, phones as people read them, and every cell
that could start a formula neutralized."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.people import phones
from app.people.models import Contact, ContactEmail, ContactPhone

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


def _phones(numbers: str | None, region: str) -> str:
    # Numbers at home read as people dial them ("(312) 555-0100"), never "+13125550100",
    # which a spreadsheet takes for a formula. One from abroad keeps its "+44 …".
    return "; ".join(phones.format(n, region) for n in (numbers or "").split("; ") if n)


def _row(c: Contact, emails: str | None, numbers: str | None, region: str) -> list[str]:
    return [str(c.id), c.name_prefix, c.first_name, c.last_name, c.name_suffix, c.pronouns,
            c.title, c.organization.name if c.organization else "",
            c.sphere.label if c.sphere else "", c.stance.label, c.influence.label,
            emails or "", _phones(numbers, region),
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


def _joined(value, contact_id, order):
    """A contact's values (emails or numbers) as one "; "-separated string, in entry order."""
    ordered = select(value.label("v")).where(contact_id == Contact.id).order_by(order) \
        .correlate(Contact).subquery()
    return select(func.aggregate_strings(ordered.c.v, "; ")).scalar_subquery()


def export_contacts(query: Select) -> str:
    """Every contact `query` selects, as CSV text for a spreadsheet: a byte-order mark, a
    header row, a row per contact."""
    # Emails and phones joined into each row by the database: one statement for the whole
    # export, however many contacts (batched loads would cost one more per 500).
    emails = _joined(ContactEmail.email, ContactEmail.contact_id, ContactEmail.id)
    numbers = _joined(ContactPhone.number, ContactPhone.contact_id, ContactPhone.id)
    contacts = db.session.execute(
        query.add_columns(emails, numbers).order_by(Contact.sort_name, Contact.id)
        .options(joinedload(Contact.organization), joinedload(Contact.owner)))
    region = phones.region()
    rows: list[list[object]] = [EXPORT_COLUMNS]
    rows.extend(_row(c, e, n, region) for c, e, n in contacts)
    return BOM + "".join(write_rows(rows))
