"""Calendar feeds answer conditional requests (issue 12, item 8): strong and weak ETags,
and Last-Modified / If-Modified-Since, which must never call a changed feed unchanged:
not after a deletion by raw SQL, not after a change in another domain's table, not for a
change in the same second as the last answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from sqlalchemy import select, text, update

from app.events import feeds
from app.events.models import Event
from app.extensions import db
from app.notes.models import Commitment
from app.settings import clock
from app.system.changes import DataChange
from tests.factories import make_commitment, make_event

PUBLIC = "/calendar/public.ics"


@pytest.fixture(autouse=True)
def _started_long_ago(monkeypatch):
    """This process started well before the test (as a server has)."""
    monkeypatch.setattr(feeds, "_STARTED", datetime.now(UTC) - timedelta(days=400))


def _age(seconds: int = 300) -> None:
    """Let time pass for every stamp (rather than sleeping): each change is `seconds` older.
    Once a feed has been served, age later changes by less than earlier ones, as time would:
    a change made after an answer must stay later than the date that answer gave."""
    db.session.commit()
    for row in db.session.scalars(select(DataChange)):
        row.changed_at -= timedelta(seconds=seconds)
    db.session.commit()


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _modified(response) -> datetime:
    return parsedate_to_datetime(response.headers["Last-Modified"])


def test_if_modified_since_answers_304_until_something_changes(client):
    make_event(title="Open house", is_public=True)
    db.session.commit()
    _age()
    first = client.get(PUBLIC)
    assert first.status_code == 200 and "Last-Modified" in first.headers
    modified = _modified(first)
    assert modified <= datetime.now(UTC) - timedelta(seconds=299)

    same = client.get(PUBLIC, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert same.status_code == 304 and same.get_data() == b""
    assert same.headers["ETag"] == first.headers["ETag"]  # what a 304 must carry (RFC 9110)
    earlier = _http_date(modified - timedelta(seconds=1))
    assert client.get(PUBLIC, headers={"If-Modified-Since": earlier}).status_code == 200

    make_event(title="Another open house", is_public=True)
    db.session.commit()
    # Just changed: no Last-Modified yet (a second change could share its second), and the
    # old date gets the new feed.
    fresh = client.get(PUBLIC, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert fresh.status_code == 200 and "Another open house" in fresh.get_data(as_text=True)
    assert "Last-Modified" not in fresh.headers and "ETag" in fresh.headers
    _age(60)
    later = client.get(PUBLIC, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert later.status_code == 200 and _modified(later) > modified


def test_a_row_deleted_by_raw_sql_changes_last_modified(client):
    """A feed item that disappears leaves no updated_at behind: the table's stamp moves."""
    gone = make_event(title="Called off for good", is_public=True)
    make_event(title="Still on", is_public=True)
    db.session.commit()
    _age(120)
    before = client.get(PUBLIC)
    db.session.execute(text("DELETE FROM events WHERE id = :id"), {"id": gone.id})
    db.session.commit()
    _age(60)
    after = client.get(PUBLIC, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert "Called off for good" not in after.get_data(as_text=True)
    assert _modified(after) > _modified(before)


def test_if_none_match_wins_over_if_modified_since(client):
    make_event(is_public=True)
    db.session.commit()
    _age()
    first = client.get(PUBLIC)
    stale = client.get(PUBLIC, headers={"If-None-Match": '"something-else"',
                                        "If-Modified-Since": first.headers["Last-Modified"]})
    assert stale.status_code == 200
    long_ago = _http_date(datetime(2001, 1, 1, tzinfo=UTC))
    for tag in (first.headers["ETag"], f"W/{first.headers['ETag']}"):
        not_modified = client.get(PUBLIC, headers={"If-None-Match": tag,
                                                   "If-Modified-Since": long_ago})
        assert not_modified.status_code == 304


def test_the_window_starts_at_midnight_and_counts_as_a_change(client):
    """What the feed holds moves once a day, at the organization's midnight, so midnight is
    a change too: Last-Modified is never earlier than today's midnight."""
    since, midnight = feeds.window()
    local_since, local_midnight = clock.local(since), clock.local(midnight)
    assert local_midnight.date() == clock.today() and local_midnight.hour == 0
    assert local_since.date() == clock.today() - feeds.WINDOW and local_since.hour == 0
    make_event(title="Just inside", is_public=True, starts_at=since - timedelta(hours=1),
               ends_at=since + timedelta(minutes=1))
    make_event(title="Just outside", is_public=True, starts_at=since - timedelta(hours=2),
               ends_at=since - timedelta(minutes=1))
    db.session.commit()
    _age(10 * 86400)  # the events were made ten days ago
    response = client.get(PUBLIC)
    body = response.get_data(as_text=True)
    assert "Just inside" in body and "Just outside" not in body
    if datetime.now(UTC) - midnight > timedelta(seconds=5):
        assert _modified(response) == midnight.replace(microsecond=0)


def test_private_feed_follows_every_domains_tables(app, client, as_liaison):
    commitment = make_commitment(what="Send the annual report", owner_id=as_liaison.user.id,
                                 due_on=datetime.now(UTC).date() + timedelta(days=30))
    db.session.commit()
    page = as_liaison.get("/events/calendar").get_data(as_text=True)
    path = "/calendar/feed/" + page.split("/calendar/feed/")[1].split('"')[0]
    _age()
    first = client.get(path)
    assert first.status_code == 200 and "Send the annual report" in first.get_data(as_text=True)
    for tag in (first.headers["ETag"], f"W/{first.headers['ETag']}"):
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(path, headers={
        "If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304

    db.session.execute(update(Commitment).where(Commitment.id == commitment.id)
                       .values(what="Send the annual report and the budget"))
    db.session.commit()
    _age(30)
    again = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200 and "and the budget" in again.get_data(as_text=True)


def test_event_file_answers_conditional_requests(as_staff):
    event = make_event(title="Talk at the library")
    db.session.commit()
    _age()
    url = f"/events/{event.id}.ics"
    first = as_staff.get(url)
    assert first.status_code == 200 and "Last-Modified" in first.headers
    assert first.headers["Content-Disposition"] == f'attachment; filename="event-{event.id}.ics"'
    for headers in ({"If-None-Match": first.headers["ETag"]},
                    {"If-None-Match": f"W/{first.headers['ETag']}"},
                    {"If-Modified-Since": first.headers["Last-Modified"]}):
        assert as_staff.get(url, headers=headers).status_code == 304, headers
    db.session.execute(update(Event).where(Event.id == event.id).values(title="Moved"))
    db.session.commit()
    _age(30)
    changed = as_staff.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert changed.status_code == 200 and "Moved" in changed.get_data(as_text=True)
