"""The private calendar feed is assembled from the feed-source registry (app.system.feeds):
events, tours and notes each contribute, and a new source reaches the feed by registering."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar

from app.events import feeds
from app.extensions import db
from app.notes.models import CommitmentStatus
from app.notes.services import close_commitment
from app.system import feeds as registry
from app.system import ical
from tests.factories import make_commitment, make_event, make_user


def _items(client, user) -> dict[str, icalendar.Event]:
    response = client.get(f"/calendar/feed/{feeds.feed_token(user)}.ics")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.get_data(as_text=True))
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_each_domain_registers_its_source(app):
    assert {"events", "notes", "tours"} <= set(registry.SOURCES)


def test_a_registered_source_reaches_the_feed_for_whom_it_says(app, client, as_liaison,
                                                                  monkeypatch):
    """What a coalition renewal source (issue 10) will do: items for one user only."""
    other = make_user(name="Robin Other")
    db.session.commit()
    start = datetime(2031, 3, 1, 17, tzinfo=UTC)
    seen = []

    def renewals(user, since, until):
        seen.append((user.id, since, until))
        if user.id != as_liaison.user.id:
            return []
        return [ical.VEvent(uid=ical.uid("renewal", 7), start=start,
                            end=start + timedelta(hours=1), summary="Coalition renewal",
                            dtstamp=start, categories=("Coalition",))]

    monkeypatch.setitem(registry.SOURCES, "renewals", renewals)
    mine = _items(client, as_liaison.user)
    renewal = mine[ical.uid("renewal", 7)]
    assert str(renewal["SUMMARY"]) == "Coalition renewal"
    assert renewal.decoded("DTSTART") == start
    assert ical.uid("renewal", 7) not in _items(client, other)
    assert [s[0] for s in seen] == [as_liaison.user.id, other.id]
    assert seen[0][1] < datetime.now(UTC) - timedelta(days=89) and seen[0][2] is None


def test_events_source_lists_every_event_in_the_window(app, as_liaison):
    recent = make_event(title="Recent")
    old = make_event(title="Long ago", starts_at=datetime(2020, 1, 1, tzinfo=UTC),
                     ends_at=datetime(2020, 1, 1, 2, tzinfo=UTC))
    db.session.commit()
    since = datetime.now(UTC) - timedelta(days=90)
    uids = [i.uid for i in feeds.event_items(as_liaison.user, since, None)]
    assert recent.uid in uids and old.uid not in uids
    assert feeds.event_items(as_liaison.user, since, since + timedelta(days=1)) == []


def test_commitments_only_the_users_own_open_ones(app, client, as_liaison):
    other = make_user(name="Robin Other")
    mine = make_commitment(what="Send the report", owner_id=as_liaison.user.id,
                           due_on=date(2031, 2, 1))
    kept = make_commitment(what="Already done", owner_id=as_liaison.user.id,
                           due_on=date(2031, 2, 2))
    theirs = make_commitment(what="Their promise", owner_id=other.id, due_on=date(2031, 2, 3))
    close_commitment(kept, CommitmentStatus.kept, None)
    db.session.commit()
    items = _items(client, as_liaison.user)
    item = items[ical.uid("commitment", mine.id)]
    assert str(item["SUMMARY"]) == "Due: Send the report"
    assert item.decoded("DTSTART") == date(2031, 2, 1)
    assert item.decoded("DTEND") == date(2031, 2, 2)
    assert str(item["TRANSP"]) == "TRANSPARENT"
    assert ical.uid("commitment", kept.id) not in items
    assert ical.uid("commitment", theirs.id) not in items
    assert ical.uid("commitment", theirs.id) in _items(client, other)
