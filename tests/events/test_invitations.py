"""Invite lists and iMIP invitations (RFC 6047), parsed from what the real SMTP server got."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import vobject
from sqlalchemy import func, select

from app.events import invitations
from app.events.models import Answer, Invitation
from app.extensions import db
from app.mail.models import OutboxMessage
from app.people.contacts import archive_contact
from app.people.models import Sphere, Stance
from app.people.queries import contact_page
from tests.factories import make_event, make_invitee, make_organization


def _calendar_parts(msg):
    assert msg.get_content_type() == "multipart/mixed"
    alternative, *attachments = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    inline = list(alternative.iter_parts())[2]
    attached = [a for a in attachments if a.get_filename() == "invite.ics"]
    assert len(attached) == 1
    # identical bytes, CRLF line ends included
    assert inline.get_payload(decode=True) == attached[0].get_payload(decode=True)
    assert inline.get_payload(decode=True).count(b"\r\n") > 10
    return inline, next(iter(alternative.iter_parts())).get_content()


def test_invite_preview_shows_exclusions_with_reasons(as_liaison):
    event = make_event()
    make_invitee(first_name="Avery", tags="faith,neighbors")
    make_invitee(first_name="Blair", tags="faith", do_not_contact=True)
    make_invitee(first_name="Casey", tags="faith", email=None)
    db.session.commit()
    page = as_liaison.get(f"/events/{event.id}/invite?tag=faith").get_data(as_text=True)
    assert "Avery" in page and "Blair" in page and "Casey" in page
    assert "Asked not to be contacted" in page and "No email address" in page
    assert "Send 1 invitation" in page
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # preview only
    fragment = as_liaison.get(f"/events/{event.id}/invite?tag=faith",
                              headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Asked not to be contacted" in fragment


def test_sending_skips_excluded_even_if_posted(as_liaison):
    event = make_event()
    ok = make_invitee()
    dnc = make_invitee(do_not_contact=True)
    none = make_invitee(email=None)
    db.session.commit()
    response = as_liaison.post(f"/events/{event.id}/invite",
                               data={"contact_id": [ok.id, dnc.id, none.id]})
    assert response.status_code == 303
    assert db.session.scalars(select(Invitation.contact_id)).all() == [ok.id]
    # inviting again does not double up
    as_liaison.post(f"/events/{event.id}/invite", data={"contact_id": [ok.id]})
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_imip_request_structure(app, as_liaison, deliver):
    app.config["MAIL_DEFAULT_SENDER"] = "Riverbend <liaison@riverbend.example>"
    start = datetime(2031, 6, 3, 23, 30, tzinfo=UTC)  # 6:30 PM in Chicago
    event = make_event(title="Summer celebration", starts_at=start,
                       ends_at=start.replace(hour=23, minute=59),
                       address="99 Secret Ave", address_invitees_only=True)
    people = [make_invitee(first_name=n) for n in ("Ana", "Ben", "Cy")]
    db.session.commit()
    response = as_liaison.post(f"/events/{event.id}/invite",
                               data={"contact_id": [p.id for p in people]})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    messages = deliver(3)
    assert len(messages) == 3
    emails = {p.id: db.session.scalar(select(Invitation.email).where(
        Invitation.contact_id == p.id)) for p in people}
    for msg in messages:
        to = msg["To"].addresses[0].addr_spec
        raw = msg.as_string()
        for other in set(emails.values()) - {to}:
            assert other not in raw  # names only this invitee
        inline, text = _calendar_parts(msg)
        assert inline.get_content_type() == "text/calendar"
        assert inline.get_param("method") == "REQUEST"
        assert inline.get_content_charset() == "utf-8"
        ics_text = inline.get_content()
        cal = icalendar.Calendar.from_ical(ics_text)
        assert str(cal["METHOD"]) == "REQUEST"
        vevent = next(iter(cal.walk("VEVENT")))
        assert str(vevent["UID"]) == event.uid
        assert int(vevent["SEQUENCE"]) == 0
        assert str(vevent["ORGANIZER"]) == "mailto:liaison@riverbend.example"
        attendee = vevent["ATTENDEE"]
        assert not isinstance(attendee, list)
        assert str(attendee) == f"mailto:{to}"
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert "DTSTART;TZID=America/Chicago:20310603T183000" in ics_text  # with its VTIMEZONE
        assert "BEGIN:VTIMEZONE" in ics_text
        assert vevent["DTSTART"].dt == start
        assert "99 Secret Ave" in str(vevent["LOCATION"])  # invitees do get the address
        assert "6:30 PM" in text and "America/Chicago" in text
        assert "/rsvp/" in text
        vobject.readOne(ics_text, validate=True)


def test_change_and_cancel_resend_with_growing_sequence(app, as_liaison, deliver):
    event = make_event()
    contact = make_invitee()
    declined = make_invitee()
    db.session.commit()
    invitations.invite(event, [contact.id, declined.id], None)
    db.session.commit()
    inv = db.session.scalar(select(Invitation).where(Invitation.contact_id == declined.id))
    inv.event = event
    invitations.respond(inv, Answer.no)
    db.session.commit()
    zone = ZoneInfo("America/Chicago")
    form = {"title": "Renamed celebration", "kind": "celebration", "timezone": zone.key,
            "starts": event.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "ends": event.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "status": "scheduled", "location": event.location, "address": event.address}
    assert as_liaison.post(f"/events/{event.id}/edit", data=form).status_code == 303
    assert as_liaison.post(f"/events/{event.id}/cancel").status_code == 303
    # 2 invites, 1 update (a new title: not to the one who declined; tests/events/
    # test_updates.py has the moves that ask everyone again), 2 cancels
    messages = deliver(5)
    assert len(messages) == 5
    parsed = []
    for msg in messages:
        inline, _ = _calendar_parts(msg)
        cal = icalendar.Calendar.from_ical(inline.get_content())
        ev = next(iter(cal.walk("VEVENT")))
        parsed.append((str(cal["METHOD"]), int(ev["SEQUENCE"]), str(ev["STATUS"]),
                       str(ev["UID"]), msg["Subject"]))
    assert {p[3] for p in parsed} == {event.uid}
    assert [p[:3] for p in parsed] == [
        ("REQUEST", 0, "CONFIRMED"), ("REQUEST", 0, "CONFIRMED"),
        ("REQUEST", 1, "CONFIRMED"),
        ("CANCEL", 2, "CANCELLED"), ("CANCEL", 2, "CANCELLED"),
    ]
    assert parsed[2][4] == "Updated: Renamed celebration"


def test_crlf_in_names_and_titles_cannot_inject_headers(as_liaison, deliver):
    event = make_event(title="Party\r\nBcc: victim@evil.example")
    contact = make_invitee(first_name="Eve\r\nBcc: other@evil.example",
                           email="eve@example.org")
    db.session.commit()
    invitations.invite(event, [contact.id], None)
    db.session.commit()
    (msg,) = deliver(1)
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "\n" not in str(msg["To"])
    assert "evil.example" not in "".join(f"{k}: {v}" for k, v in msg.items()
                                        if k not in ("Subject", "To"))
    inline, _ = _calendar_parts(msg)
    ev = next(iter(icalendar.Calendar.from_ical(inline.get_content()).walk("VEVENT")))
    assert str(ev["SUMMARY"]) == "Party\nBcc: victim@evil.example"  # text, safely escaped


def test_candidates_are_the_people_list_for_the_same_filters(as_liaison):
    """The invite builder asks the People list's query: same search (organizations, emails,
    tags, not just names), same filters, with LIKE wildcards taken literally."""
    event = make_event()
    org = make_organization(name="Harbor Clinic")
    make_invitee(first_name="Avery", tags="abc", organization_id=org.id, stance=Stance.champion)
    make_invitee(first_name="Blair", tags="a_c", email="blair@harbor.example")
    make_invitee(first_name="Casey", tags="abc,neighbors", sphere=Sphere.faith)
    archive_contact(make_invitee(first_name="Gone", tags="abc"), None)
    db.session.commit()
    user = as_liaison.user
    for args in ({"tag": "abc"}, {"tag": "a_c"}, {"tag": "a%"}, {"q": "harbor"},
                 {"q": "blair@harbor.example"}, {"stance": "champion"}, {"sphere": "faith"},
                 {"organization": str(org.id)}, {"q": "casey", "tag": "neighbors"},
                 {"q": "nobody-like-this"}):
        listed, _, _ = contact_page(args, user, 1, size=500)
        found = invitations.candidates(event, args, user)
        assert [c.contact.id for c in found] == [c.id for c in listed], args
    by_tag = [c.contact.first_name for c in invitations.candidates(event, {"tag": "a_c"}, user)]
    assert by_tag == ["Blair"]  # not Avery and Casey, whose "abc" an unescaped LIKE matched
    assert invitations.candidates(event, {"tag": "a%"}, user) == []
    by_abc = [c.contact.first_name for c in invitations.candidates(event, {"tag": "abc"}, user)]
    assert by_abc == ["Avery", "Casey"]  # never an archived contact
    assert invitations.candidates(event, {}, user) == []  # no filter: nobody yet
    page = as_liaison.get(f"/events/{event.id}/invite?q=harbor").get_data(as_text=True)
    assert "Avery" in page and "Blair" in page and "Casey" not in page
