"""The audit trail: recorded from day one, browsable and filterable by admins only."""

from __future__ import annotations

from datetime import UTC, datetime

from app.audit.services import record
from app.extensions import db
from app.settings import services as settings


def test_admin_browses_and_filters(as_admin):
    record("user.created", "Added Marcus Lee as Staff")
    record("auth.sign_in_failed", "Failed sign-in for an unknown account")
    db.session.commit()
    page = as_admin.get("/admin/audit/")
    assert page.status_code == 200
    assert "Added Marcus Lee" in page.text and "Failed sign-in" in page.text
    filtered = as_admin.get("/admin/audit/?action=user.")
    assert "Added Marcus Lee" in filtered.text and "Failed sign-in" not in filtered.text
    searched = as_admin.get("/admin/audit/?q=marcus", headers={"HX-Request": "true"})
    assert searched.status_code == 200
    assert "<html" not in searched.text and "Added Marcus Lee" in searched.text
    dated = as_admin.get("/admin/audit/?from=2000-01-01&to=2000-01-02")
    assert "Added Marcus Lee" not in dated.text
    assert as_admin.get("/admin/audit/?from=garbage&page=-4").status_code == 200


def test_dates_are_whole_days_in_the_organizations_zone(as_admin):
    settings.put("timezone", "America/Los_Angeles")  # UTC-8 in January
    for summary, at in [("Late on New Year Eve", datetime(2026, 1, 1, 7, 59)),
                        ("Early on New Year Day", datetime(2026, 1, 1, 8, 1)),
                        ("Late on January 2", datetime(2026, 1, 3, 7, 59)),
                        ("Early on January 3", datetime(2026, 1, 3, 8, 1))]:
        record("x.dated", summary).at = at.replace(tzinfo=UTC)
    db.session.commit()
    page = as_admin.get("/admin/audit/?from=2026-01-01&to=2026-01-02",
                        headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "Early on New Year Day" in page.text and "Late on January 2" in page.text
    assert "Eve" not in page.text and "January 3" not in page.text
    one_day = as_admin.get("/admin/audit/?from=2026-01-03&to=2026-01-03").text
    assert "Early on January 3" in one_day and "January 2" not in one_day


def test_a_date_that_is_not_one_is_ignored_and_said_so(as_admin):
    record("x.dated", "Something happened")
    db.session.commit()
    for query in ("from=2026-13-45", "to=x", "from=2026-01-01T10:00"):
        page = as_admin.get(f"/admin/audit/?{query}", headers={"HX-Request": "true"})
        assert page.status_code == 200, query
        assert "Not a date" in page.text and "Something happened" in page.text, query
    settings.put("timezone", "Asia/Tokyo")  # the calendar's first midnight is before UTC's
    db.session.commit()
    ends = as_admin.get("/admin/audit/?from=0001-01-01&to=9999-12-31")
    assert "Something happened" in ends.text and "Not a date" not in ends.text
    assert "Something happened" in as_admin.get("/admin/audit/?from=2026-13-45").text


def test_summaries_are_one_line_and_bounded(app):
    event = record("x.y", "line one\r\nInjected: header\t" + "z" * 400)
    assert "\n" not in event.summary and len(event.summary) == 300


def test_audit_is_admin_only(as_liaison, as_staff):
    assert as_liaison.get("/admin/audit/").status_code == 403
    assert as_staff.get("/admin/audit/").status_code == 403


def test_entries_keep_the_name_of_what_they_were_about(as_admin):
    from tests.factories import make_contact

    contact = make_contact(first_name="Dana", last_name="Reyes")
    gone = contact.id
    entry = record("contact.delete", f"Deleted contact #{gone} for good", contact)
    db.session.delete(contact)
    db.session.commit()
    assert (entry.object_type, entry.object_id) == ("contacts", gone)
    assert entry.object_label == "Dana Reyes"
    page = as_admin.get("/admin/audit/?q=reyes")  # the summary never named her
    assert page.status_code == 200
    assert "Dana Reyes" in page.text and f"Deleted contact #{gone} for good" in page.text


def test_only_models_that_opt_in_leave_a_name(app):
    from types import SimpleNamespace

    # A tour booker's or a journalist's name is theirs: rows without `audit_label` leave none.
    visitor = SimpleNamespace(__tablename__="tour_bookings", id=3, name="Pat Visitor")
    assert record("tours.requested", "Tour request #3", visitor).object_label is None
    named = SimpleNamespace(id=4, audit_label="  Spring\nopen house  ")
    assert record("event.create", "Created an event", named).object_label == "Spring open house"
    assert record("x.y", "z", visitor, label="Given " + "n" * 300).object_label == (
        "Given " + "n" * 194)
