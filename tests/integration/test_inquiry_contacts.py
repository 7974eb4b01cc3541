"""Press inquiries and contacts: the liaison links the journalist (adding them, with their
outlet, when new); both pages link to each other; the public form never creates contacts."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.people.contacts import load_contact
from app.people.merge import merge_contacts
from app.people.models import Contact, Organization, OrgType, Sphere
from app.press.forms import inquiry_token
from app.press.models import Inquiry
from tests import factories
from tests.factories import deadline_at_noon, make_inquiry


def test_public_inquiry_never_creates_a_contact(client):
    deadline = deadline_at_noon(days=1).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/press/inquiries", data={
        "name": "Jo Reporter", "outlet": "The Ledger", "email": "jo@ledger.example",
        "phone": "", "deadline": deadline, "topic": "Budget vote",
        "form_token": inquiry_token()})
    assert response.status_code == 303
    assert db.session.query(Inquiry).count() == 1
    assert db.session.query(Contact).count() == 0
    assert db.session.query(Organization).count() == 0


def test_liaison_adds_the_journalist_with_their_outlet(as_liaison):
    iid = make_inquiry(journalist_name="Jo Reporter", journalist_email="Jo@Ledger.example",
                       journalist_phone="+15555550177", outlet="The Ledger",
                       topic="Budget vote").id
    db.session.commit()
    page = as_liaison.get(f"/press/manage/inquiries/{iid}").get_data(as_text=True)
    assert "Add to media contacts" in page
    assert as_liaison.post(f"/press/manage/inquiries/{iid}/contact").status_code == 303
    inquiry = db.session.get(Inquiry, iid)
    contact = load_contact(inquiry.contact_id)
    assert contact.name == "Jo Reporter" and contact.is_media
    assert [e.email for e in contact.emails] == ["jo@ledger.example"]
    assert [p.number for p in contact.phones] == ["+15555550177"]
    assert contact.organization.name == "The Ledger"
    assert contact.organization.type == OrgType.media
    assert contact.organization.sphere == Sphere.media
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "press.inquiry.contact")) == \
        f"Added contact #{contact.id} for media inquiry #{iid}"
    # Both ways: the inquiry names the contact, the contact lists the inquiry.
    page = as_liaison.get(f"/press/manage/inquiries/{iid}").get_data(as_text=True)
    assert f'href="/people/{contact.id}"' in page and "Add to media contacts" not in page
    page = as_liaison.get(f"/people/{contact.id}").get_data(as_text=True)
    assert "Media inquiries" in page and f'href="/press/manage/inquiries/{iid}"' in page
    assert "Budget vote" in page


def test_an_existing_contact_and_outlet_are_reused(as_liaison):
    outlet = factories.make_organization(name="The Ledger", type=OrgType.media)
    jo = factories.make_contact(first_name="Jo", emails=["jo@ledger.example"])
    first = make_inquiry(journalist_email="jo@ledger.example", outlet="the ledger").id
    second = make_inquiry(journalist_name="Sam New", journalist_email="sam@ledger.example",
                          outlet="THE LEDGER").id
    db.session.commit()
    page = as_liaison.get(f"/press/manage/inquiries/{first}").get_data(as_text=True)
    assert "Link to Jo" in page
    as_liaison.post(f"/press/manage/inquiries/{first}/contact")
    as_liaison.post(f"/press/manage/inquiries/{second}/contact")
    assert db.session.get(Inquiry, first).contact_id == jo.id
    sam = db.session.get(Contact, db.session.get(Inquiry, second).contact_id)
    assert sam.organization_id == outlet.id
    assert db.session.query(Organization).count() == 1


def test_staff_cannot_link_and_links_survive_merge_and_delete(as_staff, as_liaison):
    iid = make_inquiry().id
    keep = factories.make_contact(first_name="Keep")
    other = factories.make_contact(first_name="Other")
    db.session.commit()
    assert as_staff.post(f"/press/manage/inquiries/{iid}/contact").status_code == 403
    db.session.get(Inquiry, iid).contact_id = other.id
    db.session.commit()
    merge_contacts(load_contact(keep.id), load_contact(other.id), None)
    db.session.commit()
    assert db.session.get(Inquiry, iid).contact_id == keep.id
    db.session.delete(db.session.get(Contact, keep.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Inquiry, iid).contact_id is None
