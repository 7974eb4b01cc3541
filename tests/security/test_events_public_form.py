"""The public registration form (/public-events/<slug>) against hostile use: another site
posting through visitors' browsers, forged or stale tokens, bots filling the honeypot,
malformed and hostile values (422 with a message beside the field, never a 500, nothing
half-written), floods (rate limits), and screening that must never show: an ordinary, a
held and a blocked registrant get the same answer, pages and first email."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.events import registrations
from app.events.models import Registration, RegistrationStatus
from app.events.public_events import FORM_TOKEN
from app.extensions import db
from app.mail.models import OutboxMessage
from app.people.models import Stance
from app.press.forms import inquiry_token
from app.tours.models import ScreenAction, ScreenKind
from app.tours.services import add_screen
from tests.events.conftest import open_event, register, registration, registration_form
from tests.factories import make_contact, make_organization

MARKER = "Zqx7Screened"


def _count() -> int:
    return db.session.scalar(select(func.count(Registration.id)))


def _mails() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def event(app):
    return open_event(app)


# --- where the post comes from -------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/page"},
    {"Origin": "http://localhost"},  # not the public address (PUBLIC_BASE_URL), whatever Host says
])
def test_another_site_cannot_post_through_a_visitors_browser(client, event, headers):
    assert register(client, event, headers=headers).status_code == 400
    assert _count() == 0 and _mails() == []


@pytest.mark.parametrize("headers", [
    {}, {"Origin": "http://events.test"},
    {"Referer": "http://events.test/public-events/x"},
])
def test_our_own_pages_and_plain_clients_may_post(client, event, headers):
    assert register(client, event, headers=headers).status_code == 303


TOKENS = {
    "missing": lambda: None, "empty": lambda: "", "forged": lambda: "forged",
    "huge": lambda: "x" * 5000,
    "stale": lambda: FORM_TOKEN.issue(int(time.time()) - FORM_TOKEN.max_age - 120),
    "future": lambda: FORM_TOKEN.issue(int(time.time()) + 3600),
}


@pytest.mark.parametrize("token", TOKENS)
def test_a_missing_forged_or_stale_token_keeps_the_details_and_asks_again(client, event, token):
    response = register(client, event, form_token=TOKENS[token](), name="Kept Name")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This page was open too long, or the form could not be checked." in html
    assert 'value="Kept Name"' in html
    assert re.search(r'name="form_token" value="[^"]+"', html)  # a fresh one to send again
    assert _count() == 0


def test_another_forms_token_is_refused(client, app, event):
    assert register(client, event, form_token=inquiry_token()).status_code == 422


def test_the_honeypot_gets_the_ordinary_answer_and_nothing_else(client, event):
    bot = register(client, event, website="http://spam.example", email="bot@example.org")
    person = register(client, event, email="person@example.org")
    assert bot.status_code == person.status_code == 303
    assert bot.headers["Location"] == person.headers["Location"]
    assert [r.email for r in db.session.scalars(select(Registration))] == ["person@example.org"]
    assert [m.recipient for m in _mails()] == ["person@example.org"]


# --- malformed and hostile values ------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"name": ""}, "name", "Please tell us your name."),
    ({"name": "x" * 201}, "name", "Field cannot be longer than 200 characters."),
    ({"email": "not-an-email"}, "email", "Please give an email address like name@example.org."),
    ({"email": "a@b.example\r\nBcc: victim@example.org"}, "email",
     "Please give an email address like name@example.org."),
    ({"email": "x" * 250 + "@example.org"}, "email", "Field cannot be longer than 254"),
    ({"phone": "call me maybe"}, "phone", "Please give a phone number we can call"),
    ({"group_size": "0"}, "group_size", "Between 1 and 20 people."),
    ({"group_size": "-3"}, "group_size", "Between 1 and 20 people."),
    ({"group_size": "21"}, "group_size", "Between 1 and 20 people."),
    ({"group_size": "99999999999999999999"}, "group_size", "Between 1 and 20 people."),
    ({"group_size": "abc"}, "group_size", "Not a valid integer value."),
    ({"group_size": "1e9"}, "group_size", "Not a valid integer value."),
    ({"group_size": None}, "group_size", "How many people are coming?"),
    ({"accessibility": "x" * 2001}, "accessibility", "Field cannot be longer than 2000"),
    ({"affiliation": "x" * 201}, "affiliation", "Field cannot be longer than 200"),
])
def test_bad_values_get_422_with_the_message_beside_the_field(client, event, overrides, field,
                                                              message):
    response = register(client, event, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert error and message.replace("'", "&#39;") in error.group(1), html[-3000:]
    assert 'aria-describedby="' in html and 'aria-invalid="true"' in html
    assert _count() == 0 and _mails() == []


def test_hostile_text_is_cleaned_and_escaped_never_run(client, event, as_liaison):
    response = register(client, event, name="Eve\r\nBcc: all@example.org <script>x()</script>",
                        affiliation="=cmd|' /C calc'!A0", accessibility="<img src=x onerror=1>\x00",
                        email="eve@example.org")
    assert response.status_code == 303
    reg = registration("eve@example.org")
    assert reg.name == "Eve Bcc: all@example.org <script>x()</script>"
    assert "\x00" not in reg.accessibility
    (mail,) = _mails()
    raw = mail.raw.decode()
    headers = raw.split("\r\n\r\n", 1)[0]
    assert "\nBcc:" not in headers and "all@example.org" not in headers.split("To:")[0]
    token = registrations.manage_token(reg)
    for page in (client.get(f"/public-events/registration/{token}"),
                 as_liaison.get(f"/events/{event.id}"),
                 as_liaison.get(f"/events/{event.id}/registrations/{reg.id}")):
        html = page.get_data(as_text=True)
        assert "<script>x()</script>" not in html and "&lt;script&gt;" in html
        assert "<img src=x" not in html


def test_a_huge_body_is_refused_before_any_work(client, app, event):
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    response = register(client, event, accessibility="x" * 200_000)
    assert response.status_code == 413 and _count() == 0


field_values = st.one_of(st.text(max_size=300), st.sampled_from(
    ["", "0", "-1", "1", "20", "21", "1e3", "²", "9" * 30, "a@b", "a@example.org",
     "=1+1", "\r\n", "\x00", "<script>"]))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({k: field_values for k in (
    "name", "email", "phone", "affiliation", "group_size", "accessibility", "contact_consent")}))
def test_no_combination_of_values_is_a_500(client, event, values):
    response = register(client, event, **values)
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 422:
        assert 'class="field-error"' in response.get_data(as_text=True)


# --- floods ----------------------------------------------------------------------------------


def test_rate_limits_per_address_and_per_email(client, app, event):
    app.config.update(EVENTS_RATE_PER_IP=3, EVENTS_RATE_PER_EMAIL=2)
    assert register(client, event, email="a@example.org").status_code == 303
    assert register(client, event, email="a@example.org").status_code == 303  # (the link again)
    busy = register(client, event, email="A@Example.org ")
    assert busy.status_code == 429 and "many registrations" in busy.get_data(as_text=True)
    assert register(client, event, email="b@example.org").status_code == 303
    assert register(client, event, email="c@example.org").status_code == 429  # the IP's 3
    assert sorted(r.email for r in db.session.scalars(select(Registration))) == [
        "a@example.org", "b@example.org"]


def test_the_private_link_pages_are_nobody_elses(client, event):
    register(client, event)
    token = registrations.manage_token(registration())
    for url in (f"/public-events/registration/{token}",
                f"/public-events/registration/{token}/cancel"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response.headers["X-Robots-Tag"]
    assert client.get(f"/public-events/registration/{token[:-1]}x").status_code == 404
    stored = db.session.scalar(select(Registration.token_hash))
    assert token not in stored and client.get(
        f"/public-events/registration/{stored}").status_code == 404


# --- screening never shows ---------------------------------------------------------------------


def _normalised(text: str, *details: str) -> str:
    """The text with the registrant's own details and per-message noise blanked out."""
    for d in details:
        text = text.replace(d, "<detail>")
    text = re.sub(r"/public-events/registration/[\w-]+", "/public-events/registration/<t>",
                  text)
    text = re.sub(r"DTSTAMP:\w+", "DTSTAMP:<now>", text)
    text = re.sub(r"number \d+ in line", "number <n> in line", text)  # they queue in turn
    text = re.sub(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1<csrf>", text)
    return text


def _screen_people() -> None:
    make_organization(name=f"{MARKER} Watch", stance=Stance.challenger,
                      email="info@watch.example")
    make_contact(first_name=MARKER, last_name="Critic", stance="skeptic",
                 emails=["critic@critics.example"])
    add_screen(ScreenKind.email, "blocked@example.org", ScreenAction.block)
    db.session.commit()


PEOPLE = [("plain@elsewhere.example", "Pat Person"), ("someone@watch.example", "Pat Person"),
          ("blocked@example.org", "Pat Person")]


@pytest.mark.parametrize("full", [False, True], ids=["places", "waitlist"])
def test_ordinary_held_and_blocked_registrants_see_exactly_the_same(client, app, full):
    """The same status, redirect, landing page, own page and first email (byte for byte,
    apart from their own address and private link), whether a place was free or not."""
    _screen_people()
    event = open_event(app, capacity=3 if not full else 1, address="12 Hidden Lane",
                       address_invitees_only=True)
    app.config["EVENTS_ADDRESS_DELAY_MINUTES"] = (5, 30)  # as in production
    if full:
        register(client, event, email="first@example.org")
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
    seen = []
    for email, name in PEOPLE:
        response = register(client, event, email=email, name=name)
        landing = client.get(response.headers["Location"])
        reg = registration(email)
        own = client.get(f"/public-events/registration/{registrations.manage_token(reg)}")
        seen.append((response.status_code, response.headers["Location"],
                     landing.get_data(as_text=True),
                     _normalised(own.get_data(as_text=True), email)))
    assert seen[0] == seen[1] == seen[2]
    plain, held, blocked = (registration(e) for e, _ in PEOPLE)
    assert not plain.held and held.held and blocked.blocked
    assert f"{MARKER} Watch" in str(held.screening)
    expected = RegistrationStatus.waitlisted if full else RegistrationStatus.registered
    assert plain.status == held.status == blocked.status == expected

    mails = _mails()
    firsts = {}
    for m in mails:
        firsts.setdefault(m.recipient, m)
    assert set(firsts) == {e for e, _ in PEOPLE}
    bodies = [(m.subject, m.kind, _normalised(m.raw.decode(), m.recipient)
               .split("\r\n\r\n", 1)[1]) for m in (firsts[e] for e, _ in PEOPLE)]
    assert bodies[0][:2] == bodies[1][:2] == bodies[2][:2]
    assert bodies[0][2].count("Pat Person") == bodies[1][2].count("Pat Person")
    assert all(MARKER not in str(b) and "screen" not in str(b).lower() for b in bodies)
    # Only later does anything differ, and only in what is sent: the private address goes
    # to the ordinary registrant alone (held: once approved; blocked: never).
    address = [m.recipient for m in mails if m.kind == "event_registration.address"]
    assert address == ([] if full else ["plain@elsewhere.example"])


def test_a_blocked_registrant_holds_no_place_and_is_never_offered_one(client, app):
    _screen_people()
    event = open_event(app, capacity=1)
    register(client, event, email="blocked@example.org")
    assert registrations.places_taken(event) == 0
    register(client, event, email="ordinary@example.org")
    assert registration("ordinary@example.org").status == RegistrationStatus.registered
    late = open_event(app, title="Full one", capacity=1)
    register(client, late, email="ordinary@example.org")
    register(client, late, email="blocked@example.org")  # waitlisted, as anyone would be
    registrations.cancel(registration("ordinary@example.org"))
    db.session.commit()
    blocked = db.session.scalars(select(Registration).where(
        Registration.event_id == late.id, Registration.email == "blocked@example.org")).one()
    assert blocked.status == RegistrationStatus.waitlisted  # no offer, ever
    assert registration_form()["form_token"]
