"""The tour form is no oracle: an ordinary booker, one who matches a challenging contact,
one held by the screening list and one it blocks get the same status, the same page and the
same queued mail at every step they take themselves — sending the form, confirming their
email, moving and cancelling — with approval on and off, and when the time is full.

Responses and messages are compared byte for byte once each booker's own name, email,
organization and link token (and the times a message was made) are replaced by
placeholders. With approval off an ordinary request confirms itself minutes later and a
screened one doesn't: that later difference is the one the settings page warns about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage
from app.people.models import Stance
from app.tours import services
from app.tours.models import ScreenAction, ScreenKind, Status, TourBooking
from tests.factories import make_contact
from tests.tours.conftest import app_config, configure, first_open, form_data  # noqa: F401


@dataclass(frozen=True)
class Booker:
    kind: str
    name: str
    email: str
    affiliation: str
    ip: str


BOOKERS = [
    Booker("ordinary", "Robin Visitor", "robin@example.org", "Riverbend Neighbors", "192.0.2.1"),
    Booker("challenger", "Casey Challenger", "casey@stop-the-site.example",
           "Concerned Citizens", "192.0.2.2"),
    Booker("held", "Harper Held", "harper@watch.example", "Watchers", "192.0.2.3"),
    Booker("blocked", "Blake Blocked", "blake@example.org", "Blockers", "192.0.2.4"),
]


def seed_screening() -> None:
    """A challenging contact (matched by people's stance matcher), a hold and a block."""
    make_contact(first_name="Casey", last_name="Challenger", stance=Stance.challenger,
                 emails=["casey@stop-the-site.example"])
    services.add_screen(ScreenKind.domain, "watch.example", ScreenAction.hold)
    services.add_screen(ScreenKind.email, "blake@example.org", ScreenAction.block)
    db.session.commit()


def scrub(text: str, booker: Booker, token: str | None = None) -> str:
    """Text with what is the booker's own (or per request) replaced by placeholders."""
    text = re.sub(r"\r\n[ \t]", "", text)  # unfold calendar lines: a token may straddle a fold
    for real, placeholder in ((token, "TOKEN"), (booker.email, "EMAIL"),
                              (booker.name, "NAME"), (booker.affiliation, "ORG")):
        if real:
            text = text.replace(real, placeholder)
    text = re.sub(r'(name="csrf_token" value=")[^"]+', r"\1CSRF", text)
    text = re.sub(r'("X-CSRFToken": ")[^"]+', r"\1CSRF", text)
    text = re.sub(r'(<input[^>]*name="started"[^>]*value=")[^"]+', r"\1STARTED", text)
    text = re.sub(r"/tours/booking/[\w-]{20,}", "/tours/booking/TOKEN", text)
    text = re.sub(r"tour-booking-\d+@", "tour-booking-ID@", text)
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:NOW", text)


def message_shape(raw: bytes, booker: Booker, token: str | None) -> list[tuple[str, str]]:
    """Every header and every part of a queued message, decoded and scrubbed."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    shape = [(name, scrub(str(value), booker, token)) for name, value in message.items()
             if name not in ("Message-ID", "Date")]
    for part in message.walk():
        if part.is_multipart():
            shape.append(("part", part.get_content_type()))
            continue
        content = part.get_content()
        if isinstance(content, bytes):
            content = content.decode()
        shape.append((part.get_content_type(), scrub(content, booker, token)))
    return [(k, re.sub(r"boundary=\"?[^\";]+\"?", "boundary=B", v)) for k, v in shape]


def mail_to(booker: Booker) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == booker.email).order_by(OutboxMessage.id)))


def journey(app, booker: Booker, slot, later) -> list:
    """Everything the booker sees and is sent, step by step, scrubbed."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = booker.ip
    seen: list = []

    def step(label: str, response, token: str | None = None) -> None:
        location = response.headers.get("Location", "")
        seen.append((label, response.status_code, scrub(location, booker, token)))
        if location:
            page = client.get(location)
            seen.append((label + " page", page.status_code,
                         scrub(page.get_data(as_text=True), booker, token)))
        else:
            seen.append((label + " body", scrub(response.get_data(as_text=True), booker,
                                                token)))
        seen.append((label + " mail", [message_shape(m.raw, booker, token)
                                       for m in mail_to(booker)]))

    step("send", client.post("/tours", data=form_data(
        slot, name=booker.name, email=booker.email, affiliation=booker.affiliation,
        group_size="1")))
    booking = db.session.scalars(select(TourBooking).where(
        TourBooking.email == booker.email)).one()
    token = services.manage_token(booking)
    link = f"/tours/booking/{token}"
    page = client.get(link)
    seen.append(("link", page.status_code, scrub(page.get_data(as_text=True), booker, token)))
    step("confirm email", client.post(link + "/confirm-email"), token)
    ics = client.get(link + "/tour.ics")
    seen.append(("ics", ics.status_code, scrub(ics.get_data(as_text=True), booker, token)))
    step("move", client.post(link + "/reschedule/confirm", data={"slot": later.key}), token)
    step("cancel", client.post(link + "/cancel"), token)
    return seen


@pytest.mark.parametrize("approval", [True, False], ids=["approval on", "approval off"])
def test_every_booker_sees_and_gets_the_same(app, approval):
    configure(approval_required=approval)
    seed_screening()
    slot, later = first_open(0), first_open(4)
    journeys = {b.kind: journey(app, b, slot, later) for b in BOOKERS}
    db.session.expire_all()
    held = {b.email: b.held for b in db.session.scalars(select(TourBooking))}
    assert held == {"robin@example.org": False, "casey@stop-the-site.example": True,
                    "harper@watch.example": True, "blake@example.org": True}
    ordinary = journeys.pop("ordinary")
    assert len(ordinary) > 10 and [s[0] for s in ordinary if s[0].endswith("mail")]
    for kind, seen in journeys.items():
        for mine, theirs in zip(ordinary, seen, strict=True):
            assert mine == theirs, f"{kind} differs at {mine[0]!r}"
    # What an ordinary booker was sent, in order: the same four for everybody.
    subjects = [m.subject for m in mail_to(BOOKERS[0])]
    assert subjects == ["Please confirm your tour request", "We received your tour request",
                        "We received your new tour time", "Your tour is cancelled"]


@pytest.mark.parametrize("approval", [True, False], ids=["approval on", "approval off"])
def test_a_full_time_is_full_for_everybody_first(app, approval):
    """Seats are checked before anything else: a blocked booker posting to a full slot gets
    the 409 an ordinary one gets, and nobody is sent anything."""
    configure(approval_required=approval)
    seed_screening()
    slot = first_open(1)
    filler = app.test_client()
    filler.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    filler.post("/tours", data=form_data(slot, email="filler@example.org", group_size="5"))
    full = db.session.scalars(select(TourBooking)).one()
    filler.post(f"/tours/booking/{services.manage_token(full)}/confirm-email")
    answers = {}
    for booker in BOOKERS:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = booker.ip
        response = client.post("/tours", data=form_data(
            slot, name=booker.name, email=booker.email, affiliation=booker.affiliation,
            group_size="1"))
        answers[booker.kind] = (response.status_code,
                                scrub(response.get_data(as_text=True), booker))
        assert mail_to(booker) == []
    assert answers["ordinary"][0] == 409
    assert len(set(answers.values())) == 1, {k: v[0] for k, v in answers.items()}


def test_approval_off_differs_only_later_as_the_settings_page_says(app, client):
    """With approval off the ordinary request confirms itself after the delay; screened ones
    wait for the liaison — nothing of that shows at the moment of sending or confirming."""
    configure(approval_required=False)
    seed_screening()
    slot = first_open(2)
    for booker in BOOKERS:
        visitor = app.test_client()
        visitor.environ_base["REMOTE_ADDR"] = booker.ip
        visitor.post("/tours", data=form_data(slot, name=booker.name, email=booker.email,
                                              affiliation=booker.affiliation, group_size="1"))
        booking = db.session.scalars(select(TourBooking).where(
            TourBooking.email == booker.email)).one()
        visitor.post(f"/tours/booking/{services.manage_token(booking)}/confirm-email")
    db.session.expire_all()
    assert {b.status for b in db.session.scalars(select(TourBooking))} == {Status.requested}
    assert services.confirm_due(services.utcnow() + timedelta(hours=1)) == 1
    db.session.expire_all()
    confirmed = [b.email for b in db.session.scalars(select(TourBooking))
                 if b.status == Status.confirmed]
    assert confirmed == ["robin@example.org"]
