"""A tour booker who agreed to stay in touch becomes a contact with one (liaison) click."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.people.contacts import load_contact
from app.people.models import Contact, Organization
from app.tours import services
from app.tours.models import TourBooking
from tests import factories
from tests.tours.conftest import book


def test_create_contact_from_a_booker_who_agreed(client, as_liaison, tours):
    b = book(client, contact_consent="y", phone="(555) 555-0142", name="Robin  Q Visitor")
    bid = b.id
    page = as_liaison.get(f"/tours/manage/bookings/{bid}").get_data(as_text=True)
    assert "Create contact" in page
    response = as_liaison.post(f"/tours/manage/bookings/{bid}/contact")
    assert response.status_code == 303
    contact = load_contact(db.session.scalars(select(Contact.id)).one())
    assert (contact.first_name, contact.last_name) == ("Robin", "Q Visitor")
    assert [e.email for e in contact.emails] == ["robin@example.org"]
    assert [p.number for p in contact.phones] == ["+15555550142"]
    assert contact.source == f"Tour booking #{bid}" and contact.owner_id == as_liaison.user.id
    org = db.session.get(Organization, contact.organization_id)
    assert org.name == "Riverbend Neighbors"
    assert db.session.get(TourBooking, bid).contact_id == contact.id
    actions = db.session.scalars(select(AuditEvent.summary)
                                 .where(AuditEvent.action == "tours.contact")).all()
    assert actions == [f"Added contact #{contact.id} from tour booking #{bid}"]
    page = as_liaison.get(f"/tours/manage/bookings/{bid}").get_data(as_text=True)
    assert f'href="/people/{contact.id}"' in page and "Create contact" not in page
    # A second click changes nothing.
    as_liaison.post(f"/tours/manage/bookings/{bid}/contact")
    assert db.session.query(Contact).count() == 1


def test_links_the_existing_contact_with_that_email(client, as_liaison, tours):
    existing = factories.make_contact(first_name="Robin", emails=["Robin@Example.org"])
    db.session.commit()
    b = book(client, contact_consent="y")
    as_liaison.post(f"/tours/manage/bookings/{b.id}/contact")
    assert db.session.query(Contact).count() == 1
    assert db.session.get(TourBooking, b.id).contact_id == existing.id
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "tours.contact")).startswith("Linked contact")


def test_no_contact_without_consent_and_only_for_the_liaison(client, as_staff, as_liaison,
                                                              tours):
    b = book(client)
    assert not b.contact_consent
    assert "Create contact" not in as_liaison.get(
        f"/tours/manage/bookings/{b.id}").get_data(as_text=True)
    response = as_liaison.post(f"/tours/manage/bookings/{b.id}/contact")
    assert response.status_code == 303
    assert db.session.query(Contact).count() == 0
    agreed = book(client, contact_consent="y", email="other@example.org")
    assert as_staff.post(f"/tours/manage/bookings/{agreed.id}/contact").status_code == 403
    assert db.session.query(Contact).count() == 0


def test_purge_unlinks_the_contact_but_keeps_it(client, as_liaison, tours):
    from datetime import timedelta

    from app.database import utcnow

    b = book(client, contact_consent="y")
    as_liaison.post(f"/tours/manage/bookings/{b.id}/contact")
    b = db.session.get(TourBooking, b.id)
    b.slot.ends_at = utcnow() - timedelta(days=400)
    b.slot.starts_at = b.slot.ends_at - timedelta(hours=1)
    db.session.commit()
    assert services.purge_bookers() == 1
    db.session.commit()
    assert db.session.get(TourBooking, b.id).contact_id is None
    assert db.session.query(Contact).count() == 1
