"""Tours fixtures: an app whose booking form needs no waiting and allows many submissions,
tour settings with open evening slots, and helpers to book through the real form (send it,
then confirm the email from the booker's page, as a visitor does)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.settings import clock
from app.tours import services
from app.tours.models import TourBooking
from app.tours.schedule import DEFAULTS, TourSettings

EVERY_EVENING = {d: [(18 * 60, 21 * 60)] for d in range(7)}
DAYTIME = {d: [(9 * 60, 17 * 60)] for d in range(7)}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TOURS_MIN_FILL_SECONDS": 0, "TOURS_RATE_PER_IP": 10_000,
            "TOURS_RATE_PER_EMAIL": 10_000, "PUBLIC_BASE_URL": "http://tours.test"}


def configure(**overrides) -> TourSettings:
    """Store tour settings: services 9 to 5 daily, tours 6 to 9 pm daily, no notice needed."""
    values = {"service_hours": DAYTIME, "tour_windows": EVERY_EVENING, "notice_hours": 0,
              "horizon_days": 21, "capacity": 5, "address": "12 River Street, Riverbend",
              "approval_required": True}
    values.update(overrides)
    s = replace(DEFAULTS, **values)
    assert services.save_settings(s) == []
    db.session.commit()
    return s


@pytest.fixture
def tours(app):
    return configure()


def first_open(n: int = 0):
    """The n-th open slot from tomorrow on: whole evenings, and never a tour about to begin
    (a request for one still waiting when it starts goes to the liaison, not confirm_due),
    whatever the hour the suite runs."""
    s = services.tour_settings()
    tomorrow = clock.today() + timedelta(days=1)
    opens = services.open_slots(tomorrow, clock.today() + timedelta(days=s.horizon_days), s)
    return opens[n].slot


def form_data(slot=None, **overrides) -> dict:
    from app.tours.forms import form_started_token

    data = {
        "slot": (slot or first_open()).key,
        "name": "Robin Visitor",
        "email": "robin@example.org",
        "phone": "",
        "affiliation": "Riverbend Neighbors",
        "group_size": "2",
        "reason": "Curious about the program",
        "accessibility": "",
        "guidelines": "y",
        "website": "",
        "started": form_started_token(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def newest() -> TourBooking:
    db.session.expire_all()
    return db.session.scalars(select(TourBooking).order_by(TourBooking.id.desc())).first()


def submit(client, n: int = 0, **overrides) -> TourBooking:
    """Send the public form for the n-th open slot, as a visitor: a pending booking."""
    response = client.post("/tours", data=form_data(first_open(n), **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    return newest()


def link_of(booking: TourBooking) -> str:
    """The booker's own page (the link in every email to them)."""
    return f"/tours/booking/{services.manage_token(booking)}"


def confirm_email(client, booking: TourBooking):
    """Press "Confirm my request" on the page the email links to."""
    response = client.post(link_of(booking) + "/confirm-email")
    db.session.expire_all()
    return response


def book(client, n: int = 0, **overrides) -> TourBooking:
    """Request the n-th open slot through the public form and confirm the email, as a
    visitor: a booking that holds its seats (the newest booking)."""
    booking = submit(client, n, **overrides)
    assert confirm_email(client, booking).status_code == 303
    return newest()


def without_csrf(page: str) -> str:
    """CSRF tokens carry a timestamp, so two pages a second apart differ there only."""
    return re.sub(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1<csrf>", page)
