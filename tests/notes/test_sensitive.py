"""Staff never see sensitive notes, anywhere; every reading by admin or liaison is audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from tests import factories

SECRET = "Zanzibarquux"


@pytest.fixture
def world(app, contact, org):
    ordinary = factories.make_note([contact], [org], summary="Ordinary coffee chat",
                                   body="Talked about naloxone")
    secret = factories.make_note([contact], [org], summary=f"{SECRET} summary",
                                 body=f"{SECRET} body text", sensitive=True)
    db.session.commit()
    return {"contact": contact, "org": org, "ordinary": ordinary, "secret": secret}


def staff_urls(w):
    c, o = w["contact"].id, w["org"].id
    return ["/", "/people/", f"/people/{c}", f"/people/organizations/{o}", "/notes/",
            f"/notes/?q={SECRET}", f"/people/?q={SECRET}", "/notes/due", "/notes/commitments/"]


def test_staff_never_sees_sensitive_text_or_links(as_staff, world):
    secret_id = world["secret"].id
    for url in staff_urls(world):
        for headers in ({}, {"HX-Request": "true"}):
            body = as_staff.get(url, headers=headers).get_data(as_text=True)
            body = body.replace(f'value="{SECRET}"', "").replace(f"q={SECRET}", "")
            assert SECRET not in body, url
            assert f"note-{secret_id}" not in body, url
            assert f"/notes/{secret_id}" not in body, url


def test_staff_search_does_not_match_sensitive_text(as_staff, world):
    body = as_staff.get(f"/people/?q={SECRET}", headers={"HX-Request": "true"}).get_data(True)
    assert world["contact"].name not in body
    body = as_staff.get("/people/?q=naloxone", headers={"HX-Request": "true"}).get_data(True)
    assert world["contact"].name in body


def test_staff_cannot_open_or_edit_sensitive_note(as_staff, world):
    secret_id = world["secret"].id
    assert as_staff.get(f"/notes/{secret_id}").status_code == 404
    assert as_staff.get(f"/notes/{secret_id}/edit").status_code == 404
    response = as_staff.post(f"/notes/{secret_id}/edit", data={
        "occurred_on": "2026-01-01", "channel": "call", "summary": "x"})
    assert response.status_code == 404


def test_staff_cannot_export(as_staff, world):
    assert as_staff.get("/people/export.csv").status_code == 403


def test_export_never_holds_note_text(as_liaison, world):
    response = as_liaison.get("/people/export.csv")
    assert response.status_code == 200
    assert SECRET not in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.export"))


def test_staff_cannot_mark_someone_elses_note_sensitive(as_staff, world):
    """A staff member who hid a colleague's note could no longer read it themselves."""
    note = world["ordinary"]  # written by nobody in particular: not this staff member
    response = as_staff.post(f"/notes/{note.id}/edit", data={
        "occurred_on": "2026-01-02", "channel": "call", "summary": "Still ordinary",
        "body_format": "plain", "sensitive": "y", "contact_ids": [world["contact"].id]})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(note), note.id).sensitive is False
    page = as_staff.get(f"/notes/{note.id}/edit").get_data(as_text=True)
    assert 'name="sensitive"' not in page


@pytest.mark.parametrize("role", ["as_admin", "as_liaison"])
def test_reading_sensitive_note_is_audited_without_text(request, role, world):
    client = request.getfixturevalue(role)
    secret_id = world["secret"].id
    response = client.get(f"/notes/{secret_id}")
    assert response.status_code == 200
    assert SECRET in response.get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "note.view_sensitive")).all()
    assert [(e.object_id, e.actor_id) for e in events] == [(secret_id, client.user.id)]
    assert all(SECRET not in e.summary for e in db.session.scalars(select(AuditEvent)))


def test_contact_page_shows_sensitive_note_closed_for_liaison(as_liaison, world):
    body = as_liaison.get(f"/people/{world['contact'].id}").get_data(as_text=True)
    assert f"/notes/{world['secret'].id}" in body
    assert SECRET not in body  # reading is a deliberate, audited step


def test_note_edit_is_recorded(as_liaison, world):
    note = world["ordinary"]
    response = as_liaison.post(f"/notes/{note.id}/edit", data={
        "occurred_on": "2026-01-03", "channel": "call", "summary": "Changed summary",
        "body": "New body", "body_format": "markdown", "contact_ids": [world["contact"].id]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/notes/{note.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "note.edit"))
    assert event.object_id == note.id and "New body" not in event.summary


def test_markdown_is_sanitized(as_liaison, world):
    response = as_liaison.post("/notes/new", data={
        "occurred_on": "2026-01-02", "channel": "call", "summary": "Markdown",
        "body": "**bold** <script>alert(1)</script> [x](javascript:alert(1))",
        "body_format": "markdown", "contact_ids": [world["contact"].id]})
    assert response.status_code == 303
    from app.notes.models import Note

    note = db.session.scalar(select(Note).where(Note.summary == "Markdown"))
    body = as_liaison.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "<strong>bold</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert 'href="javascript' not in body


# --- staff's own sensitive notes ----------------------------------------------------------------

OWN = "Quokkawhisper"


@pytest.fixture
def other_staff(app):
    from tests.conftest import sign_in

    user = factories.make_user(role="staff", name="Other Staff")
    db.session.commit()
    client = app.test_client()
    sign_in(client, user)
    client.user = user
    return client


def _staff_sensitive_note(as_staff, contact) -> int:
    from app.notes.models import Note
    from app.settings.clock import today

    response = as_staff.post("/notes/new", data={
        "occurred_on": today().isoformat(), "channel": "call", "body_format": "plain",
        "summary": f"{OWN} summary", "body": f"{OWN} body", "sensitive": "y",
        "contact_ids": [contact.id]})
    assert response.status_code == 303
    note = db.session.scalar(select(Note).where(Note.summary == f"{OWN} summary"))
    assert note.sensitive and note.author_id == as_staff.user.id
    return note.id


def test_staff_may_mark_their_own_note_sensitive_and_still_read_it(as_staff, contact):
    note_id = _staff_sensitive_note(as_staff, contact)
    assert f"/notes/{note_id}" in as_staff.get(f"/people/{contact.id}").get_data(True)
    assert f"/notes/{note_id}" in as_staff.get("/notes/").get_data(True)
    assert f"/notes/{note_id}" in as_staff.get(f"/notes/?q={OWN}").get_data(True)
    assert f"/notes/{note_id}" in as_staff.get("/").get_data(True)  # recent notes panel
    page = as_staff.get(f"/notes/{note_id}")
    assert page.status_code == 200 and f"{OWN} body" in page.get_data(True)
    assert "only you, as its author" in page.get_data(True)
    assert as_staff.get(f"/notes/{note_id}/edit").status_code == 200
    # Its author reading it is not an event for the trail; anyone else's reading is.
    assert not db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "note.view_sensitive")).all()


def test_other_staff_never_learn_of_it(as_staff, other_staff, as_liaison, contact, org):
    note_id = _staff_sensitive_note(as_staff, contact)
    urls = ["/", "/people/", f"/people/{contact.id}", f"/people/organizations/{org.id}",
            "/notes/", f"/notes/?q={OWN}", f"/people/?q={OWN}", "/notes/due",
            "/people/?sort=contact", "/notes/commitments/"]
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            body = other_staff.get(url, headers=headers).get_data(as_text=True)
            body = body.replace(f'value="{OWN}"', "").replace(f"q={OWN}", "")
            assert OWN not in body, url
            assert f"/notes/{note_id}" not in body and f"note-{note_id}" not in body, url
    assert other_staff.get(f"/notes/{note_id}").status_code == 404
    assert other_staff.get(f"/notes/{note_id}/edit").status_code == 404
    # Admin and liaison read it, and that reading is recorded.
    assert OWN in as_liaison.get(f"/notes/{note_id}").get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "note.view_sensitive")).all()
    assert [(e.object_id, e.actor_id) for e in events] == [(note_id, as_liaison.user.id)]


def test_last_contact_counts_a_sensitive_note_only_for_who_may_read_it(
        as_staff, other_staff, as_liaison, contact):
    from app.people.models import Contact
    from app.settings.clock import today

    _staff_sensitive_note(as_staff, contact)
    db.session.expire_all()
    saved = db.session.get(Contact, contact.id)
    assert saved.last_contact_on == today() and saved.last_open_contact_on is None
    shown = today().strftime("%b %-d, %Y").replace(" 0", " ")
    staff_page = other_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    assert "no contact logged yet" in staff_page and f"last contact {shown}" not in staff_page
    assert f"last contact {shown}" in as_liaison.get(f"/people/{contact.id}").get_data(True)
    # Due for contact: staff still see them as never contacted; the liaison does not.
    assert contact.name in other_staff.get("/notes/due").get_data(as_text=True)
    assert contact.name not in as_liaison.get("/notes/due").get_data(as_text=True)


def test_turning_a_note_sensitive_takes_its_date_back_from_staff(as_liaison, contact):
    from app.people.models import Contact

    note = factories.make_note([contact], [], occurred_on=date(2026, 3, 3))
    factories.make_note([contact], [], occurred_on=date(2026, 1, 1))
    db.session.commit()
    assert db.session.get(Contact, contact.id).last_open_contact_on == date(2026, 3, 3)
    response = as_liaison.post(f"/notes/{note.id}/edit", data={
        "occurred_on": "2026-03-03", "channel": "call", "summary": "Now sensitive",
        "body_format": "plain", "sensitive": "y", "contact_ids": [contact.id]})
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Contact, contact.id)
    assert (saved.last_contact_on, saved.last_open_contact_on) == (date(2026, 3, 3),
                                                                   date(2026, 1, 1))
