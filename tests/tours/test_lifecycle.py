"""The lifecycle and its emails, received by a real SMTP server; the .ics parsed back by
icalendar; the booker's own page; reminders; purge; screening."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.database import utcnow
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.services import deliver_due
from app.settings import clock
from app.tours import services
from app.tours.models import ScreenAction, ScreenKind, Status, TourBooking
from tests.tours.conftest import configure, first_open, form_data, without_csrf


def deliver(mailbox, count):
    db.session.commit()
    deliver_due()
    return mailbox.wait_for(count)


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def manage_link(message) -> str:
    return re.search(r"http://tours\.test(/tours/booking/[\w-]+)", body_of(message)).group(1)


def only_booking() -> TourBooking:
    return db.session.scalars(select(TourBooking)).one()


def calendar_of(message) -> icalendar.Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no text/calendar part"
    return icalendar.Calendar.from_ical(parts[0].get_content())


def test_request_confirm_reschedule_cancel_emails(client, as_liaison, tours, mailbox):
    slot = first_open()
    client.post("/tours", data=form_data(slot))
    (received,) = deliver(mailbox, 1)
    assert received["To"].addresses[0].addr_spec == "robin@example.org"
    assert "received your tour request" in received["Subject"].lower()
    assert "12 River Street" not in received.as_string()  # the address waits for confirmation
    link = manage_link(received)

    b = only_booking()
    as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm")
    messages = deliver(mailbox, 2)
    confirmed = messages[1]
    assert "confirmed" in confirmed["Subject"].lower()
    text = body_of(confirmed)
    assert "12 River Street, Riverbend" in text and "photos" in text
    assert manage_link(confirmed) == link  # the same link in every email
    cal = calendar_of(confirmed)
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == slot.starts_at
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == slot.ends_at
    uid = str(event["UID"])
    assert uid == f"tour-booking-{b.id}@tours.test"  # the host of PUBLIC_BASE_URL
    assert "12 River Street" in str(event["LOCATION"])

    # The booker's page: details and the address, reschedule through a confirmation page.
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "12 River Street" in page.get_data(as_text=True)
    later = first_open(3)
    chooser = client.get(link + "/reschedule")
    assert f'value="{later.key}"' in chooser.get_data(as_text=True)
    confirm_page = client.get(f"{link}/reschedule/confirm?slot={later.key}")
    assert confirm_page.status_code == 200 and "Move your tour?" in confirm_page.get_data(True)
    db.session.expire_all()
    assert only_booking().slot.starts_at == slot.starts_at  # GET changed nothing
    moved = client.post(link + "/reschedule/confirm", data={"slot": later.key})
    assert moved.status_code == 303
    messages = deliver(mailbox, 3)
    (event,) = calendar_of(messages[2]).walk("VEVENT")
    assert str(event["UID"]) == uid and event.decoded("DTSTART") == later.starts_at
    assert int(event["SEQUENCE"]) == 1

    # Cancel: GET asks, POST cancels.
    assert "Cancel your tour?" in client.get(link + "/cancel").get_data(as_text=True)
    db.session.expire_all()
    assert only_booking().status == Status.confirmed
    assert client.post(link + "/cancel").status_code == 303
    messages = deliver(mailbox, 4)
    assert "cancelled" in messages[3]["Subject"].lower()
    cancel_cal = calendar_of(messages[3])
    assert str(cancel_cal["METHOD"]) == "CANCEL"
    db.session.expire_all()
    assert only_booking().status == Status.cancelled


def test_declined_email_carries_the_message(client, as_liaison, tours, mailbox):
    client.post("/tours", data=form_data())
    b = only_booking()
    as_liaison.post(f"/tours/manage/bookings/{b.id}/decline",
                    data={"message": "Closed for repairs"})
    messages = deliver(mailbox, 2)
    assert "Closed for repairs" in body_of(messages[1])
    assert not [p for p in messages[1].walk() if p.get_content_type() == "text/calendar"]


def test_without_approval_bookings_confirm_at_once(client, app, mailbox):
    configure(approval_required=False)
    client.post("/tours", data=form_data())
    assert only_booking().status == Status.confirmed
    (message,) = deliver(mailbox, 1)
    assert "confirmed" in message["Subject"].lower()
    calendar_of(message)


def test_unknown_token_is_404(client, tours):
    assert client.get("/tours/booking/not-a-real-token").status_code == 404
    assert client.post("/tours/booking/not-a-real-token/cancel").status_code == 404


def test_reminder_the_day_before(app, runner, client, as_liaison, tours, mailbox):
    client.post("/tours", data=form_data())
    b = only_booking()
    as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm")
    db.session.commit()
    # Move the tour to tomorrow evening so it is due.
    tomorrow = clock.today() + timedelta(days=1)
    from datetime import datetime

    from app.settings.clock import org_zone

    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 19, tzinfo=org_zone())
    b.slot.starts_at, b.slot.ends_at = start, start + timedelta(hours=1)
    db.session.commit()
    result = runner.invoke(args=["tours", "remind"])
    assert "Queued 1 tour reminder" in result.output
    assert "Queued 0" in runner.invoke(args=["tours", "remind"]).output  # only once
    messages = deliver(mailbox, 3)
    assert "Reminder" in messages[2]["Subject"]


def test_purge_anonymizes_after_the_configured_days(app, runner, client, tours, mailbox):
    configure(purge_days=30)
    client.post("/tours", data=form_data(name="Purgeable Person", phone="+1 312 555 0100",
                                         reason="MARKER-REASON"))
    client.post("/tours", data=form_data(slot=first_open(2), email="keep@example.org",
                                         name="Recent Visitor"))
    old, recent = db.session.scalars(select(TourBooking).order_by(TourBooking.id)).all()
    old.slot.starts_at = utcnow() - timedelta(days=31, hours=1)
    old.slot.ends_at = utcnow() - timedelta(days=31)
    db.session.commit()

    result = runner.invoke(args=["purge"])
    assert "Anonymized 1 tour booker" in result.output
    db.session.expire_all()
    assert old.name == "(removed)" and old.email == "(removed)" and old.phone is None
    assert old.reason is None and old.anonymized_at is not None
    assert recent.name == "Recent Visitor"
    # Nothing personal left anywhere in the tables, outbox included.
    outbox = db.session.scalars(select(OutboxMessage.raw)).all()
    assert not any(b"Purgeable" in raw or b"robin@example.org" in raw for raw in outbox)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tours.purged")).one()
    assert event.summary == "Anonymized 1 tour booker(s)"
    # The manage link no longer opens anything.
    assert services.booking_for_token(services.manage_token(old)) is None


def test_screened_booker_is_held_and_never_told(client, app, as_liaison, mailbox):
    configure(approval_required=False)
    services.add_screen(ScreenKind.domain, "@Watch.example", ScreenAction.hold)
    db.session.commit()
    plain = client.post("/tours", data=form_data(group_size="1"), follow_redirects=True)
    held = client.post("/tours", data=form_data(email="someone@watch.example", group_size="1"),
                       follow_redirects=True)
    assert without_csrf(plain.get_data(as_text=True)) == without_csrf(
        held.get_data(as_text=True))
    ok, screened = db.session.scalars(select(TourBooking).order_by(TourBooking.id)).all()
    assert ok.status == Status.confirmed and not ok.held
    assert screened.status == Status.requested and screened.held
    page = as_liaison.get(f"/tours/manage/bookings/{screened.id}").get_data(as_text=True)
    assert "domain is on the screening list" in page
    messages = deliver(mailbox, 2)
    held_mail = next(m for m in messages if "watch.example" in m["To"])
    assert "screen" not in held_mail.as_string().lower()


def test_blocked_booker_gets_the_same_page_and_no_tour(client, tours, mailbox):
    services.add_screen(ScreenKind.email, "Blocked@Example.org ", ScreenAction.block)
    db.session.commit()
    plain = client.post("/tours", data=form_data(group_size="1"), follow_redirects=True)
    blocked = client.post("/tours", data=form_data(email="blocked@example.org", group_size="1"),
                          follow_redirects=True)
    assert plain.status_code == blocked.status_code == 200
    assert without_csrf(plain.get_data(as_text=True)) == without_csrf(
        blocked.get_data(as_text=True))
    emails = db.session.scalars(select(TourBooking.email)).all()
    assert emails == ["robin@example.org"]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_liaison_manages_the_screening_list(as_liaison, tours):
    response = as_liaison.post("/tours/manage/screening",
                               data={"kind": "organization", "value": "Stop The Program",
                                     "action": "hold"})
    assert response.status_code == 303
    page = as_liaison.get("/tours/manage/screening").get_data(as_text=True)
    assert "stop the program" in page
    from app.tours.models import TourScreen

    row = db.session.scalars(select(TourScreen)).one()
    assert as_liaison.post(f"/tours/manage/screening/{row.id}/delete").status_code == 303
    assert as_liaison.post("/tours/manage/screening",
                           data={"kind": "email", "value": "", "action": "hold"}).status_code == 422
