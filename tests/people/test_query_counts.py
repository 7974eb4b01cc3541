"""SQL statements per page don't grow with the data: equal counts at 10 and 1,000 rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notes.models import Commitment, Note
from app.people.models import Contact, Organization
from tests import factories
from tests.conftest import page_query_counts

PAGES = ["/", "/people/", "/people/?q=person", "/people/?stance=ally&sort=recent",
         "/people/media", "/people/map", "/people/organizations/", "/notes/",
         "/notes/?q=coffee", "/notes/commitments/", "/notes/due", "/people/{contact}",
         "/people/{contact}/edit", "/people/organizations/{org}", "/notes/{note}",
         "/notes/new?contact={contact}", "/notes/commitments/new", "/people/new",
         "/people/tags", "/people/?tag=al", "/people/pick/contacts?field=c&c={contact}&c-q=person",
         "/people/pick/organizations?field=o&o-q=big", "/notes/{note}/edit"]


def _fill(n: int) -> dict:
    """n contacts in one organization, each with an email, a phone, a note (every third
    sensitive) and a commitment; made in bulk, as make_contact/make_note would one by one."""
    org = factories.make_organization(name="Big Org")
    contacts = factories.make_contacts(
        {"first_name": f"Person{i}", "organization_id": org.id, "emails": [f"p{i}@example.org"],
         "phones": ["+15555550100"], "stance": "ally", "is_media": i % 2 == 0}
        for i in range(n))
    factories.make_notes({"contacts": [c], "organizations": [org], "summary": "coffee chat",
                          "sensitive": i % 3 == 0} for i, c in enumerate(contacts))
    factories.make_commitments({"contact_id": c.id, "organization_id": org.id}
                               for c in contacts)
    db.session.commit()
    note = db.session.scalar(select(Note).where(Note.sensitive.is_(False)).limit(1))
    return {"contact": contacts[0].id, "org": org.id, "note": note.id}


@pytest.mark.parametrize("role", ["as_liaison", "as_staff"])
def test_query_counts_constant(request, role):
    client = request.getfixturevalue(role)
    small = page_query_counts(client, PAGES, _fill(10))
    _fill(990)
    ids = {"contact": db.session.scalar(select(Contact.id).limit(1)),
           "org": db.session.scalar(select(Organization.id).limit(1)),
           "note": db.session.scalar(select(Note.id).where(Note.sensitive.is_(False)).limit(1))}
    assert db.session.query(Commitment).count() == 1000
    big = page_query_counts(client, PAGES, ids)
    assert small == big
    assert max(big.values()) <= 12, big
