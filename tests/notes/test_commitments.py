"""Commitments close only as kept or explained (with when and how); keeping in touch."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.notes import services
from app.notes.models import Commitment, CommitmentStatus
from app.people.models import Contact
from tests import factories


def test_record_commitment(as_staff, contact):
    response = as_staff.post("/notes/commitments/new", data={
        "what": "Send data summary", "contact_id": contact.id, "organization_id": 0,
        "owner_id": as_staff.user.id, "due_on": "2026-03-01"})
    assert response.status_code == 303
    c = db.session.scalar(select(Commitment))
    assert (c.what, c.contact_id, c.status) == ("Send data summary", contact.id, "open")


def test_commitment_needs_someone(as_staff):
    response = as_staff.post("/notes/commitments/new", data={
        "what": "x", "contact_id": 0, "organization_id": 0, "owner_id": 0,
        "due_on": "2026-03-01"})
    assert response.status_code == 422
    assert 'id="contact_id-error"' in response.get_data(as_text=True)


def test_closing_from_a_page_returns_to_it(as_staff, contact):
    c = factories.make_commitment(contact_id=contact.id)
    db.session.commit()
    page = as_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    close = f"/notes/commitments/{c.id}/close?next=/people/{contact.id}"
    assert f'href="{close}"' in page
    form = as_staff.get(close).get_data(as_text=True)
    assert f'name="next" value="/people/{contact.id}"' in form
    response = as_staff.post(close, data={"status": "kept", "next": f"/people/{contact.id}"})
    assert response.headers["Location"] == f"/people/{contact.id}"
    reopen = as_staff.post(f"/notes/commitments/{c.id}/reopen",
                           data={"next": "//evil.example/"})  # not a path of this site
    assert reopen.headers["Location"] == "/notes/commitments/"


def test_explained_requires_when_and_how(as_staff, contact):
    c = factories.make_commitment(contact_id=contact.id)
    db.session.commit()
    response = as_staff.post(f"/notes/commitments/{c.id}/close", data={"status": "explained"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="explained_on-error"' in body and 'id="explained_how-error"' in body
    assert db.session.get(Commitment, c.id).status == CommitmentStatus.open
    response = as_staff.post(f"/notes/commitments/{c.id}/close", data={
        "status": "explained", "explained_on": "2026-02-02",
        "explained_how": "Called and followed up by email"}, headers={"HX-Request": "true"})
    assert response.status_code == 303
    assert "notes-changed" in response.headers["HX-Trigger"]
    db.session.expire_all()
    c = db.session.get(Commitment, c.id)
    assert c.status == CommitmentStatus.explained and c.explained_on == date(2026, 2, 2)


def test_close_as_open_is_refused(as_staff, contact):
    c = factories.make_commitment(contact_id=contact.id)
    db.session.commit()
    response = as_staff.post(f"/notes/commitments/{c.id}/close", data={"status": "open"})
    assert response.status_code == 422


def test_filters(as_staff, contact):
    today = date.today()
    factories.make_commitment(contact_id=contact.id, what="Overdue thing",
                              due_on=today - timedelta(days=3))
    factories.make_commitment(contact_id=contact.id, what="Later thing",
                              due_on=today + timedelta(days=30))
    db.session.commit()
    overdue = as_staff.get("/notes/commitments/?due=overdue").get_data(as_text=True)
    assert "Overdue thing" in overdue and "Later thing" not in overdue
    later = as_staff.get("/notes/commitments/?due=later", headers={"HX-Request": "true"})
    assert "Later thing" in later.get_data(as_text=True)
    assert "<html" not in later.get_data(as_text=True)


def test_due_for_contact_uses_stance_interval_and_override(app):
    today = date(2026, 6, 1)
    never = factories.make_contact(first_name="Never")
    ally = factories.make_contact(first_name="Ally", stance="ally")
    ally.last_contact_on = ally.last_open_contact_on = today - timedelta(days=59)
    challenger = factories.make_contact(first_name="Chal", stance="challenger")
    challenger.last_contact_on = challenger.last_open_contact_on = today - timedelta(days=31)
    override = factories.make_contact(first_name="Over", stance="challenger",
                                      keep_in_touch_days=100)
    override.last_contact_on = override.last_open_contact_on = today - timedelta(days=31)
    dnc = factories.make_contact(first_name="Dnc", do_not_contact=True)
    db.session.flush()
    due = {c.first_name for c in db.session.scalars(services.due_for_contact_query(today, None))}
    assert due == {"Never", "Chal"}
    services.save_intervals({**services.intervals(), "ally": 30}, None)
    due = {c.first_name for c in db.session.scalars(services.due_for_contact_query(today, None))}
    assert due == {"Never", "Chal", "Ally"}
    del never, dnc


def test_logging_a_note_updates_last_contact(app, contact):
    factories.make_note([contact], [], occurred_on=date(2026, 3, 3))
    factories.make_note([contact], [], occurred_on=date(2026, 1, 1))
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).last_contact_on == date(2026, 3, 3)


def test_keep_in_touch_settings_need_liaison(as_staff):
    assert as_staff.get("/notes/keep-in-touch").status_code == 403


def test_keep_in_touch_settings(as_liaison):
    data = {**services.DEFAULT_INTERVALS, "ally": 45}
    assert as_liaison.post("/notes/keep-in-touch", data=data).status_code == 303
    assert services.intervals()["ally"] == 45
    assert as_liaison.post("/notes/keep-in-touch", data={**data, "ally": 0}).status_code == 422
