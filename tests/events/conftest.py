"""Events fixtures: mail delivered through the real local SMTP server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.services import deliver_due


@pytest.fixture
def deliver(app, smtp_server):
    """Deliver everything queued to the real SMTP server; returns the parsed messages."""

    def run(expected: int):
        app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
        counts = deliver_due(limit=1000)
        assert counts["retry"] == counts["failed"] == 0, db.session.scalars(
            select(OutboxMessage.last_error)).all()
        return smtp_server.wait_for(expected)

    return run


@pytest.fixture(autouse=True)
def _fresh_login_per_request(app):
    """The `app` fixture keeps one app context open, so Flask-Login's cached user in `g`
    would leak from one test client's request into another's (an anonymous RSVP visitor,
    then the liaison). Forget it at the start of every request, as a real server does."""
    from flask import g

    def forget():
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


@pytest.fixture
def public_address(app):
    """The public address links are built from, set before any fixture signs someone in
    (public events' modules use it first: `pytestmark`): the test client then sends every
    request, and keeps its cookies, at that address."""
    app.config["PUBLIC_BASE_URL"] = PUBLIC_CONFIG["PUBLIC_BASE_URL"]


# --- public registration --------------------------------------------------------------------

PUBLIC_CONFIG = {"EVENTS_ADDRESS_DELAY_MINUTES": (0, 0), "EVENTS_RATE_PER_IP": 10_000,
                 "EVENTS_RATE_PER_EMAIL": 10_000, "PUBLIC_BASE_URL": "http://events.test"}


def open_event(app, **overrides):
    """A public event taking registrations (capacity 5 unless given), the app set up so the
    form can be sent many times and the private address goes without delay."""
    from tests.factories import make_event

    app.config.update(PUBLIC_CONFIG)
    values = {"title": "Spring open house", "capacity": 5, "is_public": True,
              "registration_open": True, "accessibility": "Step-free entrance on River St."}
    values.update(overrides)
    event = make_event(**values)
    db.session.commit()
    return event


@pytest.fixture
def event_open(app):
    return open_event(app)


def registration_form(**overrides) -> dict:
    """What the public form sends, with a valid token (None drops a field)."""
    from app.events.public_events import FORM_TOKEN

    data = {"name": "Robin Neighbor", "email": "robin@example.org", "phone": "",
            "affiliation": "Riverbend Neighbors", "group_size": "1", "accessibility": "",
            "website": "", "form_token": FORM_TOKEN.issue()}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client, event, headers=None, **overrides):
    """Send the public registration form for `event`, as a visitor's browser would."""
    return client.post(f"/public-events/{event.slug}", data=registration_form(**overrides),
                       headers=headers or {})


def registration(email: str = "robin@example.org"):
    """The newest registration from `email`."""
    from app.events.models import Registration

    return db.session.scalars(select(Registration).where(Registration.email == email)
                              .order_by(Registration.id.desc())).first()


def manage_link(message) -> str:
    """The registrant's private link in a delivered email (parsed, as a mail reader does)."""
    import re

    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/public-events/registration/[\w-]+", body).group(0)
