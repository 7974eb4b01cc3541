"""People test data: organizations and contacts, one at a time through the real services, or
hundreds at once in bulk INSERTs that write the same rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select

from app.audit.services import record
from app.extensions import db
from tests.factories.sequence import next_n


def make_organization(**overrides):
    from app.people.contacts import save_organization
    from app.people.models import OrgType

    values = {"name": f"Organization {next_n()}", "type": OrgType.social_service}
    values.update(overrides)
    return save_organization(None, values, None)


def _contact_data(overrides: Mapping[str, Any]):
    from app.people.contacts import ContactData

    values = {"first_name": "Person", "last_name": f"Number{next_n()}"}
    values.update(overrides)
    return ContactData(**values)


def make_contact(**overrides):
    from app.people.contacts import create_contact

    return create_contact(_contact_data(overrides), None)


def make_contacts(rows: Iterable[Mapping[str, Any]]) -> list:
    """Many contacts, each as make_contact(**row) adds it (the same columns, emails, phones,
    first stance entry and audit record; the database's triggers build their search
    documents), in one INSERT per table instead of a dozen statements a contact.
    tests/test_harness.py proves the rows match make_contact's."""
    from app.people.contacts import build_search_text, normalize_email, normalize_tags
    from app.people.models import Contact, ContactEmail, ContactPhone, Organization, StanceChange

    datas = [_contact_data(row) for row in rows]
    if not datas:
        return []
    org_ids = {d.organization_id for d in datas if d.organization_id}
    org_names = dict(db.session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))
    ).all()) if org_ids else {}
    contact_rows, addresses, numbers = [], [], []
    for data in datas:
        # What people.contacts.apply_contact_data sets: blank strings stored as NULL, tags,
        # sort name and search text derived, emails normalized, duplicates dropped.
        row = {f.name: getattr(data, f.name) for f in fields(data)
               if f.name not in ("emails", "phones")}
        row = {k: None if v == "" else v for k, v in row.items()}
        row["last_name"] = data.last_name or ""
        row["tags"] = normalize_tags(data.tags or "")
        row["sort_name"] = f"{row['last_name']} {data.first_name}".strip().lower()
        emails = list(dict.fromkeys(normalize_email(e) for e in data.emails or [] if e))
        phones = list(dict.fromkeys(data.phones or []))
        row["search_text"] = build_search_text(
            SimpleNamespace(**row), org_names.get(data.organization_id), emails, phones)
        contact_rows.append(row)
        addresses.append(emails)
        numbers.append(phones)
    contacts = db.session.scalars(
        insert(Contact).returning(Contact, sort_by_parameter_order=True), contact_rows).all()
    emails = [{"contact_id": c.id, "email": e}
              for c, mails in zip(contacts, addresses, strict=True) for e in mails]
    phones = [{"contact_id": c.id, "number": p}
              for c, nums in zip(contacts, numbers, strict=True) for p in nums]
    if emails:
        db.session.execute(insert(ContactEmail), emails)
    if phones:
        db.session.execute(insert(ContactPhone), phones)
    db.session.execute(insert(StanceChange), [
        {"contact_id": c.id, "by_id": None, "from_stance": None, "to_stance": c.stance,
         "from_influence": None, "to_influence": c.influence, "reason": "Added"}
        for c in contacts])
    for c in contacts:
        record("contact.create", f"Added contact {c.name} (#{c.id})", c, None)
    db.session.flush()
    return contacts
