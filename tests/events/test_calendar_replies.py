"""Answers from calendar buttons (issue 15.4): the invitation the liaison sends is read back
from the real SMTP server, each invitee's calendar program answers it in the shape Gmail,
Outlook or Apple Calendar sends, the answer lands in a real IMAP server (dovecot, started
per test session: tests/dovecot.py), and `flask rsvp fetch-replies --once` reads it."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

import icalendar
import pytest
from imap_tools import AND, MailBoxUnencrypted
from sqlalchemy import func, select

from app.events import replies
from app.events.models import Answer, Event, Invitation
from app.extensions import db
from app.mail import inbox
from app.mail.models import InboundMessage, OutboxMessage
from app.notes.models import Commitment
from app.system.models import JobRun, VisitorChange
from tests.factories import make_event, make_invitee

ORGANIZER = "liaison@riverbend.example"
STAMP = "%Y%m%dT%H%M%SZ"


# --- what the calendar programs send -------------------------------------------------------


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


def _ics(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _headers(msg, sender: str, name: str, subject: str, domain: str, *, auth: str = "pass"):
    if auth == "forged":  # no word from our server, only a pass the sender wrote themselves
        msg["Authentication-Results"] = (f"mx.{domain}; dkim=pass header.i=@{domain}; "
                                         f"dmarc=pass header.from={domain}")
    else:  # what the organization's own receiving server adds on top: its verdict
        msg["Authentication-Results"] = (
            f"mx.riverbend.example; dkim={auth} header.i=@{domain}; spf=pass "
            f"smtp.mailfrom={domain}; dmarc={auth} (p=QUARANTINE) header.from={domain}")
    msg["From"] = f'"{name}" <{sender}>'
    msg["To"] = ORGANIZER
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{domain}>"
    return msg


def gmail_reply(request, sender: str, partstat: str, *, name: str = "Ana Q",
                answers_for: str | None = None, auth: str = "pass") -> bytes:
    """Gmail's Yes/Maybe/No: multipart/mixed holding multipart/alternative (text, HTML,
    text/calendar; method=REPLY) and the same calendar again as application/ics
    "invite.ics" in base64; times in UTC; the attendee's CN is their address."""
    who = answers_for or sender
    ics = _ics([
        "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
        "CALSCALE:GREGORIAN", "METHOD:REPLY", "BEGIN:VEVENT",
        f"DTSTART:{_utc(request['DTSTART'].dt)}", f"DTEND:{_utc(request['DTEND'].dt)}",
        f"DTSTAMP:{_utc(datetime.now(UTC))}",
        f"ORGANIZER;CN=Riverbend:mailto:{ORGANIZER}", f"UID:{request['UID']}",
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={who};X-NUM-GU",
        f" ESTS=0:mailto:{who}",
        "CREATED:20260101T000000Z", "DESCRIPTION:", "LAST-MODIFIED:20260101T000000Z",
        "LOCATION:", f"SEQUENCE:{request['SEQUENCE']}", "STATUS:CONFIRMED",
        f"SUMMARY:{request['SUMMARY']}", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"])
    word = {"ACCEPTED": "Accepted", "TENTATIVE": "Tentatively Accepted",
            "DECLINED": "Declined"}[partstat]
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(f"{name} has {word.lower()} this invitation.", "plain"))
    alternative.attach(MIMEText(f"<p>{name} has {word.lower()} this invitation.</p>", "html"))
    inline = MIMEText(ics.decode(), "calendar", "utf-8")
    inline.set_param("method", "REPLY")
    alternative.attach(inline)
    msg = MIMEMultipart("mixed")
    msg.attach(alternative)
    attached = MIMEApplication(ics, "ics", name="invite.ics")
    attached.add_header("Content-Disposition", "attachment", filename="invite.ics")
    msg.attach(attached)
    return _headers(msg, sender, name, f"{word}: {request['SUMMARY']} @ Tue Jun 3, 2031 "
                                       f"({ORGANIZER})", "gmail.com", auth=auth).as_bytes()


def _outlook_zone() -> list[str]:
    return ["BEGIN:VTIMEZONE", "TZID:Central Standard Time", "BEGIN:STANDARD",
            "DTSTART:16010101T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0600",
            "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11", "END:STANDARD",
            "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:-0600",
            "TZOFFSETTO:-0500", "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3",
            "END:DAYLIGHT", "END:VTIMEZONE"]


def outlook_reply(request, sender: str, partstat: str, *, name: str = "Ben Q",
                  comment: str = "", propose: datetime | None = None) -> bytes:
    """Outlook / Exchange: "Accepted: <title>" (or "New Time Proposed:"), multipart/
    alternative with the calendar base64-encoded as its last part, a Windows zone name
    ("Central Standard Time") with its own VTIMEZONE, MAILTO in capitals, COMMENT for what
    they typed; "Propose new time" is METHOD:COUNTER with the new DTSTART and the old one in
    X-MS-OLK-ORIGINALSTART."""
    from zoneinfo import ZoneInfo

    chicago = ZoneInfo("America/Chicago")
    start = (propose or request["DTSTART"].dt).astimezone(chicago)
    end = start + (request["DTEND"].dt - request["DTSTART"].dt)
    method = "COUNTER" if propose else "REPLY"
    word = {"ACCEPTED": "Accepted", "TENTATIVE": "Tentative", "DECLINED": "Declined"}[partstat]
    subject = f"New Time Proposed: {request['SUMMARY']}" if propose else \
        f"{word}: {request['SUMMARY']}"
    original = request["DTSTART"].dt.astimezone(chicago).strftime("%Y%m%dT%H%M%S")
    ics = _ics([
        "BEGIN:VCALENDAR", f"METHOD:{method}", "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0", *_outlook_zone(), "BEGIN:VEVENT",
        f"ATTENDEE;PARTSTAT={partstat};CN={name}:MAILTO:{sender}",
        *([f"COMMENT;LANGUAGE=en-US:{comment}"] if comment else []),
        f"SUMMARY;LANGUAGE=en-US:{subject}",
        f"DTSTART;TZID=Central Standard Time:{start.strftime('%Y%m%dT%H%M%S')}",
        f"DTEND;TZID=Central Standard Time:{end.strftime('%Y%m%dT%H%M%S')}",
        f"UID:{request['UID']}", "CLASS:PUBLIC", "PRIORITY:5",
        f"DTSTAMP:{_utc(datetime.now(UTC))}", "TRANSP:OPAQUE", "STATUS:CONFIRMED",
        f"SEQUENCE:{request['SEQUENCE']}", "LOCATION;LANGUAGE=en-US:",
        *([f"X-MS-OLK-ORIGINALSTART;TZID=Central Standard Time:{original}"] if propose else []),
        "X-MICROSOFT-CDO-APPT-SEQUENCE:0", "X-MICROSOFT-CDO-OWNERAPPTID:-1",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE", "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-INSTTYPE:0", "X-MICROSOFT-DISALLOW-COUNTER:FALSE", "END:VEVENT",
        "END:VCALENDAR"])
    msg = MIMEMultipart("alternative")
    msg.attach(MIMEText(comment, "plain", "us-ascii"))
    msg.attach(MIMEText(f"<html><body><p>{comment}</p></body></html>", "html", "us-ascii"))
    part = MIMEApplication(ics, "calendar")  # base64, as Exchange sends it
    part.replace_header("Content-Type", 'text/calendar; charset="utf-8"; method=' + method)
    msg.attach(part)
    msg["Thread-Topic"] = str(request["SUMMARY"])
    msg["X-MS-Has-Attach"] = ""
    msg["X-MS-TNEF-Correlator"] = ""
    return _headers(msg, sender, name, subject, "outlook.com").as_bytes()


def apple_reply(request, sender: str, partstat: str, *, name: str = "Cy Q") -> bytes:
    """Apple Calendar (macOS / iOS Mail): a short text part and the reply as an attachment
    "iCal-….ics" (text/calendar; method=REPLY, quoted-printable), the attendee named by
    their EMAIL parameter, the times on the wall clock of an Olson zone with its
    VTIMEZONE, and REQUEST-STATUS."""
    from zoneinfo import ZoneInfo

    chicago = ZoneInfo("America/Chicago")
    wall = "%Y%m%dT%H%M%S"
    ics = _ics([
        "BEGIN:VCALENDAR", "METHOD:REPLY", "VERSION:2.0", "PRODID:-//Apple Inc.//macOS 14.5//EN",
        "BEGIN:VTIMEZONE", "TZID:America/Chicago", "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0600",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "DTSTART:20070311T020000", "TZNAME:CDT",
        "TZOFFSETTO:-0500", "END:DAYLIGHT", "BEGIN:STANDARD", "TZOFFSETFROM:-0500",
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "DTSTART:20071104T020000", "TZNAME:CST",
        "TZOFFSETTO:-0600", "END:STANDARD", "END:VTIMEZONE", "BEGIN:VEVENT",
        f"ATTENDEE;CN=\"{name}\";CUTYPE=INDIVIDUAL;EMAIL=\"{sender.upper()}\";PARTSTAT={partstat}:",
        f" mailto:{sender}",
        f"DTEND;TZID=America/Chicago:{request['DTEND'].dt.astimezone(chicago).strftime(wall)}",
        f"DTSTART;TZID=America/Chicago:"
        f"{request['DTSTART'].dt.astimezone(chicago).strftime(wall)}",
        f"UID:{request['UID']}", f"DTSTAMP:{_utc(datetime.now(UTC))}",
        f"ORGANIZER;CN=\"Riverbend\":mailto:{ORGANIZER}", "REQUEST-STATUS:2.0;Success",
        f"SEQUENCE:{request['SEQUENCE']}", f"SUMMARY:{request['SUMMARY']}",
        "END:VEVENT", "END:VCALENDAR"])
    msg = MIMEMultipart("mixed")
    msg.attach(MIMEText(f"{name} has replied to your invitation.", "plain"))
    part = EmailMessage()
    part.set_content(ics.decode(), subtype="calendar", cte="quoted-printable")
    part.set_param("method", "REPLY")
    part.set_param("name", "iCal-20310601-101010.ics")
    part.add_header("Content-Disposition", "attachment", filename="iCal-20310601-101010.ics")
    msg.attach(part)
    msg["X-Mailer"] = "iPhone Mail (21F90)"
    return _headers(msg, sender, name, str(request["SUMMARY"]), "icloud.com").as_bytes()


# --- the journey ------------------------------------------------------------------------------


@pytest.fixture
def invited(app, as_liaison, deliver):
    """An event and three invitees (Gmail, Outlook, Apple), invited by the liaison: (the
    event's id, {address: the REQUEST VEVENT that address received}). The command ends its
    session, so tests load what they look at afresh."""
    app.config["MAIL_DEFAULT_SENDER"] = f"Riverbend <{ORGANIZER}>"
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=10)
    event = make_event(title="Summer celebration", starts_at=start,
                       ends_at=start + timedelta(hours=2), capacity=10)
    people = [make_invitee(email=e) for e in
              ("ana@gmail.com", "Ben.Q@outlook.com", "cy@icloud.com")]
    db.session.commit()
    assert as_liaison.post(f"/events/{event.id}/invite",
                           data={"contact_id": [p.id for p in people]}).status_code == 303
    requests = {}
    for msg in deliver(3):
        cal = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        vevent = next(iter(icalendar.Calendar.from_ical(cal.get_payload(decode=True))
                           .walk("VEVENT")))
        requests[str(vevent["ATTENDEE"]).removeprefix("mailto:").lower()] = vevent
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    return event.id, requests


def _drop(server, *messages: bytes) -> None:
    with MailBoxUnencrypted(server.host, server.port).login(server.user,
                                                            server.password) as box:
        for data in messages:
            box.append(data, "INBOX", dt=datetime.now(UTC))


def _fetch(runner) -> str:
    result = runner.invoke(args=["rsvp", "fetch-replies", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def _answers(event_id: int) -> dict[str, Answer]:
    db.session.expire_all()
    return {i.email.lower(): i.answer for i in db.session.scalars(
        select(Invitation).where(Invitation.event_id == event_id))}


def _flags(server) -> list[tuple[str, set[str]]]:
    with MailBoxUnencrypted(server.host, server.port).login(server.user,
                                                            server.password) as box:
        return [(m.subject, set(m.flags)) for m in box.fetch(mark_seen=False)]


def test_gmail_outlook_and_apple_answers_are_recorded_once(invited, imap_server, runner, caplog):
    event_id, requests = invited
    _drop(imap_server,
          gmail_reply(requests["ana@gmail.com"], "ana@gmail.com", "ACCEPTED"),
          outlook_reply(requests["ben.q@outlook.com"], "Ben.Q@outlook.com", "TENTATIVE",
                        comment="Might be late, coming from work."),
          apple_reply(requests["cy@icloud.com"], "cy@icloud.com", "DECLINED"))
    caplog.set_level(logging.INFO)
    output = _fetch(runner)
    assert "Read 3 new messages: 3 recorded." in output
    assert _answers(event_id) == {"ana@gmail.com": Answer.yes, "ben.q@outlook.com": Answer.maybe,
                               "cy@icloud.com": Answer.no}
    vias = db.session.scalars(select(Invitation.answered_via)).all()
    assert vias == ["calendar"] * 3
    # The liaison hears of each, Ben's words included.
    summaries = db.session.scalars(select(VisitorChange.summary)).all()
    assert any("from their calendar" in s and "Might be late" in s for s in summaries)
    # Marked in the mailbox (read and flagged), and read again: nothing happens twice.
    flags = _flags(imap_server)
    assert len(flags) == 3
    assert all({"\\Seen", inbox.KEYWORD} <= f for _, f in flags), flags
    assert "Read 0 new messages." in _fetch(runner)
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 3
    run = db.session.get(JobRun, replies.JOB)
    assert run.ok and run.summary == "Read 0 new messages."
    # Nobody's address in the log.
    assert not [r for r in caplog.records if "@" in r.getMessage()]


def test_a_message_whose_flag_was_lost_is_not_acted_on_again(invited, imap_server, runner):
    event_id, requests = invited
    reply = gmail_reply(requests["ana@gmail.com"], "ana@gmail.com", "ACCEPTED")
    _drop(imap_server, reply)
    _fetch(runner)
    inv = db.session.scalar(select(Invitation).where(Invitation.email == "ana@gmail.com"))
    inv.answer = Answer.no  # she changed her mind on her RSVP page meanwhile
    db.session.commit()
    # A server that forgets keywords (Exchange) or a copy in another folder: the same
    # Message-ID arrives unflagged again.
    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
            imap_server.user, imap_server.password) as box:
        box.flag(box.uids(), [inbox.KEYWORD, "\\Seen"], False)
    assert "1 already read" in _fetch(runner)
    assert _answers(event_id)["ana@gmail.com"] == Answer.no


def test_only_the_invitee_can_answer_and_only_for_themselves(invited, imap_server, runner,
                                                             caplog):
    event_id, requests = invited
    ana = requests["ana@gmail.com"]
    _drop(imap_server,
          # Someone else answering for Ana
          gmail_reply(ana, "mallory@gmail.com", "DECLINED", answers_for="ana@gmail.com"),
          # Ana, but her own provider saw the message fail DMARC: forged
          gmail_reply(ana, "ana@gmail.com", "DECLINED", auth="fail"),
          # Ben answering with Ana's address in the ATTENDEE
          gmail_reply(ana, "ben.q@outlook.com", "DECLINED", answers_for="ana@gmail.com"),
          # a reply to an event we never sent
          gmail_reply({**ana, "UID": "somebody-else@example.net"}, "ana@gmail.com",
                      "DECLINED"),
          # a person writing back in their own words
          _headers(MIMEText("Can I bring my kids?"), "cy@icloud.com", "Cy Q",
                   "Re: Summer celebration", "icloud.com").as_bytes())
    caplog.set_level(logging.INFO)
    output = _fetch(runner)
    assert set(_answers(event_id).values()) == {Answer.pending}
    assert "wrong sender" in output and "sender not verified" in output
    assert "unmatched" in output and "not a calendar reply" in output
    # Left unread for a person, and never read again by the app.
    assert all("\\Seen" not in f and inbox.KEYWORD in f for _, f in _flags(imap_server))
    assert "Read 0 new messages." in _fetch(runner)
    log = " ".join(r.getMessage() for r in caplog.records)
    assert "@" not in log and "mallory" not in log and "kids" not in log


def test_where_authentication_is_required_only_our_servers_word_counts(
        app, invited, imap_server, runner):
    event_id, requests = invited
    app.config.update(IMAP_REQUIRE_AUTH=True)
    ana = requests["ana@gmail.com"]
    _drop(imap_server, gmail_reply(ana, "ana@gmail.com", "DECLINED", auth="none"))
    assert "1 sender not verified" in _fetch(runner)
    # A pass the sender wrote themselves is no evidence once we name our server...
    app.config.update(IMAP_AUTHSERV_ID="mx.riverbend.example")
    _drop(imap_server, gmail_reply(ana, "ana@gmail.com", "DECLINED", auth="forged"))
    assert "1 sender not verified" in _fetch(runner)
    assert _answers(event_id)["ana@gmail.com"] == Answer.pending
    # ...and our server's pass is taken.
    _drop(imap_server, gmail_reply(ana, "ana@gmail.com", "DECLINED"))
    assert "1 recorded" in _fetch(runner)
    assert _answers(event_id)["ana@gmail.com"] == Answer.no


def test_a_proposed_new_time_is_a_commitment_not_a_change(invited, imap_server, runner):
    event_id, requests = invited
    start = db.session.get(Event, event_id).starts_at
    proposed = start + timedelta(days=1, hours=1)
    _drop(imap_server, outlook_reply(requests["ben.q@outlook.com"], "Ben.Q@outlook.com",
                                     "TENTATIVE", comment="Thursday works better for me.",
                                     propose=proposed))
    assert "1 counter-proposal" in _fetch(runner)
    from zoneinfo import ZoneInfo

    said = proposed.astimezone(ZoneInfo("America/Chicago")).strftime("%a %b %-d, %Y %-I:%M %p")
    db.session.expire_all()
    assert db.session.get(Event, event_id).starts_at == start  # nothing moved
    assert _answers(event_id)["ben.q@outlook.com"] == Answer.maybe
    commitment = db.session.scalar(select(Commitment))
    assert "proposal" in commitment.what and "Summer celebration" in commitment.what
    assert said in commitment.what  # the time they proposed, on the organization's clock
    assert commitment.contact_id is not None
    summary = db.session.scalars(
        select(VisitorChange.summary).order_by(VisitorChange.id)).all()[-1]
    assert "proposed a new time" in summary and "Thursday works better" in summary


def test_a_stale_reply_changes_nothing(invited, imap_server, runner):
    event_id, requests = invited
    old = {**requests["ana@gmail.com"]}
    inv = db.session.scalar(select(Invitation).where(Invitation.email == "ana@gmail.com"))
    inv.asked_sequence = int(old["SEQUENCE"]) + 1  # asked again since: that copy is old
    db.session.commit()
    _drop(imap_server, gmail_reply(old, "ana@gmail.com", "ACCEPTED"))
    assert "1 stale" in _fetch(runner)
    assert _answers(event_id)["ana@gmail.com"] == Answer.pending


def test_a_yes_when_full_is_told_not_taken(invited, imap_server, runner, deliver):
    event_id, requests = invited
    db.session.get(Event, event_id).capacity = 0
    db.session.commit()
    _drop(imap_server, apple_reply(requests["cy@icloud.com"], "cy@icloud.com", "ACCEPTED"))
    assert "1 full" in _fetch(runner)
    assert _answers(event_id)["cy@icloud.com"] == Answer.pending
    sent = [m for m in deliver(1) if "is full" in m["Subject"]]
    assert [m["To"].addresses[0].addr_spec for m in sent] == ["cy@icloud.com"]


def test_the_mail_worker_reads_the_mailbox_when_due(invited, imap_server, app):
    event_id, requests = invited
    _drop(imap_server, gmail_reply(requests["ana@gmail.com"], "ana@gmail.com", "TENTATIVE"))
    now = datetime.now(UTC)
    assert replies.fetch_if_due(now) == 1
    assert _answers(event_id)["ana@gmail.com"] == Answer.maybe
    _drop(imap_server, apple_reply(requests["cy@icloud.com"], "cy@icloud.com", "ACCEPTED"))
    assert replies.fetch_if_due(now + timedelta(seconds=5)) == 0  # not yet due
    assert replies.fetch_if_due(now + timedelta(minutes=5)) == 1


def test_an_unreachable_or_refusing_mailbox_is_said_plainly(app, imap_server, runner):
    app.config["IMAP_PASSWORD"] = "wrong"
    result = runner.invoke(args=["rsvp", "fetch-replies", "--once"])
    assert result.exit_code == 1 and "refused the sign-in" in result.output
    assert "wrong" not in result.output
    # Settings' scheduled jobs say so too, for an admin without a terminal.
    run = db.session.get(JobRun, replies.JOB)
    assert run.ok is False and "refused the sign-in" in run.summary and "wrong" not in run.summary
    app.config.update(IMAP_PASSWORD=imap_server.password, IMAP_SERVER="mail.example.org")
    result = runner.invoke(args=["rsvp", "fetch-replies", "--once"])
    assert result.exit_code == 1 and "unencrypted" in result.output
    app.config["IMAP_SERVER"] = None
    result = runner.invoke(args=["rsvp", "fetch-replies", "--once"])
    assert result.exit_code != 0 and "IMAP_SERVER is not set" in result.output


def test_processed_replies_can_be_filed_in_a_folder(invited, imap_server, runner, app):
    _, requests = invited
    app.config["IMAP_PROCESSED_FOLDER"] = "Calendar replies"
    _drop(imap_server, gmail_reply(requests["ana@gmail.com"], "ana@gmail.com", "ACCEPTED"),
          _headers(MIMEText("Thanks!"), "ana@gmail.com", "Ana Q", "Re: hi",
                   "gmail.com").as_bytes())
    _fetch(runner)
    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
            imap_server.user, imap_server.password) as box:
        assert [m.subject for m in box.fetch(mark_seen=False)] == ["Re: hi"]  # for a person
        box.folder.set("Calendar replies")
        assert len(box.uids(AND(all=True))) == 1


def test_the_reading_is_a_scheduled_job_only_where_a_mailbox_is_set(app_config):
    from app import create_app
    from app.system import jobs

    create_app({**app_config, "IMAP_SERVER": "imap.example.org"})
    assert jobs.JOBS[replies.JOB].title == "Reading calendar replies"
    create_app(app_config)
    assert replies.JOB not in jobs.JOBS


def test_the_mailbox_is_read_over_verified_tls(app, imap_server, runner):
    """Production mailboxes speak TLS: dovecot's IMAPS port with a throwaway certificate,
    trusted through IMAP_CA_FILE, and refused without it."""
    if imap_server.tls_port is None:
        pytest.skip("openssl is not installed: no certificate for dovecot's TLS port")
    app.config.update(IMAP_SERVER="localhost", IMAP_PORT=imap_server.tls_port,
                      IMAP_USE_SSL=True, IMAP_CA_FILE=imap_server.ca_file)
    assert "Read 0 new messages." in _fetch(runner)
    app.config["IMAP_CA_FILE"] = None
    result = runner.invoke(args=["rsvp", "fetch-replies", "--once"])
    assert result.exit_code == 1 and "Can't reach the mailbox" in result.output
    assert "CERTIFICATE_VERIFY_FAILED" in result.output or "certificate" in result.output
