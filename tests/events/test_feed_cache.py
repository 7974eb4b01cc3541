"""The public feed is built again only when its events change (feeds.cached_public_feed):
an edit, a new event, a cancellation, a deletion or an event made private shows at once;
an unchanged feed is served from the cache and answers 304 to its ETag, strong or weak."""

from __future__ import annotations

from datetime import timedelta

import icalendar

from app.database import utcnow
from app.events import feeds
from app.events.models import Event, EventStatus
from app.extensions import db
from tests import factories


def _titles(client) -> set[str]:
    response = client.get("/calendar/public.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


def test_the_feed_changes_with_its_events_and_not_otherwise(app, client, monkeypatch):
    soon = utcnow() + timedelta(days=3)
    first = factories.make_event(title="Open house", is_public=True, starts_at=soon,
                                 ends_at=soon + timedelta(hours=2))
    factories.make_event(title="Board retreat", is_public=False, starts_at=soon,
                         ends_at=soon + timedelta(hours=2))
    db.session.commit()
    assert _titles(client) == {"Open house"}

    builds = []
    real = feeds.public_feed
    monkeypatch.setattr(feeds, "public_feed", lambda: builds.append(1) or real())
    tag = client.get("/calendar/public.ics").headers["ETag"]
    assert builds == []  # unchanged: served from the cache
    for value in (tag, "W/" + tag):
        assert client.get("/calendar/public.ics", headers={"If-None-Match": value}) \
            .status_code == 304

    first.title = "Open house and naloxone training"
    db.session.commit()
    assert _titles(client) == {"Open house and naloxone training"}
    second = factories.make_event(title="Vigil", is_public=True, starts_at=soon,
                                  ends_at=soon + timedelta(hours=1))
    db.session.commit()
    assert _titles(client) == {"Open house and naloxone training", "Vigil"}
    second.status = EventStatus.cancelled
    db.session.commit()
    assert "STATUS:CANCELLED" in client.get("/calendar/public.ics").get_data(as_text=True)
    second.is_public = False
    db.session.commit()
    assert _titles(client) == {"Open house and naloxone training"}
    db.session.delete(db.session.get(Event, first.id))
    db.session.commit()
    assert _titles(client) == set()
    assert len(builds) == 5


def test_a_cached_feed_is_rebuilt_after_a_minute_whatever_happens(app, client, monkeypatch):
    factories.make_event(title="Open house", is_public=True)
    db.session.commit()
    client.get("/calendar/public.ics")
    builds = []
    real = feeds.public_feed
    monkeypatch.setattr(feeds, "public_feed", lambda: builds.append(1) or real())
    monkeypatch.setattr(feeds, "PUBLIC_CACHE_SECONDS", -1)
    client.get("/calendar/public.ics")
    assert builds == [1]
