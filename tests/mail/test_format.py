"""What the outbox puts on the wire: CRLF line ends a strict SMTP server accepts."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage, Status
from app.mail.services import deliver_due, queue


def test_long_message_has_crlf_and_is_accepted(app, smtp_server):
    text = "\n".join(f"Line {i}: " + "words " * 10 for i in range(200))
    queue(kind="test", to="a@example.org", subject="Long", text=text,
          calendar=("REQUEST", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
    db.session.commit()
    raw = db.session.scalars(select(OutboxMessage.raw)).one()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    assert deliver_due()["sent"] == 1
    (msg,) = smtp_server.wait_for(1)
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == text.strip()
    assert db.session.scalars(select(OutboxMessage.status)).one() == Status.sent
