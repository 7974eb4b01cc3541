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
