"""Anonymous requests can't block the calendar: a request holds nothing until its email is
confirmed, lapses after an hour (and stops counting at once), and one visitor — an email or
an address — holds at most the configured places per tour and per week. A confirmed booking
the visitor moves is a request again: screened or approval-needing ones go back to review."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.tours import services
from app.tours.models import ScreenAction, ScreenKind, Status, TourBooking
from tests.tours.conftest import (  # noqa: F401
    app_config,
    configure,
    first_open,
    form_data,
    link_of,
    tours,
)


def visitor(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def send(client, slot, **overrides):
    return client.post("/tours", data=form_data(slot, **overrides))


def newest() -> TourBooking:
    db.session.expire_all()
    return db.session.scalars(select(TourBooking).order_by(TourBooking.id.desc())).first()


def offered(client, slot) -> bool:
    return f'value="{slot.key}"' in client.get("/tours").get_data(as_text=True)


def test_unconfirmed_requests_hold_no_seats(app, tours):  # noqa: F811 (a fixture)
    slot = first_open()
    for i in range(10):  # ten whole-tour requests from ten addresses, never confirmed
        assert send(visitor(app, f"203.0.113.{i}"), slot, email=f"x{i}@example.org",
                    group_size="5").status_code == 303
    someone = visitor(app, "198.51.100.7")
    assert offered(someone, slot)
    assert send(someone, slot, email="real@example.org", group_size="5").status_code == 303
    booking = newest()
    assert someone.post(link_of(booking) + "/confirm-email").status_code == 303
    assert not offered(someone, slot)  # held now, by the one who confirmed


def test_one_address_holds_at_most_its_share_of_a_tour(app):
    configure(visitor_seats_per_slot=4, visitor_seats_per_week=6)
    slot = first_open()
    client = visitor(app, "203.0.113.5")
    assert send(client, slot, email="a@example.org", group_size="3").status_code == 303
    refused = send(client, slot, email="b@example.org", group_size="2")
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "up to 4 people on one tour and 6 people in one week" in body
    assert 'id="group_size-error"' in body
    assert "a@example.org" not in body and "3 people" not in body  # says nothing about others
    assert [b.email for b in db.session.scalars(select(TourBooking))] == ["a@example.org"]
    # Another address is another visitor.
    assert send(visitor(app, "203.0.113.6"), slot, email="c@example.org",
                group_size="2").status_code == 303
    # The first request lapses unconfirmed: it stops counting at once, before any purge.
    first = db.session.scalars(select(TourBooking).where(
        TourBooking.email == "a@example.org")).one()
    first.created_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    assert send(client, slot, email="b@example.org", group_size="2").status_code == 303


def test_one_email_holds_at_most_its_share_of_a_week(app):
    configure(visitor_seats_per_slot=4, visitor_seats_per_week=5)
    same_week = [first_open(0), first_open(1)]  # one evening: one week
    next_week = first_open(3 * 7)  # seven days on: another week
    first = visitor(app, "203.0.113.10")
    send(first, same_week[0], email="Robin@Example.org", group_size="3")
    assert first.post(link_of(newest()) + "/confirm-email").status_code == 303
    # From elsewhere, the same person (the email, in any case) asks for more that week: the
    # form can't tell (anyone may type an email), the confirmation can.
    second = visitor(app, "203.0.113.11")
    assert send(second, same_week[1], email="robin@example.org",
                group_size="3").status_code == 303
    pending = newest()
    refused = second.post(link_of(pending) + "/confirm-email")
    assert refused.status_code == 409
    assert "5 people in one week" in refused.get_data(as_text=True)
    assert newest().status == Status.pending
    assert second.post(link_of(pending) + "/cancel").status_code == 303  # withdrawn
    # A smaller group fits; so does another week.
    assert send(second, next_week, email="robin@example.org", group_size="3").status_code == 303
    assert second.post(link_of(newest()) + "/confirm-email").status_code == 303
    assert send(second, same_week[1], email="robin@example.org",
                group_size="2").status_code == 303
    assert second.post(link_of(newest()) + "/confirm-email").status_code == 303
    held = db.session.scalars(select(TourBooking.group_size).where(
        TourBooking.status == Status.requested)).all()
    assert sorted(held) == [2, 3, 3]


def test_groups_bigger_than_one_visitor_may_hold_are_refused_at_the_form(app, client):
    configure(visitor_seats_per_slot=3)
    response = send(client, first_open(), group_size="4")
    assert response.status_code == 422
    assert "Tours take up to 3 people per booking" in response.get_data(as_text=True)
    assert 'max="3"' in client.get("/tours").get_data(as_text=True)


def test_moving_puts_screened_and_approval_needing_bookings_back_to_review(app, as_liaison):
    configure(approval_required=False)
    services.add_screen(ScreenKind.domain, "watch.example", ScreenAction.hold)
    db.session.commit()
    ordinary_client, held_client = visitor(app, "203.0.113.20"), visitor(app, "203.0.113.21")
    send(ordinary_client, first_open(0), email="o@example.org", group_size="1")
    ordinary = newest()
    ordinary_client.post(link_of(ordinary) + "/confirm-email")
    send(held_client, first_open(0), email="h@watch.example", group_size="1")
    held = newest()
    held_client.post(link_of(held) + "/confirm-email")
    services.confirm_due(utcnow() + timedelta(hours=1))  # the ordinary one confirms itself
    as_liaison.post(f"/tours/manage/bookings/{held.id}/confirm")  # the liaison confirms this
    db.session.expire_all()
    assert {b.status for b in (ordinary, held)} == {Status.confirmed}

    later = first_open(2)
    for client, booking in ((ordinary_client, ordinary), (held_client, held)):
        moved = client.post(link_of(booking) + "/reschedule/confirm", data={"slot": later.key})
        assert moved.status_code == 303
    db.session.expire_all()
    assert held.status == Status.requested and held.auto_confirm_at is None  # back to review
    assert ordinary.status == Status.requested and ordinary.auto_confirm_at is not None
    services.confirm_due(utcnow() + timedelta(hours=1))
    db.session.expire_all()
    assert ordinary.status == Status.confirmed and held.status == Status.requested

    # Approval on: every moved booking waits for the liaison again.
    configure(approval_required=True)
    ordinary_client.post(link_of(ordinary) + "/reschedule/confirm",
                         data={"slot": first_open(4).key})
    db.session.expire_all()
    assert ordinary.status == Status.requested and ordinary.auto_confirm_at is None
