"""Calendar files keep the organization's zone: times on its wall clock with TZID and its
VTIMEZONE, read back to the same instants by icalendar, vobject, the `ics` package and
ical.js (under node) across DST changes; a time clocks repeat is written in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import ics
import pytest
import vobject

from app.settings import services as settings
from app.system import ical

STAMP = datetime(2031, 1, 5, 12, 0, tzinfo=UTC)

# (uid, start, end), around Chicago's 2031 changes: Mar 9 (2:00 → 3:00 AM) and Nov 2
# (2:00 → 1:00 AM). The last two start in the hour clocks repeat: 1:30 CDT, then 1:30 CST.
TIMES = [
    ("before-spring@x", datetime(2031, 3, 1, 18, 0, tzinfo=UTC), timedelta(hours=2)),
    ("after-spring@x", datetime(2031, 3, 15, 17, 0, tzinfo=UTC), timedelta(hours=2)),
    ("across-spring@x", datetime(2031, 3, 9, 7, 30, tzinfo=UTC), timedelta(hours=1)),
    ("first-130@x", datetime(2031, 11, 2, 6, 30, tzinfo=UTC), timedelta(minutes=45)),
    ("second-130@x", datetime(2031, 11, 2, 7, 30, tzinfo=UTC), timedelta(hours=1)),
    ("winter@x", datetime(2031, 12, 20, 0, 30, tzinfo=UTC), timedelta(hours=3)),
]


def _calendar(zone: str = "America/Chicago", **options) -> str:
    events = [ical.VEvent(uid=uid, start=start, end=start + length, summary=uid,
                          dtstamp=STAMP) for uid, start, length in TIMES]
    events.append(ical.VEvent(uid="all-day@x", start=date(2031, 3, 9), end=date(2031, 3, 10),
                              summary="Due", dtstamp=STAMP))
    return ical.calendar(events, timezone=zone, **options)


def _expected() -> dict[str, tuple[datetime, datetime]]:
    return {uid: (start, start + length) for uid, start, length in TIMES}


def test_times_are_written_on_the_wall_clock_with_tzid(app):
    text = _calendar()
    assert text.count("BEGIN:VTIMEZONE") == 1 and "TZID:America/Chicago" in text
    assert "DTSTART;TZID=America/Chicago:20310301T120000" in text  # noon CST
    assert "DTSTART;TZID=America/Chicago:20310315T120000" in text  # noon CDT
    assert "DTSTART;TZID=America/Chicago:20310309T013000" in text  # before the jump
    assert "DTEND;TZID=America/Chicago:20310309T033000" in text  # after it: one hour later
    # 1:30 happens twice on Nov 2: both are written in UTC, which nobody can misread
    assert "DTSTART:20311102T063000Z" in text and "DTSTART:20311102T073000Z" in text
    assert "DTSTART;VALUE=DATE:20310309" in text
    assert "DTSTAMP:20310105T120000Z" in text  # DTSTAMP is always UTC
    # the spring-forward onset is on the clock it changes from (RFC 5545 3.6.5)
    zone = text[text.index("BEGIN:VTIMEZONE"):text.index("END:VTIMEZONE")]
    assert "DTSTART:20310309T020000\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500" in zone
    assert "DTSTART:20311102T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600" in zone


def test_icalendar_reads_the_same_instants(app):
    cal = icalendar.Calendar.from_ical(_calendar())
    assert cal.errors == []
    expected = _expected()
    for event in cal.walk("VEVENT"):
        uid = str(event["UID"])
        if uid == "all-day@x":
            assert event.decoded("DTSTART") == date(2031, 3, 9)
            continue
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start.astimezone(UTC), end.astimezone(UTC)) == expected.pop(uid), uid
    assert expected == {}
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "America/Chicago"


def test_the_vtimezone_itself_agrees_with_tzdata(app):
    """icalendar turns our VTIMEZONE into a tzinfo: it gives the real offset at every hour
    of the year (so nothing but the zone's rules went into it)."""
    cal = icalendar.Calendar.from_ical(_calendar(zone="Australia/Lord_Howe"))
    (vtimezone,) = cal.walk("VTIMEZONE")
    ours, real = vtimezone.to_tz(), ZoneInfo("Australia/Lord_Howe")
    moment = datetime(2031, 1, 1, tzinfo=UTC)
    while moment.year == 2031:
        assert moment.astimezone(ours).utcoffset() == moment.astimezone(real).utcoffset(), moment
        moment += timedelta(hours=1)


def test_vobject_reads_the_same_instants(app):
    cal = vobject.readOne(_calendar(), validate=True)
    expected = _expected()
    for event in cal.vevent_list:
        uid = event.uid.value
        if uid in expected:
            start, end = expected.pop(uid)
            assert event.dtstart.value.astimezone(UTC) == start, uid
            assert event.dtend.value.astimezone(UTC) == end, uid
    assert expected == {}


def test_the_ics_package_reads_the_same_instants(app):
    cal = ics.Calendar(_calendar())
    expected = _expected()
    for event in cal.events:
        if event.uid in expected:
            start, end = expected.pop(event.uid)
            assert event.begin.datetime.astimezone(UTC) == start, event.uid
            assert event.end.datetime.astimezone(UTC) == end, event.uid
    assert expected == {}


def test_icaljs_reads_the_same_instants_in_the_zone(app, icaljs):
    events = {e["uid"]: e for e in icaljs(_calendar())}
    for uid, (start, end) in _expected().items():
        assert events[uid]["start"] == start.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"), uid
        assert events[uid]["end"] == end.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"), uid
    assert events["before-spring@x"]["zone"] == "America/Chicago"
    assert events["after-spring@x"]["zone"] == "America/Chicago"
    assert events["all-day@x"]["start"] == "2031-03-09"


def test_the_organizations_zone_is_the_default(app):
    settings.put("timezone", "Europe/London")
    start = datetime(2031, 7, 1, 17, 0, tzinfo=UTC)
    text = ical.calendar([ical.VEvent(uid="u@x", start=start, end=start + timedelta(hours=1),
                                      summary="s", dtstamp=STAMP)], feed=True)
    assert "DTSTART;TZID=Europe/London:20310701T180000" in text  # BST
    assert "X-WR-TIMEZONE:Europe/London" in text and "TZID:Europe/London" in text


@pytest.mark.parametrize("zone", ["UTC", None])
def test_utc_needs_no_vtimezone(app, zone):
    text = _calendar(zone=zone)
    assert "VTIMEZONE" not in text and "TZID" not in text
    assert "DTSTART:20310301T180000Z" in text


def test_a_calendar_of_dates_only_needs_no_vtimezone(app):
    text = ical.calendar([ical.VEvent(uid="d@x", start=date(2031, 3, 9), end=date(2031, 3, 10),
                                      summary="Due", dtstamp=STAMP)])
    assert "VTIMEZONE" not in text


def test_the_vtimezone_covers_events_near_new_year(app, icaljs):
    """An instant on Jan 1 in UTC is Dec 31 on Chicago's clock: its year is covered."""
    start = datetime(2032, 1, 1, 3, 0, tzinfo=UTC)
    text = ical.calendar([ical.VEvent(uid="nye@x", start=start, end=start + timedelta(hours=1),
                                      summary="New Year", dtstamp=STAMP)])
    assert "DTSTART;TZID=America/Chicago:20311231T210000" in text
    (event,) = icaljs(text)
    assert event["start"] == "2032-01-01T03:00:00.000Z"
