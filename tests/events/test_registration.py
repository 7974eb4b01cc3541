"""Registering for a public event: the confirmation (real SMTP, a calendar file parsed back),
the private link to see, change or cancel, the waitlist and its offers (accepted, declined,
expired), the private address, reminders the day before, consent to become a contact, the
liaison's decisions, the CSV export and the retention purge."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.events import registrations
from app.events.models import Event, Registration, RegistrationStatus
from app.extensions import db
from app.mail.models import OutboxMessage
from app.people.models import Contact
from tests.events.conftest import manage_link, open_event, register, registration
from tests.factories import make_contact, make_event

pytestmark = pytest.mark.usefixtures("public_address")

REG = RegistrationStatus


def _mails(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == f"event_registration.{kind}")
    return list(db.session.scalars(query))


def _path(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_register_confirm_by_email_then_change_and_cancel(app, client, event_open, deliver):
    response = register(client, event_open, name="Robin Neighbor", group_size="2",
                        accessibility="A seat near the door, please.", contact_consent="y")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/public-events/registered?event={event_open.slug}"
    assert "Set-Cookie" not in response.headers
    reg = registration()
    assert (reg.status, reg.group_size, reg.held, reg.contact_consent) == (REG.registered, 2,
                                                                         False, True)
    assert reg.accessibility == "A seat near the door, please."

    (message,) = deliver(1)
    assert message["Subject"] == "You're registered: Spring open house"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "for a group of 2" in body and "Step-free entrance on River St." in body
    calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    (vevent,) = icalendar.Calendar.from_ical(calendars[-1].get_content()).walk("VEVENT")
    assert str(vevent["UID"]) == event_open.uid
    assert vevent.decoded("DTSTART") == event_open.starts_at
    link = manage_link(message)
    assert link.startswith("http://events.test/public-events/registration/")
    assert link in str(vevent["DESCRIPTION"]).replace("\n", "")

    page = client.get(_path(link))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "You have a place for 2 people." in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in page.headers["X-Robots-Tag"]

    changed = client.post(_path(link), data={"name": "Robin N.", "group_size": "3",
                                             "phone": "(312) 555-0100", "affiliation": "",
                                             "accessibility": ""})
    assert changed.status_code == 303
    db.session.refresh(reg)
    assert (reg.name, reg.group_size, reg.phone, reg.contact_consent) == (
        "Robin N.", 3, "+13125550100", False)
    bad = client.post(_path(link), data={"name": "", "group_size": "99"})
    assert bad.status_code == 422
    assert "Please tell us your name." in bad.get_data(as_text=True)

    confirm = client.get(_path(link) + "/cancel")
    assert "Yes, cancel my registration" in confirm.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.status == REG.registered  # a GET changes nothing: mail scanners follow links
    done = client.post(_path(link) + "/cancel")
    assert done.status_code == 303
    db.session.refresh(reg)
    assert reg.status == REG.cancelled
    (_, cancelled) = deliver(2)
    assert cancelled["Subject"] == "Cancelled: your registration for Spring open house"
    assert "no longer active" in client.get(_path(link) + "/cancel").get_data(as_text=True)


def test_an_unknown_or_purged_link_is_404(app, client, event_open):
    assert client.get("/public-events/registration/nope").status_code == 404
    assert client.get("/public-events/registration/" + "x" * 300).status_code == 404
    assert client.post("/public-events/registration/nope/cancel").status_code == 404


def test_full_means_the_waitlist_and_a_freed_place_is_offered_in_order(app, client, deliver):
    event = open_event(app, capacity=3)
    register(client, event, email="a@example.org", group_size="3")
    register(client, event, email="big@example.org", group_size="2")
    register(client, event, email="small@example.org", group_size="1")
    a, big, small = (registration(e) for e in ("a@example.org", "big@example.org",
                                                "small@example.org"))
    assert (a.status, big.status, small.status) == (REG.registered, REG.waitlisted,
                                                     REG.waitlisted)
    assert registrations.waitlist_position(small) == 2
    subjects = [m.subject for m in _mails()]
    assert subjects.count("You're on the waitlist: Spring open house") == 2

    a_link = f"/public-events/registration/{registrations.manage_token(a)}"
    client.post(a_link, data={"name": a.name, "group_size": "2"})  # one place frees
    db.session.expire_all()
    # The first in line needs two places; the next, whose group fits, is offered the one.
    assert (registration("big@example.org").status, registration("small@example.org").status
            ) == (REG.waitlisted, REG.offered)
    client.post(f"{a_link}/cancel")  # two more free: now the first in line fits
    db.session.expire_all()
    big = registration("big@example.org")
    assert big.status == REG.offered
    assert big.offer_expires_at - big.offered_at == timedelta(hours=24)

    messages = deliver(len(_mails()))
    offer = next(m for m in messages if m["To"].addresses[0].addr_spec == "big@example.org"
                 and m["Subject"].startswith("A place is open"))
    body = offer.get_body(preferencelist=("plain",)).get_content()
    assert "It's held for you until" in body
    link = _path(manage_link(offer))
    page = client.get(link).get_data(as_text=True)
    assert "Yes, I'll take the place" in page
    assert client.post(link + "/accept").status_code == 303
    db.session.refresh(big)
    assert big.status == REG.registered
    assert _mails("registered")[-1].recipient == "big@example.org"


def test_an_offer_that_runs_out_goes_to_the_next_in_line(app, client, runner):
    event = open_event(app, capacity=1)
    for who in ("first", "second", "third"):
        register(client, event, email=f"{who}@example.org")
    first = registration("first@example.org")
    registrations.cancel(first)
    db.session.commit()
    second = registration("second@example.org")
    assert second.status == REG.offered
    later = second.offer_expires_at + timedelta(minutes=1)
    assert registrations.process_waitlists(later) == (1, 1)
    db.session.commit()
    db.session.expire_all()
    assert registration("second@example.org").status == REG.lapsed
    third = registration("third@example.org")
    assert third.status == REG.offered
    assert [m.recipient for m in _mails("lapsed")] == ["second@example.org"]

    # Too late by the real clock: the lapse is recorded and the page says why.
    third.offer_expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    token = registrations.manage_token(third)
    response = client.post(f"/public-events/registration/{token}/accept")
    assert response.status_code == 303
    db.session.expire_all()
    assert registration("third@example.org").status == REG.lapsed
    follow = client.get(f"/public-events/registration/{token}").get_data(as_text=True)
    assert "this offer expired" in follow
    assert "The place we offered went to the next person in line." in follow
    result = runner.invoke(args=["events", "waitlist"])
    assert result.exit_code == 0 and "0 offers lapsed" in result.output


def test_declining_an_offer_passes_it_on(app, client):
    event = open_event(app, capacity=1)
    for who in ("first", "second", "third"):
        register(client, event, email=f"{who}@example.org")
    registrations.cancel(registration("first@example.org"))
    db.session.commit()
    token = registrations.manage_token(registration("second@example.org"))
    assert client.post(f"/public-events/registration/{token}/decline-offer").status_code == 303
    db.session.expire_all()
    assert registration("second@example.org").status == REG.cancelled
    assert registration("third@example.org").status == REG.offered


def test_more_capacity_offers_places_at_once(app, client, as_liaison):
    event = open_event(app, capacity=1, title="Open house")
    register(client, event, email="a@example.org")
    register(client, event, email="b@example.org")
    assert registration("b@example.org").status == REG.waitlisted
    zone = "America/Chicago"
    start = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo(zone))
    response = as_liaison.post(f"/events/{event.id}/edit", data={
        "title": "Open house", "kind": "open_house", "timezone": zone, "status": "scheduled",
        "starts": start.strftime("%Y-%m-%dT%H:%M"),
        "ends": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "2", "is_public": "y", "registration_open": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert registration("b@example.org").status == REG.offered


def test_a_group_can_grow_only_into_free_places(app, client):
    event = open_event(app, capacity=4)
    register(client, event, email="a@example.org", group_size="2")
    register(client, event, email="b@example.org", group_size="1")
    token = registrations.manage_token(registration("a@example.org"))
    refused = client.post(f"/public-events/registration/{token}",
                          data={"name": "A", "group_size": "4"})
    assert refused.status_code == 409
    assert "only 1 more place left" in refused.get_data(as_text=True)
    assert registration("a@example.org").group_size == 2
    assert client.post(f"/public-events/registration/{token}",
                       data={"name": "A", "group_size": "3"}).status_code == 303
    assert registration("a@example.org").group_size == 3


def test_registering_again_sends_the_link_again(app, client, event_open):
    register(client, event_open, email="robin@example.org")
    again = register(client, event_open, email="ROBIN@example.org")
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    (mail,) = _mails("again")
    assert mail.recipient == "robin@example.org"
    assert "/public-events/registration/" in mail.raw.decode()


def test_closed_full_sized_and_too_big_groups_are_refused_with_reasons(app, client):
    event = open_event(app, capacity=3)
    too_big = register(client, event, group_size="4")
    assert too_big.status_code == 422
    assert "This event has room for 3 people in all." in too_big.get_data(as_text=True)
    event.registration_open = False
    db.session.commit()
    closed = register(client, event)
    assert closed.status_code == 409
    assert "Registration for this event has closed." in closed.get_data(as_text=True)
    private = make_event(is_public=False, registration_open=True)
    db.session.commit()
    assert register(client, private).status_code == 404
    assert db.session.scalar(select(Registration.id)) is None


# --- the private address ------------------------------------------------------------------


def test_a_private_address_goes_by_email_after_registering(app, client, deliver):
    event = open_event(app, address="12 Hidden Lane", address_invitees_only=True)
    register(client, event)
    first, second = deliver(2)
    assert first["Subject"] == "You're registered: Spring open house"
    assert "12 Hidden Lane" not in first.as_string()
    assert "we'll email it to you before the event" in first.as_string()
    assert second["Subject"] == "Where to find us: Spring open house"
    body = second.get_body(preferencelist=("plain",)).get_content()
    assert "Riverbend drop-in center, 12 Hidden Lane" in body
    calendar = [p for p in second.walk() if p.get_content_type() == "text/calendar"][-1]
    (vevent,) = icalendar.Calendar.from_ical(calendar.get_content()).walk("VEVENT")
    assert "12 Hidden Lane" in str(vevent["LOCATION"]) and str(vevent["UID"]) == event.uid
    token = registrations.manage_token(registration())
    assert "12 Hidden Lane" in client.get(f"/public-events/registration/{token}").get_data(
        as_text=True)


def test_the_address_email_waits_a_random_while(app, client):
    event = open_event(app, address="12 Hidden Lane", address_invitees_only=True)
    app.config["EVENTS_ADDRESS_DELAY_MINUTES"] = (5, 30)
    before = datetime.now(UTC)
    register(client, event)
    (address,) = _mails("address")
    (confirmation,) = _mails("registered")
    assert confirmation.next_attempt_at <= datetime.now(UTC)
    assert before + timedelta(minutes=5) <= address.next_attempt_at
    assert address.next_attempt_at <= datetime.now(UTC) + timedelta(minutes=30)


# --- reminders ------------------------------------------------------------------------------


def test_reminders_go_the_day_before_once(app, client, runner, deliver):
    now = datetime.now(UTC)
    soon = open_event(app, title="Tomorrow's open house", starts_at=now + timedelta(hours=20),
                      ends_at=now + timedelta(hours=22), address="12 Hidden Lane",
                      address_invitees_only=True)
    later = open_event(app, title="Next month", starts_at=now + timedelta(days=30),
                       ends_at=now + timedelta(days=30, hours=2))
    register(client, soon, email="soon@example.org")
    register(client, later, email="later@example.org")
    db.session.commit()
    sent_before = len(_mails())
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    assert "Queued 0 digests and 1 reminder." in result.output
    (reminder,) = _mails("reminder")
    assert reminder.recipient == "soon@example.org"
    assert runner.invoke(args=["digest", "send"]).exit_code == 0
    assert len(_mails("reminder")) == 1  # never twice
    messages = deliver(sent_before + 1)
    (mail,) = [m for m in messages if m["Subject"].startswith("Reminder:")]
    assert "12 Hidden Lane" in mail.get_body(preferencelist=("plain",)).get_content()


# --- screening and the liaison's decisions --------------------------------------------------


def test_a_screened_registrant_waits_for_the_liaison_then_gets_the_address(app, client,
                                                                            as_liaison):
    make_contact(first_name="Pat", last_name="Opposed", stance="challenger",
                 emails=["pat@watch.example"])
    event = open_event(app, address="12 Hidden Lane", address_invitees_only=True)
    register(client, event, email="pat@watch.example", name="Pat Opposed")
    reg = registration("pat@watch.example")
    assert reg.held and not reg.blocked and reg.status == REG.registered
    assert [m.kind for m in _mails()] == ["event_registration.registered"]  # no address
    page = as_liaison.get(f"/events/{event.id}/registrations/{reg.id}")
    html = page.get_data(as_text=True)
    assert "Waits for your decision" in html and "email matches contact Pat Opposed" in html
    assert "Waits for you" in as_liaison.get(f"/events/{event.id}").get_data(as_text=True)
    assert as_liaison.post(f"/events/{event.id}/registrations/{reg.id}/approve"
                           ).status_code == 303
    db.session.refresh(reg)
    assert not reg.held and reg.decided_at
    assert [m.kind for m in _mails()][-1] == "event_registration.address"


def test_the_liaison_declines_and_the_place_goes_on(app, client, as_liaison, as_staff):
    event = open_event(app, capacity=1)
    register(client, event, email="a@example.org")
    register(client, event, email="b@example.org")
    a = registration("a@example.org")
    url = f"/events/{event.id}/registrations/{a.id}/decline"
    assert as_staff.post(url).status_code == 403
    assert as_liaison.post(url, data={"message": "x" * 3000}).status_code == 422
    assert as_liaison.post(url, data={"message": "We are full of staff."}).status_code == 303
    db.session.expire_all()
    assert registration("a@example.org").status == REG.declined
    assert registration("b@example.org").status == REG.offered
    (declined,) = _mails("declined")
    assert "We are full of staff." in declined.raw.decode()


def test_a_registrant_who_agreed_becomes_a_contact(app, client, as_liaison):
    event = open_event(app)
    register(client, event, email="yes@example.org", name="Yes Person", contact_consent="y",
             phone="(312) 555-0100", affiliation="Harbor Clinic")
    register(client, event, email="no@example.org", name="No Person")
    agreed, refused = registration("yes@example.org"), registration("no@example.org")
    base = f"/events/{event.id}/registrations"
    no = as_liaison.post(f"{base}/{refused.id}/contact")
    assert no.status_code == 303 and db.session.scalar(select(Contact.id)) is None
    assert as_liaison.post(f"{base}/{agreed.id}/contact").status_code == 303
    contact = db.session.scalars(select(Contact)).one()
    from app.people.models import Organization

    assert contact.name == "Yes Person"
    assert db.session.get(Organization, contact.organization_id).name == "Harbor Clinic"
    db.session.refresh(agreed)
    assert agreed.contact_id == contact.id
    as_liaison.post(f"{base}/{agreed.id}/contact")  # twice: still one contact
    assert db.session.scalar(select(func.count(Contact.id))) == 1


def test_staff_see_names_not_details(app, client, as_staff):
    event = open_event(app)
    register(client, event, email="private@example.org", name="Casey Visitor")
    reg = registration("private@example.org")
    page = as_staff.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Casey Visitor" in page and "private@example.org" not in page
    assert as_staff.get(f"/events/{event.id}/registrations/{reg.id}").status_code == 403
    assert as_staff.get(f"/events/{event.id}/registrations.csv").status_code == 403


def test_the_export_is_formula_safe_and_audited(app, client, as_liaison):
    event = open_event(app)
    register(client, event, email="calc@example.org", name="=HYPERLINK(\"http://x\")",
             affiliation="+1 evil", accessibility="@SUM(A1)")
    response = as_liaison.get(f"/events/{event.id}/registrations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "no-store" in response.headers["Cache-Control"]
    header, row = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header[0] == "name" and row[0].startswith("'=")
    assert row[3] == "'+1 evil" and row[7] == "'@SUM(A1)"
    entry = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "event.registrations_export")).one()
    assert "calc@example.org" not in entry.summary


# --- retention ------------------------------------------------------------------------------


def test_the_purge_removes_registrants_after_the_kept_days(app, client, runner):
    now = datetime.now(UTC)
    event = open_event(app, starts_at=now + timedelta(hours=5), ends_at=now + timedelta(hours=6))
    keep = open_event(app, title="Later", starts_at=now + timedelta(days=40),
                      ends_at=now + timedelta(days=40, hours=1))
    register(client, event, email="gone@example.org", name="Gone Person",
             accessibility="Wheelchair")
    register(client, keep, email="kept@example.org", name="Kept Person")
    event.starts_at, event.ends_at = now - timedelta(days=100), now - timedelta(days=99)
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "events: Anonymized 1 event registrant." in result.output
    gone, kept = registration("(removed)"), registration("kept@example.org")
    assert gone.name == "(removed)" and gone.accessibility is None and gone.anonymized_at
    assert kept.name == "Kept Person"
    assert [m.recipient for m in _mails()] == ["kept@example.org"]
    assert registrations.registration_for_token(registrations.manage_token(gone)) is None


@pytest.mark.parametrize("days", [89, 91])
def test_the_purge_counts_days_from_the_end_of_the_event(app, days):
    now = datetime.now(UTC)
    event = make_event(starts_at=now - timedelta(days=days, hours=2),
                       ends_at=now - timedelta(days=days))
    nonce, hashed = registrations.new_token()
    db.session.add(Registration(event_id=event.id, name="N", email="n@example.org",
                                token_nonce=nonce, token_hash=hashed))
    db.session.commit()
    assert registrations.purge(now) == (1 if days > 90 else 0)
    assert db.session.get(Event, event.id)


def test_invitees_and_registrants_share_the_places(app, client):
    """A yes-RSVP takes a place a registrant would otherwise have; a yes withdrawn frees one
    for the waitlist at once."""
    from app.events import invitations
    from app.events.models import Answer
    from app.events.services import EventError
    from tests.factories import make_invitee

    event = open_event(app, capacity=2)
    first, second = make_invitee(), make_invitee()
    db.session.commit()
    invitations.invite(event, [first.id, second.id], None)
    one, two = invitations.invitations_of(event)
    one.event = two.event = event
    invitations.respond(one, Answer.yes)
    db.session.commit()
    register(client, event, email="a@example.org")  # the last place
    register(client, event, email="b@example.org")  # the waitlist
    two.event = event
    with pytest.raises(EventError, match="full"):
        invitations.respond(two, Answer.yes)
    db.session.rollback()
    one = invitations.invitations_of(event)[0]
    one.event = event
    invitations.respond(one, Answer.no)
    db.session.commit()
    assert registration("b@example.org").status == REG.offered


def test_the_liaisons_digest_names_registrations_waiting_for_a_decision(app, client):
    from app.events.reminders import send_digests
    from app.system.digest import digest_sections
    from tests.factories import make_user

    make_contact(first_name="Pat", last_name="Opposed", stance="challenger",
                 emails=["pat@watch.example"])
    event = open_event(app)
    register(client, event, email="pat@watch.example", name="Pat Opposed")
    liaison, staff = make_user(role="liaison"), make_user(role="staff")
    db.session.commit()
    today = datetime.now(UTC).date()
    (section,) = [s for s in digest_sections(liaison, today)
                  if s.title == "Registrations waiting for your decision"]
    reg = registration("pat@watch.example")
    assert section.lines == [f"Spring open house: registration #{reg.id}, "
                             f"http://events.test/events/{event.id}/registrations/{reg.id}"]
    assert "Pat Opposed" not in str(section.lines)  # a visitor's name stays off the mail
    assert all(s.title != section.title for s in digest_sections(staff, today))
    assert send_digests(today) >= 1


def test_registrants_changes_reach_the_liaison_and_offers_lapse_in_the_worker(app, client):
    """A registrant's own change is a visitor's change (app/system/visitors.py); the mail
    worker's every round (app/system/periodic.py) lapses an offer past its time."""
    from app.system.models import VisitorChange
    from app.system.periodic import run_periodic

    event = open_event(app, capacity=1)
    register(client, event, email="first@example.org", name="First Person")
    register(client, event, email="second@example.org", name="Second Person")
    register(client, event, email="third@example.org", name="Third Person")
    token = registrations.manage_token(registration("first@example.org"))
    client.post(f"/public-events/registration/{token}/cancel")
    (change,) = db.session.scalars(select(VisitorChange)).all()
    assert change.summary.startswith("First Person cancelled their registration (1 person, "
                                     "registered) for Spring open house")
    assert change.url.endswith(f"/events/{event.id}/registrations/"
                               f"{registration('first@example.org').id}")
    second = registration("second@example.org")
    assert second.status == REG.offered
    assert run_periodic()["events.waitlist"] == 0  # nothing due yet
    second.offer_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert run_periodic()["events.waitlist"] == 2  # one lapsed, one offered
    db.session.expire_all()
    assert registration("second@example.org").status == REG.lapsed
    assert registration("third@example.org").status == REG.offered


def test_registrants_hear_of_updates_and_the_cancellation(app, client, event_open, deliver):
    """Registrants are one of the event's audiences: a move reaches them with the calendar
    file that updates theirs (same UID, higher SEQUENCE), and so does the cancellation."""
    from app.events import services

    assert register(client, event_open, email="mover@example.org").status_code == 303
    deliver(1)  # "You're registered"
    event = db.session.get(Event, event_open.id)
    later = event.starts_at + timedelta(hours=2)
    services.save_event(event, {"starts_at": later, "ends_at": later + timedelta(hours=2)},
                        hosts=[], speakers=[], by=None)
    db.session.commit()
    (moved,) = deliver(2)[1:]
    assert moved["Subject"] == "Changed: Spring open house"
    assert moved["To"].endswith("<mover@example.org>")
    body = moved.get_body(preferencelist=("plain",)).get_content()
    assert "Your registration stands." in body and "(it was " in body
    assert manage_link(moved).startswith("http://events.test/public-events/registration/")
    calendars = [p for p in moved.walk() if p.get_content_type() == "text/calendar"]
    (vevent,) = icalendar.Calendar.from_ical(calendars[-1].get_content()).walk("VEVENT")
    assert str(vevent["UID"]) == event.uid and int(vevent["SEQUENCE"]) == event.sequence >= 1
    assert vevent.decoded("DTSTART") == later

    services.cancel_event(event)
    db.session.commit()
    (cancelled,) = deliver(3)[2:]
    assert cancelled["Subject"] == "Cancelled: Spring open house"
    calendars = [p for p in cancelled.walk() if p.get_content_type() == "text/calendar"]
    (vevent,) = icalendar.Calendar.from_ical(calendars[-1].get_content()).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
