"""Updates keep answers: an update carries each invitee's last answer (PARTSTAT) and asks
again (NEEDS-ACTION, RSVP=TRUE) only when the time or the place moved enough to matter (the
event settings); a cancellation reaches everyone. Read from the real SMTP server and parsed
by icalendar and ical.js."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.events import invitations, reminders, services
from app.events.models import Answer, Invitation
from app.extensions import db
from app.settings import services as settings
from tests.factories import make_event, make_invitee

START = datetime(2031, 6, 3, 23, 0, tzinfo=UTC)  # 6:00 PM in Chicago


def _form(event, **overrides) -> dict:
    local = {"starts": "2031-06-03T18:00", "ends": "2031-06-03T20:00"}
    data = {"title": event.title, "kind": "open_house", "timezone": "America/Chicago",
            "location": event.location, "address": event.address, "description": "",
            "capacity": "", "status": "scheduled", **local}
    data.update(overrides)
    return data


@pytest.fixture
def invited(app):
    """An event with four invitees who answered yes, maybe, no, and nothing yet; the
    invitations already delivered and out of the way."""
    event = make_event(title="Summer celebration", starts_at=START,
                       ends_at=START + timedelta(hours=2), location="Riverbend drop-in center",
                       address="12 Main St")
    people = {a: make_invitee(first_name=a.value.title()) for a in Answer}
    db.session.commit()
    invitations.invite(event, [p.id for p in people.values()], None)
    for inv in db.session.scalars(select(Invitation).options(selectinload(Invitation.event))):
        answer = next(a for a, p in people.items() if p.id == inv.contact_id)
        if answer != Answer.pending:
            invitations.respond(inv, answer)
    db.session.commit()
    from app.mail.models import OutboxMessage

    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    return event


def _by_answer() -> dict[Answer, Invitation]:
    rows = db.session.scalars(select(Invitation)).all()
    return {Answer(r.name.split()[0].lower()): r for r in rows}


def _attendee(message):
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (vevent,) = cal.walk("VEVENT")
    return cal, vevent, vevent["ATTENDEE"]


def _mail_for(messages, inv: Invitation):
    (message,) = [m for m in messages if inv.email in m["To"]]
    return message


def test_a_detail_changed_keeps_every_answer(as_liaison, invited, deliver, icaljs):
    response = as_liaison.post(f"/events/{invited.id}/edit",
                               data=_form(invited, title="Summer celebration!"))
    assert response.status_code == 303
    messages = deliver(3)  # everyone but the one who said no
    invs = _by_answer()
    assert {inv.answer for inv in invs.values()} == set(Answer)  # nothing reset
    assert all(m["Subject"] == "Updated: Summer celebration!" for m in messages)
    assert not [m for m in messages if invs[Answer.no].email in m["To"]]
    expected = {Answer.yes: ("ACCEPTED", "FALSE"), Answer.maybe: ("TENTATIVE", "FALSE"),
                Answer.pending: ("NEEDS-ACTION", "TRUE")}
    for answer, (partstat, rsvp) in expected.items():
        message = _mail_for(messages, invs[answer])
        cal, vevent, attendee = _attendee(message)
        assert cal["METHOD"] == "REQUEST" and int(vevent["SEQUENCE"]) == 1
        assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == (partstat, rsvp)
        text = message.get_body(preferencelist=("plain",)).get_content()
        if answer == Answer.yes:
            assert "Your answer stays yes; there's no need to answer again." in text
            # ical.js reads the same answer out of the same part
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            (event,) = icaljs(part.get_payload(decode=True).decode())
            assert event["attendees"] == [{"address": f"mailto:{invs[answer].email}",
                                           "partstat": "ACCEPTED", "rsvp": "FALSE"}]
        if answer == Answer.pending:
            assert "Please let us know if you can come" in text
    assert "gets the update; their answers stand" in as_liaison.get(
        f"/events/{invited.id}").get_data(as_text=True)


def test_a_small_move_keeps_answers(as_liaison, invited, deliver):
    as_liaison.post(f"/events/{invited.id}/edit",
                    data=_form(invited, starts="2031-06-03T18:30", ends="2031-06-03T20:30"))
    messages = deliver(3)
    invs = _by_answer()
    assert invs[Answer.yes].answer == Answer.yes and invs[Answer.yes].previous_answer is None
    message = _mail_for(messages, invs[Answer.yes])
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "6:30 PM" in text and "(it was Tuesday, June 3, 2031, 6:00 PM" in text
    assert _attendee(message)[2].params["PARTSTAT"] == "ACCEPTED"


def test_a_move_that_matters_asks_everyone_again(as_liaison, invited, deliver, icaljs):
    response = as_liaison.post(f"/events/{invited.id}/edit", data=_form(
        invited, starts="2031-06-04T18:00", ends="2031-06-04T20:00"))
    assert response.status_code == 303
    messages = deliver(4)  # the one who said no too: the new day may suit them
    invs = _by_answer()
    for answer, inv in invs.items():
        assert inv.answer == Answer.pending and inv.asked_sequence == 1
        assert inv.previous_answer == (None if answer == Answer.pending else answer)
        message = _mail_for(messages, inv)
        assert message["Subject"] == "Please answer again: Summer celebration"
        _cal, _vevent, attendee = _attendee(message)
        assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("NEEDS-ACTION", "TRUE")
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "has changed Summer celebration: the time changed." in text
        assert "Wednesday, June 4, 2031, 6:00 PM" in text and "(it was Tuesday, June 3" in text
        if answer != Answer.pending:
            assert f"You had answered {answer.label.lower()}. Please let us know again" in text
    part = next(p for p in _mail_for(messages, invs[Answer.no]).walk()
                if p.get_content_type() == "text/calendar")
    (event,) = icaljs(part.get_payload(decode=True).decode())
    assert event["start"] == "2031-06-04T23:00:00.000Z"
    assert event["attendees"][0]["partstat"] == "NEEDS-ACTION"
    assert event["attendees"][0]["rsvp"] == "TRUE"

    page = as_liaison.get(f"/events/{invited.id}").get_data(as_text=True)
    assert "said yes before the change; asked again" in page
    assert "everyone invited is asked again" in page


def test_answering_again_settles_it(client, invited):
    services.save_event(invited, {"starts_at": START + timedelta(days=1),
                                  "ends_at": START + timedelta(days=1, hours=2)},
                        hosts=[], speakers=[], by=None)
    db.session.commit()
    inv = _by_answer()[Answer.yes]
    assert inv.previous_answer == Answer.yes
    client.post(f"/rsvp/{invitations.rsvp_token(inv)}", data={"answer": "maybe"})
    db.session.refresh(inv)
    assert (inv.answer, inv.previous_answer, inv.answered_via) == (Answer.maybe, None, "page")


@pytest.mark.parametrize("location, address, asked", [
    ("riverbend Drop-In center!", "12 Main St.", False),  # spelling: not another place
    ("City Hall", "12 Main St", True),
    ("Riverbend drop-in center", "400 Oak Ave", True),
])
def test_a_new_place_asks_again_a_new_spelling_doesnt(app, invited, location, address, asked):
    services.save_event(invited, {"location": location, "address": address}, hosts=[],
                        speakers=[], by=None)
    assert invited.change.place_changed is asked and invited.change.ask_again is asked
    assert (_by_answer()[Answer.yes].answer == Answer.pending) is asked


def test_the_settings_decide_what_matters(as_liaison, invited):
    bad = as_liaison.post("/events/settings", data={"reminder_days": "2", "reask_minutes": "0"})
    assert bad.status_code == 422 and "Between 1 minute and a week" in bad.get_data(as_text=True)
    ok = as_liaison.post("/events/settings", data={"reminder_days": "2", "reask_minutes": "15",
                                                   "offer_hours": "24", "purge_days": "90"})
    assert ok.status_code == 303
    assert services.reask_minutes() == 15 and services.reask_on_place() is False
    page = as_liaison.get("/events/settings").get_data(as_text=True)
    assert 'value="15"' in page
    services.save_event(invited, {"starts_at": START + timedelta(minutes=15),
                                  "ends_at": START + timedelta(hours=2, minutes=15)},
                        hosts=[], speakers=[], by=None)
    assert invited.change.moved and invited.change.reason == "the time changed"
    services.save_event(invited, {"location": "City Hall"}, hosts=[], speakers=[], by=None)
    assert not invited.change.ask_again  # the place setting is off


def test_a_cancellation_reaches_everyone(app, invited, deliver):
    settings.put(services.REASK_MINUTES_KEY, 60)
    services.cancel_event(invited)
    db.session.commit()
    messages = deliver(4)
    for message in messages:
        cal, vevent, _attendee_line = _attendee(message)
        assert cal["METHOD"] == "CANCEL" and str(vevent["STATUS"]) == "CANCELLED"
        assert message["Subject"] == "Cancelled: Summer celebration"


def test_nobody_hears_about_an_update_after_the_start(app, invited):
    invited.starts_at = datetime.now(UTC) - timedelta(hours=1)
    invited.ends_at = datetime.now(UTC) + timedelta(hours=1)
    db.session.commit()
    services.save_event(invited, {"description": "Thanks for coming"}, hosts=[], speakers=[],
                        by=None)
    from app.mail.models import OutboxMessage

    assert invited.sequence == 1  # calendars that look again see it...
    assert db.session.scalars(select(OutboxMessage)).all() == []  # ...but no mail goes


def test_a_reminder_carries_the_yes(app, invited, deliver):
    invited.starts_at = datetime.now(UTC) + timedelta(days=1)
    invited.ends_at = invited.starts_at + timedelta(hours=2)
    db.session.commit()
    assert reminders.send_reminders() == 1
    db.session.commit()
    (message,) = deliver(1)
    assert _attendee(message)[2].params["PARTSTAT"] == "ACCEPTED"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "You answered yes. To change your answer:" in text


def test_another_audience_hears_the_same_change(app, invited):
    """The seam for public registrants (and any other audience): told once per change."""
    heard = []
    services.register_audience("test-audience", lambda event, change: heard.append(
        (event.id, change.ask_again, change.cancelled)) or 1)
    try:
        services.save_event(invited, {"title": "Renamed"}, hosts=[], speakers=[], by=None)
        services.save_event(invited, {"starts_at": START + timedelta(days=2),
                                      "ends_at": START + timedelta(days=2, hours=1)},
                            hosts=[], speakers=[], by=None)
        services.cancel_event(invited)
    finally:
        services.AUDIENCES.pop("test-audience")
    assert heard == [(invited.id, False, False), (invited.id, True, False),
                     (invited.id, False, True)]
