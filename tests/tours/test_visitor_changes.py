"""Visitors' changes reach staff: a tour moved or cancelled from the booker's link lands in
the liaison's morning digest (parsed from the real SMTP server), or in an email at once when
the tour settings say so; staff who don't decide tours never get them; they are kept a week."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import Role, User
from app.database import utcnow
from app.extensions import db
from app.mail.services import deliver_due
from app.system import visitors
from app.system.models import VisitorChange
from tests.factories import make_user
from tests.tours.conftest import book, first_open, link_of, submit


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_moves_and_cancellations_reach_the_liaisons_digest(app, runner, client, as_liaison,
                                                           tours, mailbox):
    liaison = make_user(role=Role.liaison, email="lee@example.org", name="Lee Liaison")
    make_user(role=Role.staff, email="sam@example.org", name="Sam Staff")
    db.session.commit()
    moved = book(client, name="Alma Whitfield", email="alma@example.org")
    gone = book(client, 1, name="Dan Osei", email="dan@example.org", group_size="1")
    quiet = submit(client, 2, name="Never Confirmed", email="nc@example.org")
    client.post(link_of(moved) + "/reschedule/confirm", data={"slot": first_open(3).key})
    client.post(link_of(gone) + "/cancel")
    client.post(link_of(quiet) + "/cancel")  # never a visitor: nobody needs to hear
    assert db.session.scalar(select(func.count(VisitorChange.id))) == 2

    assert runner.invoke(args=["digest", "send"]).exit_code == 0
    db.session.commit()
    deliver_due()
    messages = mailbox.wait_for(1)
    digests = {m["To"].addresses[0].addr_spec: m for m in messages
               if m["Subject"].startswith("Your day")}
    assert "sam@example.org" not in digests or "Visitors' changes" not in body_of(
        digests["sam@example.org"])
    text = body_of(digests["lee@example.org"])
    assert "Visitors' changes:" in text
    assert f"Alma Whitfield moved tour booking #{moved.id}" in text
    assert f"Dan Osei cancelled tour booking #{gone.id}" in text
    assert f"http://tours.test/tours/manage/bookings/{moved.id}" in text
    assert "Never Confirmed" not in text
    assert liaison.id in {u.id for u in visitors.recipients()}


def test_at_once_when_the_setting_says_so(app, client, as_liaison, tours, mailbox):
    make_user(role=Role.liaison, email="lee@example.org", name="Lee Liaison")
    db.session.commit()
    page = as_liaison.get("/tours/manage/settings").get_data(as_text=True)
    assert 'name="changes_at_once"' in page
    assert "Only with approval on can nobody work out" in page
    visitors.set_at_once(True)
    db.session.commit()
    b = book(client, name="Alma Whitfield", email="alma@example.org")
    client.post(link_of(b) + "/cancel")
    db.session.commit()
    deliver_due()
    messages = mailbox.wait_for(4)
    (notice,) = [m for m in messages if m["To"].addresses[0].addr_spec == "lee@example.org"]
    assert notice["Subject"].startswith("Tour cancelled by the visitor: ")
    assert f"Alma Whitfield cancelled tour booking #{b.id}" in body_of(notice)
    # Sent at once, so not again in the digest.
    lee = db.session.scalars(select(User).where(User.email == "lee@example.org")).one()
    assert visitors.digest_section(lee, None).lines == []


def test_without_a_liaison_the_admins_hear_and_old_changes_are_forgotten(app, runner, tours):
    admin = make_user(role=Role.admin)
    make_user(role=Role.liaison, active=False)
    visitors.note_change("tours.cancelled", "Someone cancelled.", "http://x.test/1", "s")
    db.session.commit()
    assert [u.id for u in visitors.recipients()] == [admin.id]
    assert visitors.digest_section(admin, None).lines[0].endswith("Someone cancelled. "
                                                                  "http://x.test/1")
    old = db.session.scalars(select(VisitorChange)).one()
    old.at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert visitors.digest_section(admin, None).lines == []  # a day's window
    result = runner.invoke(args=["purge"])
    assert "Forgot 1 visitor's change" in result.output
    assert db.session.scalar(select(func.count(VisitorChange.id))) == 0
