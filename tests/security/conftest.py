"""Helpers for the security regression suite: clients at chosen addresses, sign-in by
form, and the outbox read back as parsed messages."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage
from tests.factories import make_user


def at(app, ip: str):
    """A test client whose requests come from `ip`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def login(client, email: str, password: str, next_url: str = ""):
    return client.post("/login", data={"email": email, "password": password, "next": next_url})


def outbox(kind: str | None = None) -> list:
    """Queued messages (of `kind`), parsed as a mail reader would."""
    db.session.commit()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return [BytesParser(policy=policy.default).parsebytes(row.raw)
            for row in db.session.scalars(query)]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def dana(app):
    """An active liaison who signs in with the shared test password."""
    user = make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()
    return user
