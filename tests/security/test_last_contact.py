"""Issue 13.8: staff can't learn that a sensitive interaction happened. The "last contact"
they see (contact page, list and its sort, keep-in-touch list, dashboard) comes from the
notes they can read; admins and the liaison see every note's date."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.notes.models import Note
from app.people.models import Contact
from app.settings.clock import today
from tests.factories import make_contact


def log(client, contact, when: date, sensitive: bool, summary: str = "Met"):
    data = {"occurred_on": when.isoformat(), "channel": "meeting", "summary": summary,
            "body_format": "plain", "contact_ids": [str(contact.id)]}
    if sensitive:
        data["sensitive"] = "y"
    response = client.post("/notes/new", data=data)
    assert response.status_code == 303, response.text
    return response


def shown(day: date) -> str:
    return day.strftime("%b %-d, %Y").replace(" 0", " ")


def test_a_sensitive_note_moves_no_date_staff_see(app, as_liaison, as_staff, as_admin):
    day = today()
    open_day, secret_day = day - timedelta(days=100), day - timedelta(days=3)
    # Two challengers due every 30 days, and a reference contact to sort against.
    watched = make_contact(first_name="Wren", last_name="Watched", stance="challenger")
    other = make_contact(first_name="Olive", last_name="Other", stance="challenger")
    db.session.commit()
    log(as_liaison, watched, open_day, sensitive=False)
    log(as_liaison, other, day - timedelta(days=50), sensitive=False)
    log(as_liaison, watched, secret_day, sensitive=True)
    db.session.commit()
    row = db.session.get(Contact, watched.id)
    assert row.last_contact_on == secret_day and row.last_open_contact_on == open_day

    # The contact page.
    staff_page = as_staff.get(f"/people/{watched.id}").text
    assert f"last contact {shown(open_day)}" in staff_page
    assert shown(secret_day) not in staff_page
    assert f"last contact {shown(secret_day)}" in as_liaison.get(f"/people/{watched.id}").text
    assert f"last contact {shown(secret_day)}" in as_admin.get(f"/people/{watched.id}").text

    # The list: its column and its "longest since contact" order.
    staff_list = as_staff.get("/people/?sort=contact").text
    assert shown(secret_day) not in staff_list
    assert staff_list.index("Wren") < staff_list.index("Olive")  # 100 days ago first
    liaison_list = as_liaison.get("/people/?sort=contact").text
    assert liaison_list.index("Olive") < liaison_list.index("Wren")

    # Keep in touch: still due for staff (100 days > 30), not for the liaison (3 days).
    assert "Wren" in as_staff.get("/notes/due").text
    assert "Wren" not in as_liaison.get("/notes/due").text
    assert "Wren" in as_staff.get("/").text  # the dashboard's "due for contact" panel
    assert shown(secret_day) not in as_staff.get("/").text


def test_making_a_note_sensitive_moves_the_staff_date_back(app, as_liaison, as_staff):
    day = today()
    watched = make_contact(first_name="Wren", last_name="Watched")
    db.session.commit()
    log(as_liaison, watched, day - timedelta(days=40), sensitive=False)
    log(as_liaison, watched, day - timedelta(days=5), sensitive=False, summary="Later")
    db.session.commit()
    note_id = db.session.scalar(select(func.max(Note.id)))
    edit = {"occurred_on": (day - timedelta(days=5)).isoformat(), "channel": "meeting",
            "summary": "Later", "body_format": "plain", "contact_ids": [str(watched.id)],
            "sensitive": "y"}
    assert as_liaison.post(f"/notes/{note_id}/edit", data=edit).status_code == 303
    db.session.commit()
    row = db.session.get(Contact, watched.id)
    assert row.last_open_contact_on == day - timedelta(days=40)
    assert row.last_contact_on == day - timedelta(days=5)
    assert shown(day - timedelta(days=5)) not in as_staff.get(f"/people/{watched.id}").text


def test_a_merge_keeps_the_later_of_each_date(app, as_admin):
    from app.people.merge import merge_contacts

    keep = make_contact(first_name="Kay")
    gone = make_contact(first_name="Kay", last_name="Dup")
    keep.last_contact_on, keep.last_open_contact_on = date(2026, 1, 10), date(2026, 1, 10)
    gone.last_contact_on, gone.last_open_contact_on = date(2026, 3, 1), date(2026, 2, 1)
    db.session.commit()
    merge_contacts(keep, gone, None)
    assert (keep.last_contact_on, keep.last_open_contact_on) == (date(2026, 3, 1),
                                                                 date(2026, 2, 1))
