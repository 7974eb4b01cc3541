"""CSV export (with spreadsheet formula injection neutralized) and CSV import parsing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.people.models import Contact, ContactEmail, ContactPhone

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS = ["id", "first_name", "last_name", "pronouns", "title", "organization",
                  "sphere", "stance", "influence", "emails", "phones", "tags", "owner",
                  "do_not_contact", "is_media", "beat", "coverage_area", "last_contact_on"]


def neutralize(value: object) -> str:
    """A cell value a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


def _row(c: Contact, emails: str | None, numbers: str | None) -> list[str]:
    return [str(c.id), c.first_name, c.last_name, c.pronouns, c.title,
            c.organization.name if c.organization else "",
            c.sphere.value if c.sphere else "", c.stance.value, c.influence.value,
            emails or "", numbers or "",
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
    """Every contact `query` selects, as CSV text (a header row first)."""
    # Emails and phones joined into each row by the database: one statement for the whole
    # export, however many contacts (batched loads would cost one more per 500).
    emails = _joined(ContactEmail.email, ContactEmail.contact_id, ContactEmail.id)
    numbers = _joined(ContactPhone.number, ContactPhone.contact_id, ContactPhone.id)
    contacts = db.session.execute(
        query.add_columns(emails, numbers).order_by(Contact.sort_name, Contact.id)
        .options(joinedload(Contact.organization), joinedload(Contact.owner)))
    rows: list[list[object]] = [EXPORT_COLUMNS]
    rows.extend(_row(c, e, n) for c, e, n in contacts)
    return "".join(write_rows(rows))
