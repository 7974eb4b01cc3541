"""The harness itself works: the database per test and the real SMTP server."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from tests.factories import make_user


def test_each_test_gets_an_empty_database(app):
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    make_user()
    db.session.commit()


def test_smtp_server_receives_and_parses(smtp_server):
    message = EmailMessage()
    message["From"] = "liaison@example.org"
    message["To"] = "ally@example.org"
    message["Subject"] = "Hello ✓"
    message.set_content("Body text")
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as smtp:
        smtp.send_message(message)
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "Hello ✓"
    assert received.get_content().strip() == "Body text"


def _rows_about(contacts, notes, commitments, org) -> dict:
    """What the database holds about these rows, with their own ids and timestamps replaced
    by their position in the lists (so two equal sets made apart compare equal)."""
    from app.audit.models import AuditEvent
    from app.notes.models import Commitment, Note, note_contacts, note_organizations
    from app.people.models import Contact, ContactEmail, ContactPhone, StanceChange

    where = {"contacts": [c.id for c in contacts], "notes": [n.id for n in notes],
             "commitments": [c.id for c in commitments]}
    position = {(table, i): k for table, ids in where.items() for k, i in enumerate(ids)}
    position[("organizations", org.id)] = "org"
    refs = {"contact_id": "contacts", "note_id": "notes", "organization_id": "organizations"}

    def plain(row, table: str) -> dict:
        out = {}
        for key, value in row._mapping.items():
            if key in ("id", "created_at", "updated_at", "at"):
                continue
            if key in refs and value is not None:
                value = position[(refs[key], value)]
            out[key] = value
        if table == "audit_events":
            out["object_id"] = position[(out["object_type"], row.object_id)]
            out["summary"] = out["summary"].replace(f"#{row.object_id}", "#<id>")
        return out

    def rows(model, column, ids, table, order):
        found = db.session.execute(select(model).where(column.in_(ids)).order_by(*order))
        return [plain(r, table) for r in found]

    def table(model):
        return getattr(model, "__table__", model)

    out = {}
    for model, column, key in [
        (Contact, "id", "contacts"), (ContactEmail, "contact_id", "contacts"),
        (ContactPhone, "contact_id", "contacts"), (StanceChange, "contact_id", "contacts"),
        (Note, "id", "notes"), (note_contacts, "note_id", "notes"),
        (note_organizations, "note_id", "notes"), (Commitment, "id", "commitments"),
    ]:
        t = table(model)
        # Rows come back in the order of the objects they belong to, then as written.
        order = [sa.case({i: k for k, i in enumerate(where[key])}, value=t.c[column]),
                 *[c for c in t.primary_key.columns]]
        out[t.name] = rows(t, t.c[column], where[key], t.name, order)
    audit = AuditEvent.__table__
    out["audit_events"] = [
        plain(r, "audit_events") for r in db.session.execute(
            select(audit).where(sa.or_(*[
                (audit.c.object_type == name) & audit.c.object_id.in_(ids)
                for name, ids in where.items()])).order_by(audit.c.id))]
    out["search documents"] = [_search_document(c.id) for c in contacts]
    return out


def _search_document(contact_id: int) -> tuple:
    """The words the people search finds a contact by (its text; its ordinary and its
    sensitive notes), as the database's own index holds them."""
    if db.engine.dialect.name == "postgresql":
        return tuple(db.session.execute(sa.text(
            "SELECT own, notes, private FROM contact_docs_fts WHERE contact_id = :id"),
            {"id": contact_id}).one())
    own = db.session.execute(sa.text(
        "SELECT own, notes FROM contact_docs_fts WHERE rowid = :id"), {"id": contact_id}).one()
    private = db.session.scalar(sa.text(
        "SELECT notes FROM contact_private_fts WHERE rowid = :id"), {"id": contact_id})
    return (*own, private or "")


def test_bulk_factories_write_what_the_one_by_one_ones_do(app):
    """make_contacts/make_notes/make_commitments (the query-count fixtures' bulk path) leave
    the same rows, links, audit records and search documents as make_contact, make_note and
    make_commitment do one at a time."""
    from datetime import date

    from tests import factories

    author = make_user()

    def people(org):
        return [
            {"first_name": "Ana", "last_name": "Uno", "organization_id": org.id,
             "emails": ["Ana@Example.org", "ana@example.org", "ana@work.example"],
             "phones": ["+15555550100"], "stance": "ally", "tags": "Faith; neighbors",
             "is_media": True, "title": "", "beat": "health"},
            {"first_name": "Ben", "last_name": "", "influence": "high", "pronouns": "he/him"},
            {"first_name": "Cy", "last_name": "Tres", "do_not_contact": True,
             "stance": "challenger", "keep_in_touch_days": 30, "phones": ["+442079460000"]},
        ]

    def notes(contacts, org):
        return [
            {"contacts": [contacts[0], contacts[1]], "organizations": [org],
             "summary": "Quokka sighting", "occurred_on": date(2026, 3, 1)},
            {"contacts": [contacts[0]], "summary": "Private worry", "sensitive": True,
             "occurred_on": date(2026, 1, 1), "body": "More words"},
            {"contacts": [contacts[2]], "author": author, "channel": "call"},
        ]

    def commitments(contacts, org):
        return [{"contact_id": contacts[0].id, "organization_id": org.id, "what": "Call back"},
                {"contact_id": contacts[2].id}]

    made = []
    for bulk in (False, True):
        org = factories.make_organization(name="Same Org")
        if bulk:
            contacts = factories.make_contacts(people(org))
            written = factories.make_notes(notes(contacts, org))
            promised = factories.make_commitments(commitments(contacts, org))
        else:
            contacts = [factories.make_contact(**row) for row in people(org)]
            written = [factories.make_note(row.pop("contacts"), row.pop("organizations", ()),
                                           **row) for row in notes(contacts, org)]
            promised = [factories.make_commitment(**row) for row in commitments(contacts, org)]
        db.session.commit()
        made.append(_rows_about(contacts, written, promised, org))
    one_by_one, in_bulk = made
    assert one_by_one["search documents"][0][0]  # the comparison compares something
    assert in_bulk == one_by_one


def test_a_browser_test_without_the_browser_mark_is_refused():
    """The collection hook's rule: a test using Chromium, or living in tests/browser/, needs
    the mark (else `-m "not browser"` would run it); a live server alone is no browser."""
    from types import SimpleNamespace

    from tests.conftest import BROWSER_DIR, unmarked_browser_tests

    def item(nodeid, fixtures, marks=(), path=__file__):
        return SimpleNamespace(nodeid=nodeid, fixturenames=fixtures, path=path,
                               iter_markers=lambda: [SimpleNamespace(name=m) for m in marks])

    items = [item("page", ["app", "page", "browser"]), item("no_js", ["no_js", "browser"]),
             item("in tests/browser", ["app"], path=BROWSER_DIR / "test_x.py"),
             item("marked", ["page", "browser"], marks=["browser"]),
             item("live server", ["app", "live_server"]), item("plain", ["client"])]
    assert unmarked_browser_tests(items) == ["page", "no_js", "in tests/browser"]
