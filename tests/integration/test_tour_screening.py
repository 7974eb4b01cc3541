"""Tour screening against people: challenging or skeptical contacts and organizations hold a
booking for approval; the liaison sees why; the booker can't tell."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.mail.services import deliver_due
from app.people.models import Stance
from app.people.screening import Booker, is_free_mail, normalise, stance_matcher
from app.tours import services
from app.tours.models import Status, TourBooking
from tests import factories
from tests.tours.conftest import book, configure, form_data, without_csrf

MARKER = "Zqx7Marker"


def booker(email="a@b.example", name="", organization="") -> Booker:
    return Booker(email=normalise(email), name=normalise(name),
                  organization=normalise(organization))


def test_matches_by_email_domain_name_and_organization(app):
    watch = factories.make_organization(name="Watchful Neighbors", stance=Stance.challenger,
                                        website="https://www.watchful.example/about")
    factories.make_contact(first_name="Dana", last_name="Critic", stance="skeptic",
                           emails=["dana@critics.example"], organization_id=watch.id)
    factories.make_contact(first_name="Friendly", last_name="Ally", stance="ally",
                           emails=["friend@allies.example"])
    db.session.commit()

    def fields(b):
        return sorted((m.source, m.field) for m in stance_matcher(b))

    assert fields(booker("dana@critics.example")) == [("contact", "email")]
    assert fields(booker("other@critics.example")) == [("contact", "domain")]
    assert fields(booker("x@y.example", name="dana  critic")) == [("contact", "name")]
    assert fields(booker("x@y.example", organization="watchful neighbors")) == [
        ("contact", "organization"), ("organization", "organization")]
    assert fields(booker("press@watchful.example")) == [("organization", "domain")]
    # Allies, strangers and near misses don't match.
    assert fields(booker("friend@allies.example", name="friendly ally")) == []
    assert fields(booker("dana@critics.example.net", name="dana")) == []
    assert fields(booker("x@watchful.example.org")) == []
    (match,) = stance_matcher(booker("dana@critics.example"))
    assert match.reason.startswith("email matches contact Dana Critic (#")
    assert match.reason.endswith(", skeptical)") and not match.block


@pytest.mark.parametrize("domain", ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
                                    "icloud.com", "proton.me", "aol.com"])
def test_free_mail_domains_never_match_by_domain(app, domain):
    factories.make_contact(first_name="Pat", last_name="Opposed", stance="challenger",
                           emails=[f"pat@{domain}"])
    factories.make_organization(name="Loud Group", stance=Stance.challenger,
                                email=f"group@{domain}")
    db.session.commit()
    assert is_free_mail(domain) and is_free_mail("mail." + domain)
    assert stance_matcher(booker(f"stranger@{domain}")) == []
    # The very same address still matches.
    assert [m.field for m in stance_matcher(booker(f"pat@{domain}"))] == ["email"]


def test_archived_contacts_and_unknown_stance_organizations_do_not_match(app):
    c = factories.make_contact(first_name="Old", last_name="Foe", stance="challenger",
                               emails=["old@foe.example"])
    factories.make_organization(name="Quiet Club")
    c.archived_at = c.created_at
    db.session.commit()
    assert stance_matcher(booker("old@foe.example", organization="quiet club")) == []


def _deliver(mailbox, n):
    db.session.commit()
    deliver_due()
    return mailbox.wait_for(n)


def _normalised(text: str, *details: str) -> str:
    """The text with the booker's own details and per-message noise blanked out."""
    for d in details:
        text = text.replace(d, "<detail>")
    text = re.sub(r"/tours/booking/[\w-]+", "/tours/booking/<token>", text)
    return without_csrf(text)



def test_held_even_when_approval_is_off_and_the_liaison_sees_why(client, as_liaison, mailbox):
    configure(approval_required=False)
    factories.make_contact(first_name=MARKER, last_name="Opponent", stance="challenger",
                           emails=["opponent@watch.example"])
    db.session.commit()
    book(client, email="neutral@elsewhere.example", group_size="1")
    book(client, email="opponent@watch.example", group_size="1")
    services.confirm_due(utcnow() + timedelta(hours=1))  # the unscreened one, after its delay
    db.session.commit()
    plain, held = db.session.scalars(select(TourBooking).order_by(TourBooking.id)).all()
    assert plain.status == Status.confirmed and not plain.held
    assert held.status == Status.requested and held.held
    page = as_liaison.get(f"/tours/manage/bookings/{held.id}").get_data(as_text=True)
    assert "waits for your approval" in page
    assert f"email matches contact {MARKER} Opponent" in page
    assert "Challenging".lower() in page.lower()
    messages = _deliver(mailbox, 5)
    held_mail = [m for m in messages if "watch.example" in m["To"]]
    assert [m["Subject"] for m in held_mail] == ["Please confirm your tour request",
                                                 "We received your tour request"]
    for message in held_mail:
        raw = message.as_string()
        assert MARKER not in raw and "screen" not in raw.lower()
        assert "challeng" not in raw.lower()


def test_a_matched_booker_sees_exactly_what_anyone_else_sees(client, tours, mailbox):
    """Approval on: an unmatched and a matched booker get byte-identical pages and emails,
    apart from their own email address and manage link."""
    factories.make_organization(name=f"{MARKER} Watch", stance=Stance.challenger,
                                email="info@watch.example")
    db.session.commit()
    pages, mails = [], []
    for email in ("plain@elsewhere.example", "someone@watch.example"):
        response = client.post("/tours", data=form_data(email=email, group_size="1"))
        assert response.status_code == 303
        landing = client.get(response.headers["Location"])
        booking = db.session.scalars(select(TourBooking).where(TourBooking.email == email)).one()
        from app.tours.services import manage_token
        own = client.get(f"/tours/booking/{manage_token(booking)}")
        pages.append((response.headers["Location"],
                      without_csrf(landing.get_data(as_text=True)),
                      _normalised(own.get_data(as_text=True), email)))
    plain, held = db.session.scalars(select(TourBooking).order_by(TourBooking.id)).all()
    assert not plain.held and held.held and held.screening
    assert pages[0] == pages[1]
    for message in _deliver(mailbox, 2):
        email = message["To"].addresses[0].addr_spec
        body = message.get_body(preferencelist=("plain",)).get_content()
        mails.append((message["Subject"], message.get_content_type(), _normalised(body, email)))
    assert mails[0] == mails[1]
    assert all(MARKER not in str(m) for m in mails + pages)
