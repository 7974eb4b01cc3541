"""Logging a note from the contact or organization page itself: with htmx the notes card
comes back with the new note (and `notes-changed`); without, the form lands back on the page,
or shows the full note form with what to fix (422)."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.extensions import db
from app.notes.models import Note
from app.notes.services import load_note
from app.people.models import Contact

FRAGMENT = {"HX-Request": "true"}


def _quick(about: dict, **overrides) -> dict:
    return {"summary": "Met at the library forum", "occurred_on": "2026-03-04",
            "channel": "meeting", "body": "", "body_format": "plain",
            **{k: str(v) for k, v in about.items()}, **overrides}


def test_contact_page_has_the_quick_note(as_staff, contact):
    html = as_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    assert 'hx-post="/notes/quick"' in html
    assert f'<input type="hidden" name="contact_ids" value="{contact.id}">' in html
    assert f'name="next" value="/people/{contact.id}"' in html
    assert 'hx-trigger="notes-changed from:body"' in html  # "last contact" follows


def test_quick_note_with_htmx_returns_the_card(as_staff, contact):
    response = as_staff.post("/notes/quick", headers=FRAGMENT,
                             data=_quick({"contact_ids": contact.id}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card notes-card" id="notes-section"')
    assert "Met at the library forum" in html
    assert 'value="Met at the library forum"' not in html  # a fresh form
    events = json.loads(response.headers["HX-Trigger"])
    assert "notes-changed" in events and events["toast"]["message"] == "Note saved."
    note = load_note(db.session.scalar(select(Note.id)))
    assert [c.id for c in note.contacts] == [contact.id] and note.author_id == as_staff.user.id
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).last_open_contact_on.isoformat() == "2026-03-04"


def test_quick_note_without_javascript_goes_back(as_staff, contact):
    response = as_staff.post("/notes/quick", data=_quick(
        {"contact_ids": contact.id}, next=f"/people/{contact.id}"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/people/{contact.id}"


def test_quick_note_problems(as_staff, contact):
    data = _quick({"contact_ids": contact.id}, summary="", occurred_on="2026-02-31")
    response = as_staff.post("/notes/quick", headers=FRAGMENT, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="summary-error"' in html and 'id="occurred_on-error"' in html
    assert "<html" not in html
    plain = as_staff.post("/notes/quick", data=data)
    assert plain.status_code == 422
    page = plain.get_data(as_text=True)
    assert "<h1>Log a note</h1>" in page and f'value="{contact.id}" checked' in page
    assert db.session.query(Note).count() == 0


def test_quick_note_about_an_organization(as_staff, org):
    response = as_staff.post("/notes/quick", headers=FRAGMENT,
                             data=_quick({"organization_ids": org.id}, sensitive="y"))
    assert response.status_code == 200
    note = load_note(db.session.scalar(select(Note.id)))
    assert [o.id for o in note.organizations] == [org.id] and note.sensitive
    # Its author sees it on the page, as a closed entry.
    assert f"/notes/{note.id}" in response.get_data(as_text=True)


def test_quick_note_needs_sign_in(client, contact):
    response = client.post("/notes/quick", data=_quick({"contact_ids": contact.id}))
    assert response.status_code in (302, 401)
    assert db.session.query(Note).count() == 0
