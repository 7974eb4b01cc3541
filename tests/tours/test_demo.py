"""The demo story and the scale builder load tours without errors."""

from sqlalchemy import func, select

from app.extensions import db
from app.system.demo import load_demo, load_scale
from app.tours.models import Status, TourBooking


def test_demo_story_has_requests_a_confirmed_tour_and_a_held_one(app):
    load_demo()
    db.session.commit()
    bookings = db.session.scalars(select(TourBooking)).all()
    assert len(bookings) == 4
    assert any(b.status == Status.confirmed for b in bookings)
    assert any(b.held for b in bookings)


def test_scale_builds_bookings(app):
    counts = load_scale(100)
    db.session.commit()
    assert counts["tour bookings"] == 40
    assert db.session.scalar(select(func.count(TourBooking.id))) == 40
