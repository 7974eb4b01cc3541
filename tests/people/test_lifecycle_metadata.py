"""Every foreign key to contacts.id and organizations.id, found by walking the metadata: a
merge moves each row to the record that stays (nothing is lost), and an import undo keeps
each imported contact or organization something links to. A table added tomorrow, in any
domain, is covered the day it is added: its rows are built generically from its columns."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest
from sqlalchemy import Enum, Table, and_, func, select
from sqlalchemy.sql.schema import Column

from app import create_app
from app.auth.models import Role
from app.database import utcnow
from app.extensions import db
from app.people import lifecycle
from app.people.contacts import load_contact
from app.people.imports import undo
from app.people.merge import merge_contacts, merge_organizations
from app.people.models import Contact, ContactImport, Organization
from tests import factories

# Rows that an import undo rightly removes along with the contact or organization they
# belong to: its own details, not something that links to it. Keep this list small.
UNDO_GOES_WITH_IT = {
    ("contact_emails", "contact_id"): "the contact's own email addresses",
    ("contact_phones", "contact_id"): "the contact's own phone numbers",
    ("stance_changes", "contact_id"): "the contact's own stance timeline",
    ("organization_stance_changes", "organization_id"): "the organization's own timeline",
}
# Nothing stays behind on a merge: every row moves to the record that stays.
MERGE_STAYS_BEHIND: dict[tuple[str, str], str] = {}


def references(target: str) -> list[tuple[Table, Column]]:
    """(table, column) for every foreign key to `target`.id in the metadata."""
    found = [(table, fk.parent) for table in db.metadata.sorted_tables
             for fk in table.foreign_keys
             if fk.column.table.name == target and fk.column.name == "id"]
    return sorted(found, key=lambda tc: (tc[0].name, tc[1].name))


class RowBuilder:
    """Inserts a valid row into any table: required columns get a value of their type,
    required foreign keys get a parent row built the same way."""

    def __init__(self) -> None:
        self._n = itertools.count(1)

    def value(self, column: Column):
        n = next(self._n)
        kind = column.type
        if isinstance(kind, Enum):
            return next(iter(kind.enum_class)) if kind.enum_class else kind.enums[0]
        python_type = getattr(kind, "impl", kind).python_type  # TypeDecorators: what they store
        if python_type is bool:
            return False
        if python_type is int:
            return n
        if python_type is float:
            return float(n)
        if python_type is str:
            return f"v{n}"[: getattr(kind, "length", None) or 40]
        if python_type is datetime:
            return utcnow()
        if python_type is date:
            return date(2026, 1, 1 + n % 28)
        if python_type in (dict, list):
            return python_type()
        raise AssertionError(f"no test value for {column.table.name}.{column.name} ({kind})")

    def insert(self, table: Table, **fixed) -> dict:
        values = dict(fixed)
        for column in table.columns:
            if column.name in values:
                continue
            fks = list(column.foreign_keys)
            required = not column.nullable and column.default is None \
                and column.server_default is None
            if fks:
                if required:
                    parent = fks[0].column
                    values[column.name] = self.insert(parent.table)[parent.name]
                continue
            if column.primary_key and column.autoincrement in (True, "auto") \
                    and column.type.python_type is int:
                continue
            if required:
                values[column.name] = self.value(column)
        result = db.session.execute(table.insert().values(values))
        keys = [c.name for c in table.primary_key.columns]
        return {**values, **dict(zip(keys, result.inserted_primary_key, strict=True))}


def _identity(table: Table, column: Column, row: dict) -> list:
    """How to find the row again after the merge changed `column`: its primary key
    without that column (or, for a link table keyed by it, the other columns we set)."""
    keys = [c for c in table.primary_key.columns if c.name != column.name]
    if not keys:
        keys = [table.c[name] for name in row if name != column.name]
    return [c == row[c.name] for c in keys]


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


def test_the_walk_finds_every_domain(app):
    """The metadata walk sees the links it must (so the tests below can't pass vacuously)."""
    contacts = {f"{t.name}.{c.name}" for t, c in references("contacts")}
    assert {"note_contacts.contact_id", "commitments.contact_id", "event_hosts.contact_id",
            "invitations.contact_id", "press_inquiries.contact_id", "tour_bookings.contact_id",
            "contact_emails.contact_id", "stance_changes.contact_id"} <= contacts
    orgs = {f"{t.name}.{c.name}" for t, c in references("organizations")}
    assert {"contacts.organization_id", "note_organizations.organization_id",
            "commitments.organization_id"} <= orgs
    every = {(t.name, c.name) for target in ("contacts", "organizations")
             for t, c in references(target)}
    assert set(UNDO_GOES_WITH_IT) <= every and set(MERGE_STAYS_BEHIND) <= every


@pytest.mark.parametrize("target", ["contacts", "organizations"])
def test_merge_moves_every_row_that_points_at_the_duplicate(app, target):
    if target == "contacts":
        keep, other = factories.make_contact(first_name="Keep"), factories.make_contact(
            first_name="Other")
    else:
        keep = factories.make_organization(name="Keep Org")
        other = factories.make_organization(name="Other Org")
    builder = RowBuilder()
    made = []
    for table, column in references(target):
        row = builder.insert(table, **{column.name: other.id})
        made.append((table, column, _identity(table, column, row)))
    db.session.commit()
    keep_id, other_id = keep.id, other.id
    before = _counts()

    if target == "contacts":
        merge_contacts(load_contact(keep_id), load_contact(other_id), None)
    else:
        merge_organizations(db.session.get(Organization, keep_id),
                            db.session.get(Organization, other_id), None)
    db.session.commit()

    after = _counts()
    assert after[target] == before[target] - 1
    lost = {name: (before[name], after[name]) for name in before
            if name != target and after[name] < before[name]}
    assert lost == {}, "a merge deleted rows"
    left = [f"{t.name}.{c.name}" for t, c, ident in made
            if (t.name, c.name) not in MERGE_STAYS_BEHIND and db.session.scalar(
                select(func.count()).select_from(t).where(and_(*ident, c == keep_id))) != 1]
    assert left == [], "rows that did not move to the record that stays"


def test_undo_keeps_every_imported_contact_and_organization_something_links_to(app):
    """And what links here lists each of them."""
    user = factories.make_user(role=Role.liaison)
    imp = ContactImport(filename="people.csv", rows={}, created_by_id=user.id,
                        confirmed_at=utcnow())
    db.session.add(imp)
    db.session.flush()
    builder = RowBuilder()
    linked_contacts, linked_orgs = {}, {}
    for table, column in references("contacts"):
        if (table.name, column.name) in UNDO_GOES_WITH_IT:
            continue
        contact = factories.make_contact(first_name=f"Linked from {table.name}")
        contact.import_id = imp.id
        db.session.flush()
        builder.insert(table, **{column.name: contact.id})
        linked_contacts[f"{table.name}.{column.name}"] = contact.id
    for table, column in references("organizations"):
        if (table.name, column.name) in UNDO_GOES_WITH_IT:
            continue
        org = factories.make_organization(name=f"Linked from {table.name}")
        builder.insert(table, **{column.name: org.id})
        linked_orgs[f"{table.name}.{column.name}"] = org.id
    lonely = factories.make_contact(first_name="Nobody links here")
    lonely.import_id = imp.id
    lonely_org = factories.make_organization(name="Nobody links here either")
    imp.rows = {"result": {"organization_ids": [*linked_orgs.values(), lonely_org.id],
                           "updated_contacts": []}}
    db.session.commit()
    lonely_id, lonely_org_id = lonely.id, lonely_org.id
    # Each is also listed as "what links here" (the delete and merge pages).
    unlisted = [name for name, cid in linked_contacts.items()
                if not lifecycle.links_to_contact(db.session.get(Contact, cid))]
    unlisted += [name for name, oid in linked_orgs.items()
                 if not lifecycle.links_to_organization(db.session.get(Organization, oid))]
    assert unlisted == [], "rows missing from what links here"

    summary = undo(db.session.get(ContactImport, imp.id), user)
    db.session.commit()

    assert db.session.get(Contact, lonely_id) is None  # undo still removes what it should
    assert db.session.get(Organization, lonely_org_id) is None
    gone = [name for name, cid in linked_contacts.items() if db.session.get(Contact, cid) is None]
    assert gone == [], "undo deleted contacts something links to"
    gone = [name for name, oid in linked_orgs.items()
            if db.session.get(Organization, oid) is None]
    assert gone == [], "undo deleted organizations something links to"
    why = {k["id"]: k["why"] for k in summary["kept_contacts"]}
    assert set(why) == set(linked_contacts.values()) and all(why.values())
    assert summary["kept"] == len(linked_contacts) and summary["removed"] == 1
    org_why = {k["id"]: k["why"] for k in summary["kept_organizations"]}
    assert set(org_why) == set(linked_orgs.values())


def test_receivers_connect_once_however_many_apps(app, app_config):
    create_app(app_config)
    create_app(app_config)
    receivers = lifecycle.contact_merged.receivers.values()
    names = [f"{r.__module__}.{r.__qualname__}" for r in receivers]
    assert sorted(names) == sorted(set(names))
    modules = {r.__module__ for r in receivers}
    assert {"app.notes.lifecycle", "app.events.lifecycle"} <= modules
    assert {"press_inquiries.contact_id", "tour_bookings.contact_id"} <= set(lifecycle.followed())
