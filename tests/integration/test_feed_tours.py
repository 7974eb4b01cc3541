"""The private calendar feed carries confirmed tours, as "Tour (N people)" and nothing about
the visitors; parsed back with icalendar."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from sqlalchemy import select

from app.database import utcnow
from app.events import feeds
from app.extensions import db
from app.tours import services
from app.tours.models import TourBooking
from tests.tours.conftest import book, configure

MARKER = "Qv9Marker"


def _feed(client, user) -> icalendar.Calendar:
    response = client.get(f"/calendar/feed/{feeds.feed_token(user)}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.get_data(as_text=True))


def _tours(cal) -> dict:
    """Tour items by booking id (the UID is tour-booking-<id>@<our host>, as in the
    booker's own calendar file)."""
    return {int(str(e["UID"]).split("@")[0].removeprefix("tour-booking-")): e
            for e in cal.walk("VEVENT") if str(e["UID"]).startswith("tour-booking-")}


def test_confirmed_tours_appear_without_visitor_details(client, as_liaison, as_staff):
    configure()
    details = {"name": f"{MARKER} Visitor", "email": f"{MARKER.lower()}@example.org",
               "phone": "555-555-0199", "affiliation": f"{MARKER} Org",
               "reason": f"{MARKER} reason", "accessibility": f"{MARKER} ramp"}
    confirmed = book(client, 0, group_size="3", **details)
    requested = book(client, 1, group_size="1", email="waiting@example.org")
    declined = book(client, 2, group_size="2", email="no@example.org")
    services.confirm(confirmed)
    services.decline(declined)
    db.session.commit()
    for client_, who in ((as_liaison, as_liaison.user), (as_staff, as_staff.user)):
        body = client_.get(f"/calendar/feed/{feeds.feed_token(who)}.ics").get_data(
            as_text=True)
        assert MARKER not in body and MARKER.lower() not in body
        assert "555" not in body and "@example.org" not in body
        tours = _tours(_feed(client_, who))
        assert list(tours) == [confirmed.id]
        event = tours[confirmed.id]
        assert str(event["SUMMARY"]) == "Tour (3 people)"
        assert event.decoded("DTSTART") == confirmed.slot.starts_at
        assert str(event["STATUS"]) == "CONFIRMED"
        assert "ATTENDEE" not in event and "DESCRIPTION" not in event
    # Only the liaison's feed links to the booking page (others can't open it anyway).
    assert str(_tours(_feed(as_liaison, as_liaison.user))[
        confirmed.id]["URL"]).endswith(
        f"/tours/manage/bookings/{confirmed.id}")
    assert "URL" not in _tours(_feed(as_staff, as_staff.user))[
        confirmed.id]
    assert requested.id and declined.id


def test_a_cancelled_tour_is_marked_cancelled_with_a_higher_sequence(client, as_liaison):
    configure(approval_required=False)
    booking = book(client, group_size="1")
    services.confirm_due(utcnow() + timedelta(hours=1))  # confirmed after its delay
    db.session.commit()
    uid = booking.id
    before = _tours(_feed(as_liaison, as_liaison.user))[uid]
    assert str(before["SUMMARY"]) == "Tour (1 person)"
    services.cancel(db.session.get(TourBooking, booking.id), by_booker=True)
    db.session.commit()
    after = _tours(_feed(as_liaison, as_liaison.user))[uid]
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before.get("SEQUENCE", 0))


def test_a_tour_has_one_uid_in_the_bookers_file_and_the_staff_feed(client, as_liaison):
    """One UID per thing: a booker's calendar and a staff calendar that both hold the tour
    see the same event, and the cancellation file replaces it in both."""
    from email import policy
    from email.parser import BytesParser

    from app.mail.models import OutboxMessage

    configure(approval_required=False)
    booking = book(client, group_size="2")
    services.confirm_due(utcnow() + timedelta(hours=1))
    db.session.commit()

    def calendars():
        for row in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
            message = BytesParser(policy=policy.default).parsebytes(row.raw)
            for part in message.walk():
                if part.get_content_type() == "text/calendar":
                    yield icalendar.Calendar.from_ical(part.get_content())
                    break

    requested, confirmed = list(calendars())  # "request received", then "confirmed"
    assert str(requested.walk("VEVENT")[0]["UID"]) == str(confirmed.walk("VEVENT")[0]["UID"])
    (mailed,) = confirmed.walk("VEVENT")
    feed_uid = str(_tours(_feed(as_liaison, as_liaison.user))[booking.id]["UID"])
    assert str(mailed["UID"]) == feed_uid == f"tour-booking-{booking.id}@tours.test"
    services.cancel(db.session.get(TourBooking, booking.id), by_booker=True)
    db.session.commit()
    cancelled = list(calendars())[-1]
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(cancelled.walk("VEVENT")[0]["UID"]) == feed_uid
