"""Admins set the organization's name and time zone; everything shows them at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.settings import services
from app.templating import localtime


def test_admin_changes_name_and_time_zone(as_admin):
    response = as_admin.post("/admin/settings/",
                             data={"name": "Riverbend  Harm\r\nReduction",
                                   "timezone": "America/Los_Angeles", "phone_region": "US"})
    assert response.status_code == 303
    assert services.org_name() == "Riverbend Harm Reduction"
    assert services.timezone_name() == "America/Los_Angeles"
    assert "Riverbend Harm Reduction" in as_admin.get("/").text
    noon_utc = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)
    assert localtime(noon_utc, "%H:%M") == "12:00"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "settings.organization"))
    assert "name and time zone" in event.summary


def test_unknown_time_zone_and_empty_name_are_refused(as_admin):
    response = as_admin.post("/admin/settings/", data={"name": " ", "timezone": "Mars/Olympus",
                                                       "phone_region": "US"})
    assert response.status_code == 422
    assert "Enter the organization" in response.text and "Not a valid choice" in response.text
    assert services.timezone_name() == "America/Chicago"


def test_settings_are_admin_only(as_liaison, as_staff):
    assert as_liaison.get("/admin/settings/").status_code == 403
    assert as_staff.post("/admin/settings/", data={}).status_code == 403
