"""RSVP links, attendance and follow-ups, feeds (ETag/304, privacy), reminders and digest."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import vobject
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.events import invitations, reminders, services
from app.events.models import Answer, Attendance, Invitation
from app.extensions import db
from app.mail.models import OutboxMessage
from app.notes.models import Commitment
from tests.factories import make_event, make_invitee, make_user

MARKER = "ZZPRIVATE-7f3a"


def _invite(event, n=1):
    contacts = [make_invitee() for _ in range(n)]
    db.session.commit()
    invitations.invite(event, [c.id for c in contacts], None)
    db.session.commit()
    invs = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)
                              .order_by(Invitation.id)).all()
    return [(inv, invitations.rsvp_token(inv)) for inv in invs]


def test_rsvp_get_never_answers_post_does(client, as_liaison):
    event = make_event(capacity=10)
    [(inv, token)] = _invite(event)
    page = client.get(f"/rsvp/{token}")
    assert page.status_code == 200 and event.title in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    db.session.refresh(inv)
    assert inv.answer == Answer.pending
    assert inv.token_hash != token and token not in str(inv.nonce)  # only a hash is stored
    response = client.post(f"/rsvp/{token}", data={"answer": "yes"})
    assert response.status_code == 303
    db.session.refresh(inv)
    assert inv.answer == Answer.yes
    client.post(f"/rsvp/{token}", data={"answer": "maybe"})  # changeable
    db.session.refresh(inv)
    assert inv.answer == Answer.maybe
    shown = as_liaison.get(f"/events/{event.id}").get_data(as_text=True)
    assert "0 yes</strong> of 10 places" in shown and "1 maybe" in shown


def test_rsvp_bad_tokens_and_values(client):
    event = make_event()
    [(_inv, token)] = _invite(event)
    assert client.get("/rsvp/not-a-token").status_code == 404
    assert client.post("/rsvp/not-a-token", data={"answer": "yes"}).status_code == 404
    assert client.get("/rsvp/" + "x" * 500).status_code == 404
    assert client.post(f"/rsvp/{token}", data={"answer": "definitely"}).status_code == 422


def test_rsvp_closes_when_event_starts_and_respects_capacity(client):
    event = make_event(capacity=1)
    (a, ta), (_b, tb) = _invite(event, 2)
    assert client.post(f"/rsvp/{ta}", data={"answer": "yes"}).status_code == 303
    full = client.post(f"/rsvp/{tb}", data={"answer": "yes"})
    assert full.status_code == 422 and "full" in full.get_data(as_text=True)
    event.starts_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    late = client.post(f"/rsvp/{ta}", data={"answer": "no"})
    assert late.status_code == 422 and "already started" in late.get_data(as_text=True)
    db.session.refresh(a)
    assert a.answer == Answer.yes


def test_attendance_and_followups(as_liaison):
    event = make_event()
    (a, _), (b, _) = _invite(event, 2)
    url = f"/events/{event.id}/invitations/{a.id}/attendance"
    early = as_liaison.post(url, data={"attendance": "attended"})
    assert early.status_code == 303
    db.session.refresh(a)
    assert a.attendance == Attendance.unknown  # not before it starts
    event.starts_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    fragment = as_liaison.post(url, data={"attendance": "attended"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "events-changed" in fragment.headers["HX-Trigger"]
    as_liaison.post(f"/events/{event.id}/invitations/{b.id}/attendance",
                    data={"attendance": "no_show"})
    response = as_liaison.post(f"/events/{event.id}/followups",
                               data={"what": "Thank them for coming", "due_on": "2031-01-05"})
    assert response.status_code == 303
    commitments = db.session.scalars(select(Commitment)).all()
    assert [(c.contact_id, c.due_on) for c in commitments] == [(a.contact_id, date(2031, 1, 5))]
    assert commitments[0].owner_id == commitments[0].created_by_id == as_liaison.user.id
    # Made through notes' own verb, so each follow-up has the audit record any commitment has.
    recorded = db.session.execute(select(AuditEvent.action, AuditEvent.object_id).where(
        AuditEvent.action.in_(["commitment.create", "event.followups"]))).all()
    assert sorted(recorded) == [("commitment.create", commitments[0].id),
                                ("event.followups", event.id)]
    as_liaison.post(f"/events/{event.id}/followups",
                    data={"what": "Again", "due_on": "2031-01-05"})
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 1


def _lines(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_public_feed_headers_etag_and_privacy(client):
    make_event(title="Open house", is_public=True, address=f"{MARKER} address",
               address_invitees_only=True)
    make_event(title=f"Private {MARKER}", is_public=False, description=MARKER)
    gone = make_event(title="Called off", is_public=True)
    db.session.commit()
    services.cancel_event(gone)
    _invite(make_event(title="With invitees", is_public=True))
    db.session.commit()
    response = client.get("/calendar/public.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data(as_text=True)
    assert MARKER not in body
    assert "ATTENDEE" not in body and "ORGANIZER" not in body and "example.org" not in body
    assert "X-WR-CALNAME:" in body and "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    cal = icalendar.Calendar.from_ical(body)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Open house", "Called off", "With invitees"}
    assert str(events["Called off"]["STATUS"]) == "CANCELLED"
    assert len({str(e["UID"]) for e in events.values()}) == 3
    vobject.readOne(body, validate=True)
    tag = response.headers["ETag"]
    again = client.get("/calendar/public.ics", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    weak = client.get("/calendar/public.ics", headers={"If-None-Match": f"W/{tag}"})
    assert weak.status_code == 304  # what nginx sends back after gzipping
    make_event(title="Another", is_public=True)
    db.session.commit()
    assert client.get("/calendar/public.ics", headers={"If-None-Match": tag}).status_code == 200


def test_private_feed_token_gated_and_regenerable(app, client, as_liaison):
    event = make_event(title="Coalition meeting", is_public=False, address="1 Private Rd",
                       address_invitees_only=True)
    _invite(event)
    db.session.add(Commitment(what="Send the report", owner_id=as_liaison.user.id,
                              due_on=date(2031, 2, 1)))
    db.session.commit()
    page = as_liaison.get("/events/calendar").get_data(as_text=True)
    url = re.search(r'value="(http://[^"]+/calendar/feed/[^"]+\.ics)"', page).group(1)
    assert "webcal://" in page
    path = urlsplit(url).path
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Coalition meeting" in body and "1 Private Rd" in body
    assert "ATTENDEE" not in body
    lines = _lines(body)
    assert "DTSTART;VALUE=DATE:20310201" in lines and "SUMMARY:Due: Send the report" in lines
    assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/calendar/feed/1-deadbeef.ics").status_code == 404
    assert client.get("/calendar/feed/nonsense.ics").status_code == 404
    assert as_liaison.post("/events/calendar/regenerate").status_code == 303
    assert client.get(path).status_code == 404


def test_event_download_for_staff(as_staff):
    event = make_event(title="Talk; at the library, 🎉")
    _invite(event)
    response = as_staff.get(f"/events/{event.id}.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data(as_text=True)
    assert "ATTENDEE" not in body
    ev = next(iter(icalendar.Calendar.from_ical(body).walk("VEVENT")))
    assert str(ev["SUMMARY"]) == "Talk; at the library, 🎉" and str(ev["UID"]) == event.uid


def test_reminders_once_to_yes_only(app, deliver):
    event = make_event(starts_at=datetime.now(UTC) + timedelta(days=1),
                       ends_at=datetime.now(UTC) + timedelta(days=1, hours=1))
    (yes, _), (maybe, _) = _invite(event, 2)
    yes.event = maybe.event = event
    invitations.respond(yes, Answer.yes)
    invitations.respond(maybe, Answer.maybe)
    db.session.commit()
    deliver(2)  # the invitations
    assert reminders.send_reminders() == 1
    assert reminders.send_reminders() == 0
    db.session.commit()
    messages = deliver(3)
    assert messages[-1]["Subject"].startswith("Reminder:")
    assert messages[-1]["To"].addresses[0].addr_spec == yes.email


def test_digest_cli_is_idempotent_per_day(app, runner, deliver):
    user = make_user(name="Dana Reyes")
    make_user(name="Idle Person")  # nothing due: no digest
    db.session.add(Commitment(what="Call the council office", owner_id=user.id,
                              due_on=date.today()))
    db.session.commit()
    make_event(starts_at=datetime.now(UTC) + timedelta(days=2),
               ends_at=datetime.now(UTC) + timedelta(days=2, hours=1), title="Open house")
    db.session.commit()
    first = runner.invoke(args=["digest", "send"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["digest", "send"])
    assert "Queued 0 digests" in second.output
    kinds = db.session.scalars(select(OutboxMessage.recipient)
                               .where(OutboxMessage.kind == "digest")).all()
    # every active user sees this week's events; only Dana has a commitment
    assert kinds.count(user.email) == 1 and len(kinds) == len(set(kinds))
    messages = deliver(len(kinds))
    mine = next(m for m in messages if m["To"].addresses[0].addr_spec == user.email)
    text = mine.get_body(("plain",)).get_content()
    assert "Call the council office" in text and "Open house" in text
