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
