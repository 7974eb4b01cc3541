"""The lifecycle and its emails, received by a real SMTP server; the .ics parsed back by
icalendar; the booker's own page (confirm the email, change, cancel); automatic
confirmation after a random delay (approval off); reminders; purge; the booking's history."""

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
from tests.tours.conftest import (
    book,
    configure,
    confirm_email,
    first_open,
    form_data,
    link_of,
    submit,
)


def deliver(mailbox, count):
    db.session.commit()
    deliver_due()
    return mailbox.wait_for(count)


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def manage_link(message) -> str:
    return re.search(r"http://tours\.test(/tours/booking/[\w-]+)", body_of(message)).group(1)


def only_booking() -> TourBooking:
    db.session.expire_all()
    return db.session.scalars(select(TourBooking)).one()


def calendar_of(message) -> icalendar.Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no text/calendar part"
    return icalendar.Calendar.from_ical(parts[0].get_content())


def test_request_confirm_email_confirm_reschedule_cancel(client, as_liaison, tours, mailbox):
    slot = first_open()
    client.post("/tours", data=form_data(slot))
    (verify,) = deliver(mailbox, 1)
    assert verify["To"].addresses[0].addr_spec == "robin@example.org"
    assert verify["Subject"] == "Please confirm your tour request"
    assert not [p for p in verify.walk() if p.get_content_type() == "text/calendar"]
    link = manage_link(verify)
    assert only_booking().status == Status.pending

    # The link opens a page with a button: following it (as mail scanners do) holds nothing.
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Confirm my request" in page.get_data(as_text=True)
    assert only_booking().status == Status.pending
    moved_to = client.post(link + "/confirm-email")
    assert moved_to.status_code == 303 and moved_to.headers["Location"].endswith(link)
    b = only_booking()
    assert b.status == Status.requested and b.email_confirmed_at is not None
    assert b.auto_confirm_at is None  # approval is on: it waits for the liaison
    again = client.post(link + "/confirm-email")  # pressing twice changes nothing
    assert again.status_code == 303

    received = deliver(mailbox, 2)[1]
    assert received["Subject"] == "We received your tour request"
    assert manage_link(received) == link  # the same link in every email
    text = body_of(received)
    assert slot.starts_at.astimezone(clock.org_zone()).strftime("%B %-d, %Y") in text
    assert "12 River Street" not in received.as_string()  # the address waits for confirmation
    (tentative,) = calendar_of(received).walk("VEVENT")
    assert str(tentative["STATUS"]) == "TENTATIVE"
    assert tentative.decoded("DTSTART") == slot.starts_at
    uid = str(tentative["UID"])
    assert uid == f"tour-booking-{b.id}@tours.test"  # the host of PUBLIC_BASE_URL
    # The "request received" page: the time, the calendar file, change and cancel.
    page = client.get(link).get_data(as_text=True)
    assert "We received your tour request" in page and "Change the time" in page
    ics = client.get(link + "/tour.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    (from_page,) = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(from_page["UID"]) == uid and str(from_page["STATUS"]) == "TENTATIVE"

    as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm")
    confirmed = deliver(mailbox, 3)[2]
    assert "confirmed" in confirmed["Subject"].lower()
    text = body_of(confirmed)
    assert "12 River Street, Riverbend" in text and "photos" in text
    assert manage_link(confirmed) == link
    cal = calendar_of(confirmed)
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == slot.starts_at  # the same instant,
    # written on the organization's wall clock with its zone (calendar files, issue 15.6)
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event.decoded("DTEND") == slot.ends_at
    assert str(event["UID"]) == uid and str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) > int(tentative["SEQUENCE"])  # replaces the tentative one
    assert "12 River Street" in str(event["LOCATION"])

    # The booker's page: the address; moving goes through a confirmation page, and a moved
    # booking is a request again (approval on: back to review).
    page = client.get(link)
    assert "12 River Street" in page.get_data(as_text=True)
    later = first_open(3)
    chooser = client.get(link + "/reschedule")
    assert f'value="{later.key}"' in chooser.get_data(as_text=True)
    confirm_page = client.get(f"{link}/reschedule/confirm?slot={later.key}")
    assert confirm_page.status_code == 200 and "Move your tour?" in confirm_page.get_data(True)
    assert only_booking().slot.starts_at == slot.starts_at  # GET changed nothing
    moved = client.post(link + "/reschedule/confirm", data={"slot": later.key})
    assert moved.status_code == 303
    b = only_booking()
    assert b.status == Status.requested and b.decided_at is None
    new_time = deliver(mailbox, 4)[3]
    assert new_time["Subject"] == "We received your new tour time"
    (event,) = calendar_of(new_time).walk("VEVENT")
    assert str(event["UID"]) == uid and event.decoded("DTSTART") == later.starts_at
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "12 River Street" not in new_time.as_string()

    # Cancel: GET asks, POST cancels; the page then says so and offers to book again.
    assert "Cancel your tour?" in client.get(link + "/cancel").get_data(as_text=True)
    assert only_booking().status == Status.requested
    assert client.post(link + "/cancel").status_code == 303
    cancelled = deliver(mailbox, 5)[4]
    assert "cancelled" in cancelled["Subject"].lower()
    assert "http://tours.test/tours" in body_of(cancelled)
    cancel_cal = calendar_of(cancelled)
    assert str(cancel_cal["METHOD"]) == "CANCEL"
    assert only_booking().status == Status.cancelled
    page = client.get(link).get_data(as_text=True)
    assert "This tour is cancelled" in page and "Book another tour" in page
    assert "Change the time" not in page and "/reschedule" not in page
    assert client.get(link + "/tour.ics").status_code == 404


def test_history_shows_every_step_and_who(client, as_liaison, tours):
    b = book(client)
    as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm")
    client.post(link_of(b) + "/reschedule/confirm", data={"slot": first_open(2).key})
    client.post(link_of(b) + "/cancel")
    page = as_liaison.get(f"/tours/manage/bookings/{b.id}").get_data(as_text=True)
    history = page[page.index('id="history-heading"'):]
    steps = ["requested for", "the visitor confirmed their email",
             f"Confirmed tour booking #{b.id}", "moved by the visitor from",
             "It waits for review again", "cancelled by the visitor"]
    positions = [history.index(step) for step in steps]
    assert positions == sorted(positions)
    confirmed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "tours.confirmed")).one()
    assert confirmed.actor_id is not None and f"({confirmed.actor_name})" in history


def test_declined_email_carries_the_message_and_withdraws_the_entry(client, as_liaison, tours,
                                                                   mailbox):
    b = book(client)
    as_liaison.post(f"/tours/manage/bookings/{b.id}/decline",
                    data={"message": "Closed for repairs"})
    messages = deliver(mailbox, 3)
    assert "Closed for repairs" in body_of(messages[2])
    assert str(calendar_of(messages[2])["METHOD"]) == "CANCEL"
    page = client.get(link_of(b)).get_data(as_text=True)
    assert "We can't host this visit" in page and "Book another tour" in page


def test_without_approval_requests_confirm_themselves_after_a_random_delay(
        client, app, runner, mailbox):
    configure(approval_required=False)
    b = submit(client)
    assert b.status == Status.pending
    before = utcnow()
    confirm_email(client, b)
    b = only_booking()
    assert b.status == Status.requested  # the same first answer as everyone's
    low, high = services.AUTO_CONFIRM_DELAY
    assert before + low <= b.auto_confirm_at <= utcnow() + high
    assert services.confirm_due(utcnow()) == 0
    assert only_booking().status == Status.requested
    messages = deliver(mailbox, 2)
    assert [m["Subject"] for m in messages] == ["Please confirm your tour request",
                                                "We received your tour request"]
    # The delay passes; the mail worker (`outbox work --once`, as cron runs it) confirms it.
    b.auto_confirm_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    b = only_booking()
    assert b.status == Status.confirmed and b.auto_confirm_at is None
    confirmed = mailbox.wait_for(3)[2]
    assert confirmed["Subject"] == "Your tour is confirmed"
    (event,) = calendar_of(confirmed).walk("VEVENT")
    assert str(event["STATUS"]) == "CONFIRMED"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tours.confirmed")
                               ).one()
    assert "automatically" in event.summary and event.actor_id is None


def test_switching_approval_on_stops_pending_automatic_confirmations(client, app):
    configure(approval_required=False)
    b = book(client)
    assert b.auto_confirm_at is not None
    configure(approval_required=True)
    assert services.confirm_due(utcnow() + timedelta(hours=1)) == 0
    b = only_booking()
    assert b.status == Status.requested and b.auto_confirm_at is None


def test_unknown_token_is_404(client, tours):
    assert client.get("/tours/booking/not-a-real-token").status_code == 404
    assert client.post("/tours/booking/not-a-real-token/cancel").status_code == 404
    assert client.post("/tours/booking/not-a-real-token/confirm-email").status_code == 404
    assert client.get("/tours/booking/not-a-real-token/tour.ics").status_code == 404


def test_reminder_the_day_before(app, runner, client, as_liaison, tours, mailbox):
    b = book(client)
    as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm")
    db.session.commit()
    # Move the tour to tomorrow evening so it is due.
    tomorrow = clock.today() + timedelta(days=1)
    from datetime import datetime

    from app.settings.clock import org_zone

    b = only_booking()
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 19, tzinfo=org_zone())
    b.slot.starts_at, b.slot.ends_at = start, start + timedelta(hours=1)
    db.session.commit()
    result = runner.invoke(args=["tours", "remind"])
    assert "Queued 1 tour reminder" in result.output
    assert "Queued 0" in runner.invoke(args=["tours", "remind"]).output  # only once
    messages = deliver(mailbox, 4)
    assert "Reminder" in messages[3]["Subject"]


def test_purge_anonymizes_after_the_configured_days(app, runner, client, tours, mailbox):
    configure(purge_days=30)
    book(client, name="Purgeable Person", phone="+1 312 555 0100", reason="MARKER-REASON")
    book(client, 2, email="keep@example.org", name="Recent Visitor")
    old, recent = db.session.scalars(select(TourBooking).order_by(TourBooking.id)).all()
    old.slot.starts_at = utcnow() - timedelta(days=31, hours=1)
    old.slot.ends_at = utcnow() - timedelta(days=31)
    db.session.commit()

    result = runner.invoke(args=["purge"])
    assert "Anonymized 1 tour booker" in result.output
    db.session.expire_all()
    assert old.name == "(removed)" and old.email == "(removed)" and old.phone is None
    assert old.reason is None and old.anonymized_at is not None and old.ip_hash is None
    assert recent.name == "Recent Visitor"
    # Nothing personal left anywhere in the tables, outbox included.
    outbox = db.session.scalars(select(OutboxMessage.raw)).all()
    assert not any(b"Purgeable" in raw or b"robin@example.org" in raw for raw in outbox)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tours.purged")).one()
    assert event.summary == "Anonymized 1 tour booker"
    # The manage link no longer opens anything.
    assert services.booking_for_token(services.manage_token(old)) is None


def test_unconfirmed_requests_lapse_after_an_hour_and_go_a_day_later(app, runner, client,
                                                                      tours):
    b = submit(client, name="Never Confirmed", email="never@example.org")
    link = link_of(b)
    b.created_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    page = client.get(link)
    assert "Lapsed" in page.get_data(as_text=True)
    refused = confirm_email(client, b)
    assert refused.status_code == 409 and "lapsed" in refused.get_data(as_text=True)
    assert only_booking().status == Status.pending
    assert client.post(link + "/reschedule/confirm",
                       data={"slot": first_open(1).key}).status_code == 409
    # A day on, `flask purge` deletes it and its "please confirm" email.
    b = only_booking()
    b.created_at = utcnow() - timedelta(days=1, minutes=1)
    db.session.execute(OutboxMessage.__table__.update().values(
        created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert runner.invoke(args=["purge"]).exit_code == 0
    assert db.session.scalar(select(func.count(TourBooking.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert client.get(link).status_code == 404


def test_a_pending_request_can_move_or_be_withdrawn_before_confirming(client, tours):
    b = submit(client)
    later = first_open(2)
    response = client.post(link_of(b) + "/reschedule/confirm", data={"slot": later.key})
    assert response.status_code == 303
    b = only_booking()
    assert b.status == Status.pending and b.slot.starts_at == later.starts_at
    assert client.post(link_of(b) + "/cancel").status_code == 303
    assert only_booking().status == Status.cancelled
    assert confirm_email(client, b).status_code == 303  # nothing to confirm any more
    assert only_booking().status == Status.cancelled


def test_a_time_that_filled_before_the_email_was_confirmed(client, tours):
    slot = first_open()
    late = submit(client, email="late@example.org", group_size="3")
    book(client, email="early@example.org", group_size="5")
    response = confirm_email(client, late)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "That time just filled" in body and "nearest open times" in body
    assert f"slot={slot.key}" not in body
    assert db.session.get(TourBooking, late.id).status == Status.pending


def test_screened_booker_is_held_and_never_told(client, app, as_liaison, mailbox):
    configure(approval_required=False)
    services.add_screen(ScreenKind.domain, "@Watch.example", ScreenAction.hold)
    db.session.commit()
    ok = book(client, group_size="1")
    screened = book(client, 1, email="someone@watch.example", group_size="1")
    assert ok.auto_confirm_at is not None and not ok.held
    assert screened.status == Status.requested and screened.held
    assert screened.auto_confirm_at is None
    assert services.confirm_due(utcnow() + timedelta(hours=1)) == 1
    db.session.expire_all()
    assert db.session.get(TourBooking, ok.id).status == Status.confirmed
    assert db.session.get(TourBooking, screened.id).status == Status.requested
    page = as_liaison.get(f"/tours/manage/bookings/{screened.id}").get_data(as_text=True)
    assert "domain is on the screening list" in page
    messages = deliver(mailbox, 5)
    held_mail = [m for m in messages if "watch.example" in m["To"]]
    assert len(held_mail) == 2
    assert not any("screen" in m.as_string().lower() for m in held_mail)


def test_blocked_booker_waits_marked_blocked_and_is_never_confirmed(client, as_liaison, app):
    configure(approval_required=False)
    services.add_screen(ScreenKind.email, "Blocked@Example.org ", ScreenAction.block)
    db.session.commit()
    b = book(client, email="blocked@example.org", group_size="1")
    assert b.status == Status.requested and b.held and b.blocked and b.auto_confirm_at is None
    assert services.confirm_due(utcnow() + timedelta(hours=1)) == 0
    page = as_liaison.get(f"/tours/manage/bookings/{b.id}").get_data(as_text=True)
    assert "Blocked by the screening list" in page
    index = as_liaison.get("/tours/manage/").get_data(as_text=True)
    assert "Blocked</span>" in index


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
