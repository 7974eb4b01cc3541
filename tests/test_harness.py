"""The harness itself works: the database per test and the real SMTP server."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from tests.factories import make_user


def test_each_test_gets_an_empty_database(app):
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    make_user()
    db.session.commit()


def test_smtp_server_receives_and_parses(smtp_server):
    message = EmailMessage()
    message["From"] = "liaison@example.org"
    message["To"] = "ally@example.org"
    message["Subject"] = "Hello ✓"
    message.set_content("Body text")
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as smtp:
        smtp.send_message(message)
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "Hello ✓"
    assert received.get_content().strip() == "Body text"
