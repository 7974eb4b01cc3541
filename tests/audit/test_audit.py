"""The audit trail: recorded from day one, browsable and filterable by admins only."""

from __future__ import annotations

from app.audit.services import record
from app.extensions import db


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


def test_summaries_are_one_line_and_bounded(app):
    event = record("x.y", "line one\r\nInjected: header\t" + "z" * 400)
    assert "\n" not in event.summary and len(event.summary) == 300


def test_audit_is_admin_only(as_liaison, as_staff):
    assert as_liaison.get("/admin/audit/").status_code == 403
    assert as_staff.get("/admin/audit/").status_code == 403
