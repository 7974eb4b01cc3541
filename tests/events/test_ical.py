"""Calendar files: what we write parses in icalendar, vobject and ics, and round-trips."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import ics
import pytest
import vobject

from app.system import ical

TRICKY = "Open house, with; commas \\ back\\slash, C:\\New\nsecond line 🎉🏳️‍🌈 — ünïcødé " * 3


def _sample() -> str:
    start = datetime(2031, 5, 1, 22, 0, tzinfo=UTC)
    events = [
        ical.VEvent(uid="a1@example.org", start=start, end=start + timedelta(hours=2),
                    summary=TRICKY, description=TRICKY * 4, location="Hall; Room 2, \\ 🎉",
                    dtstamp=start, sequence=3, categories=("Open house",),
                    organizer=ical.Person("liaison@example.org", 'Riverbend "HR"'),
                    attendees=(ical.Person("ally@example.org", "Ally, Person; 🎉"),)),
        ical.VEvent(uid="c2@example.org", start=date(2031, 5, 2), end=date(2031, 5, 3),
                    summary="Due: call back", dtstamp=start, status="CANCELLED"),
    ]
    return ical.calendar(events, method="REQUEST", name="Feed; with, commas 🎉", feed=True,
                         timezone="UTC")  # the zones are tests/system/test_ical_zones.py's


def test_crlf_folding_and_utc():
    text = _sample()
    data = text.encode()
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # never split inside a UTF-8 sequence
    assert "DTSTAMP:20310501T220000Z" in text
    assert "DTSTART:20310501T220000Z" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text


def test_icalendar_strict_roundtrip():
    cal = icalendar.Calendar.from_ical(_sample())
    events = list(cal.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == ["a1@example.org", "c2@example.org"]
    first = events[0]
    assert str(first["SUMMARY"]) == TRICKY
    assert str(first["DESCRIPTION"]) == TRICKY * 4
    assert str(first["LOCATION"]) == "Hall; Room 2, \\ 🎉"
    assert first["DTSTART"].dt == datetime(2031, 5, 1, 22, 0, tzinfo=UTC)
    assert first["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert int(first["SEQUENCE"]) == 3
    assert first["ATTENDEE"].params["CN"] == "Ally, Person; 🎉"
    assert first["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert events[1]["DTSTART"].dt == date(2031, 5, 2)
    assert str(events[1]["STATUS"]) == "CANCELLED"
    assert str(cal["X-WR-CALNAME"]) == "Feed with commas 🎉"  # display names lose , ; \\
    assert cal.errors == [] and all(not e.errors for e in events)


def test_vobject_validates_and_roundtrips():
    cal = vobject.readOne(_sample(), validate=True)
    first = cal.vevent_list[0]
    assert first.summary.value == TRICKY
    assert first.description.value == TRICKY * 4
    assert first.uid.value == "a1@example.org"


def test_ics_package_parses_and_roundtrips():
    cal = ics.Calendar(_sample())
    assert len(cal.events) == 2
    # ics 0.7 unescapes "\\N" (an escaped backslash before N) as a newline, its own bug;
    # everything else round-trips there too.
    simple = TRICKY.replace("C:\\New", "C:/New")
    start = datetime(2031, 5, 1, 22, 0, tzinfo=UTC)
    text = ical.calendar([ical.VEvent(uid="s@x", start=start, end=start + timedelta(hours=1),
                                      summary=simple, description=simple, dtstamp=start)])
    event = next(iter(ics.Calendar(text).events))
    assert event.name == simple and event.description == simple


@pytest.mark.parametrize("text", ["", "a", "\\", "x" * 300, "🎉" * 80, "é" * 100,
                                  "a\\" * 60, "\\n" * 50])
def test_fold_then_unfold_is_identity(text):
    line = "SUMMARY:" + ical.escape(text)
    folded = ical.fold(line)
    assert all(len(x.encode()) <= 75 for x in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    cal = ical.calendar([ical.VEvent(uid="u", start=date(2030, 1, 1), end=date(2030, 1, 2),
                                     summary=text, dtstamp=datetime(2030, 1, 1, tzinfo=UTC))])
    parsed = icalendar.Calendar.from_ical(cal)
    assert str(next(iter(parsed.walk("VEVENT")))["SUMMARY"]) == text
