"""Wall-clock times people type, on the days clocks change: a time in the spring-forward gap
is refused with a clear message beside its field (422), one in the fall-back overlap is
asked about, and nothing is ever silently shifted — in every form that takes a local time
(events, coalition meetings, media deadlines) and in the tour slots offered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.events.models import Event
from app.extensions import db
from app.press.models import Inquiry
from app.settings import clock
from app.tours import schedule
from tests.factories import make_coalition, make_event

CHICAGO = ZoneInfo("America/Chicago")
GAP = datetime(2031, 3, 9, 2, 30)  # clocks jump from 2:00 to 3:00 AM
OVERLAP = datetime(2031, 11, 2, 1, 30)  # clocks go back from 2:00 to 1:00 AM


def test_an_ordinary_time_is_one_instant():
    assert clock.wall_time(datetime(2031, 5, 1, 17, 0), CHICAGO) == datetime(
        2031, 5, 1, 22, 0, tzinfo=UTC)
    # the edges of the gap and the overlap are ordinary times
    assert clock.wall_time(datetime(2031, 3, 9, 1, 59), CHICAGO).hour == 7
    assert clock.wall_time(datetime(2031, 3, 9, 3, 0), CHICAGO) == datetime(
        2031, 3, 9, 8, 0, tzinfo=UTC)
    assert clock.wall_time(datetime(2031, 11, 2, 2, 0), CHICAGO) == datetime(
        2031, 11, 2, 8, 0, tzinfo=UTC)


def test_a_time_in_the_gap_is_refused_with_what_to_do(app):
    with pytest.raises(clock.LocalTimeError) as caught:
        clock.wall_time(GAP, CHICAGO)
    assert caught.value.kind == "gap" and caught.value.readings == ()
    assert str(caught.value) == (
        "There is no 2:30 AM on Sunday, March 9, 2031 in Central Time (Chicago): clocks "
        "jump from 2:00 AM to 3:00 AM. Choose a time before 2:00 AM or from 3:00 AM on.")


def test_a_time_in_the_overlap_is_asked_about_then_read_as_chosen(app):
    with pytest.raises(clock.LocalTimeError) as caught:
        clock.wall_time(OVERLAP, CHICAGO)
    assert caught.value.kind == "overlap"
    assert "happens twice in Central Time (Chicago): clocks go back from 2:00 AM to 1:00 AM" \
        in str(caught.value)
    first, second = caught.value.readings
    assert first.label == "The first 1:30 AM (CDT, UTC\u221205:00)"
    assert second.label == "The second 1:30 AM, after clocks go back (CST, UTC\u221206:00)"
    assert clock.wall_time(OVERLAP, CHICAGO, fold=0) == datetime(2031, 11, 2, 6, 30, tzinfo=UTC)
    assert clock.wall_time(OVERLAP, CHICAGO, fold=1) == datetime(2031, 11, 2, 7, 30, tzinfo=UTC)
    assert clock.wall_fold(datetime(2031, 11, 2, 7, 30, tzinfo=UTC), CHICAGO) == 1
    assert clock.wall_fold(datetime(2031, 5, 1, 7, 30, tzinfo=UTC), CHICAGO) is None


@pytest.mark.parametrize("zone, wall, kind, text", [
    ("Europe/London", datetime(2031, 3, 30, 1, 30), "gap", "from 1:00 AM to 2:00 AM"),
    ("Australia/Lord_Howe", datetime(2031, 10, 5, 2, 15), "gap", "from 2:00 AM to 2:30 AM"),
    ("Australia/Lord_Howe", datetime(2031, 4, 6, 1, 45), "overlap", "from 2:00 AM to 1:30 AM"),
    ("Europe/London", datetime(2031, 10, 26, 1, 0), "overlap", "from 2:00 AM to 1:00 AM"),
])
def test_other_zones_and_half_hour_shifts(app, zone, wall, kind, text):
    with pytest.raises(clock.LocalTimeError) as caught:
        clock.wall_time(wall, ZoneInfo(zone))
    assert caught.value.kind == kind and text in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(wall=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2035, 12, 31)),
       zone=st.sampled_from(["America/Chicago", "Europe/London", "Australia/Lord_Howe",
                             "America/Havana", "Asia/Tokyo", "UTC"]))
def test_never_shifted(wall, zone):
    """Whatever is typed, the instant returned shows the same wall-clock time again, or the
    time is refused/asked about: nothing is ever moved to another hour."""
    tz = ZoneInfo(zone)
    wall = wall.replace(second=0, microsecond=0)
    try:
        moment = clock.wall_time(wall, tz)
    except clock.LocalTimeError as exc:
        if exc.kind == "gap":
            return
        for reading in exc.readings:
            again = clock.wall_time(wall, tz, fold=reading.fold).astimezone(tz)
            assert again.replace(tzinfo=None, fold=0) == wall
        return
    assert moment.tzinfo == UTC
    assert moment.astimezone(tz).replace(tzinfo=None) == wall


# --- the forms --------------------------------------------------------------------------------


def _event_form(**overrides) -> dict:
    data = {"title": "Night walk", "kind": "other", "starts": "2031-03-09T01:00",
            "ends": "2031-03-09T04:00", "timezone": "America/Chicago", "location": "",
            "address": "", "description": "", "capacity": "", "status": "scheduled"}
    data.update(overrides)
    return data


def test_event_in_the_gap_is_422_beside_the_field_and_nothing_saved(as_liaison):
    response = as_liaison.post("/events/new", data=_event_form(starts="2031-03-09T02:30"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="starts-error"' in html and "There is no 2:30 AM on Sunday, March 9, 2031" in html
    assert 'name="starts-fold"' not in html  # nothing to choose: it doesn't exist
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0



def test_a_time_typed_beside_the_date_picker_is_checked_the_same(as_liaison):
    """The form sends a date and a time typed on either clock (DateAndTimeField)."""
    for typed in ("2:30 am", "02:30"):
        response = as_liaison.post("/events/new", data=_event_form(
            starts=["2031-03-09", typed]))
        assert response.status_code == 422
        assert "There is no 2:30 AM on Sunday, March 9, 2031" in response.get_data(as_text=True)
    response = as_liaison.post("/events/new", data=_event_form(
        starts=["2031-11-02", "1:30 am"], ends=["2031-11-02", "3 am"], **{"starts-fold": "0"}))
    assert response.status_code == 303
    assert db.session.scalars(select(Event)).one().starts_at == datetime(
        2031, 11, 2, 6, 30, tzinfo=UTC)  # the first 1:30, CDT

def test_event_in_the_overlap_asks_which_then_saves_the_one_chosen(as_liaison):
    response = as_liaison.post("/events/new", data=_event_form(
        starts="2031-11-02T01:30", ends="2031-11-02T03:00"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "happens twice" in html and 'id="starts-error"' in html
    assert html.count('name="starts-fold"') == 2 and 'name="ends-fold"' not in html
    assert "The second 1:30 AM, after clocks go back (CST" in html
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0

    response = as_liaison.post("/events/new", data=_event_form(
        starts="2031-11-02T01:30", ends="2031-11-02T03:00", **{"starts-fold": "1"}))
    assert response.status_code == 303
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at == datetime(2031, 11, 2, 7, 30, tzinfo=UTC)  # 1:30 CST
    assert event.ends_at == datetime(2031, 11, 2, 9, 0, tzinfo=UTC)

    # editing shows the same choice, already made, and saving it again changes nothing
    edit = as_liaison.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2031-11-02"' in edit and 'value="1:30 AM"' in edit  # date, then time
    assert 'name="starts-fold" value="1" checked' in edit


def test_an_overlap_choice_survives_another_fields_error(as_liaison):
    response = as_liaison.post("/events/new", data=_event_form(
        title="", starts="2031-11-02T01:30", ends="2031-11-02T03:00", **{"starts-fold": "0"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'name="starts-fold" value="0" checked' in html
    assert 'id="starts-error"' not in html and "Give the event a title." in html


def test_the_end_before_the_start_is_judged_on_instants(as_liaison):
    """1:45 (the first) to 1:15 (the second, after clocks go back) is a real half hour."""
    response = as_liaison.post("/events/new", data=_event_form(
        starts="2031-11-02T01:45", ends="2031-11-02T01:15",
        **{"starts-fold": "0", "ends-fold": "1"}))
    assert response.status_code == 303
    event = db.session.scalars(select(Event)).one()
    assert event.ends_at - event.starts_at == timedelta(minutes=30)


def test_event_times_read_in_the_chosen_zone(as_liaison):
    # 02:30 on London's spring-forward day is fine in Chicago, and refused in London
    ok = as_liaison.post("/events/new", data=_event_form(
        starts="2031-03-30T01:30", ends="2031-03-30T03:00"))
    assert ok.status_code == 303
    bad = as_liaison.post("/events/new", data=_event_form(
        starts="2031-03-30T01:30", ends="2031-03-30T03:00", timezone="Europe/London"))
    assert bad.status_code == 422 and "There is no 1:30 AM" in bad.get_data(as_text=True)


@pytest.mark.parametrize("starts", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_absurd_years_are_422_not_500(as_liaison, starts):
    response = as_liaison.post("/events/new", data=_event_form(starts=starts))
    assert response.status_code == 422
    assert "Enter a date between 1900 and 2199." in response.get_data(as_text=True)


@pytest.mark.parametrize("blank", [" ", "\r\n", [" ", " "]])
def test_a_blank_time_is_asked_for_not_a_500(as_liaison, blank):
    response = as_liaison.post("/events/new", data=_event_form(starts=blank))
    assert response.status_code == 422
    assert "When does it start?" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_coalition_meeting_in_the_gap_is_422(as_liaison):
    coalition = make_coalition()
    db.session.commit()
    response = as_liaison.post(f"/coalitions/{coalition.id}/events/new", data={
        "title": "Meeting", "starts": "2031-03-09T02:30", "ends": "2031-03-09T04:00"})
    assert response.status_code == 422
    assert "There is no 2:30 AM" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def _next(kind: str, zone: ZoneInfo) -> datetime:
    """The next wall-clock time of that kind in `zone` (the half hour into it), from now."""
    day = clock.now().astimezone(zone).date() + timedelta(days=1)
    for _ in range(400):
        for hour in range(24):
            wall = datetime(day.year, day.month, day.day, hour, 30)
            try:
                clock.wall_time(wall, zone)
            except clock.LocalTimeError as exc:
                if exc.kind == kind:
                    return wall
        day += timedelta(days=1)
    raise AssertionError("no DST change within a year")


def test_media_deadlines_in_the_gap_are_refused(app, as_liaison):
    gap = _next("gap", clock.org_zone())
    response = as_liaison.post("/press/manage/inquiries/new", data={
        "name": "Jordan Blake", "outlet": "WRBN", "email": "",
        "deadline": gap.strftime("%Y-%m-%dT%H:%M"), "topic": "Overdose numbers"})
    assert response.status_code == 422
    assert f"There is no {gap:%-I:%M %p}" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Inquiry)) == 0

    overlap = _next("overlap", clock.org_zone())
    response = as_liaison.post("/press/manage/inquiries/new", data={
        "name": "Jordan Blake", "outlet": "WRBN", "email": "", "deadline-fold": "1",
        "deadline": overlap.strftime("%Y-%m-%dT%H:%M"), "topic": "Overdose numbers"})
    assert response.status_code == 303
    inquiry = db.session.scalars(select(Inquiry)).one()
    assert inquiry.deadline == clock.wall_time(overlap, clock.org_zone(), fold=1)


def test_tour_slots_skip_times_clocks_skip_or_repeat(app):
    """A weekly window 00:30-04:30 in one-hour slots: on spring-forward day 2:30 isn't
    offered (not moved to 3:30); on fall-back day neither 1:30 is; other days all four."""
    s = schedule.TourSettings(
        service_hours={}, tour_windows={6: [(30, 270)]}, slot_minutes=60,
        buffer_before=0, buffer_after=0, capacity=10, notice_hours=0, horizon_days=3650)
    local = {d: [x.starts_at.astimezone(CHICAGO).strftime("%H:%M %Z")
                 for x in schedule.slots(s, CHICAGO, d, d)]
             for d in (date(2031, 3, 2), date(2031, 3, 9), date(2031, 11, 2))}
    assert local[date(2031, 3, 2)] == ["00:30 CST", "01:30 CST", "02:30 CST", "03:30 CST"]
    assert local[date(2031, 3, 9)] == ["00:30 CST", "01:30 CST", "03:30 CDT"]
    assert local[date(2031, 11, 2)] == ["00:30 CDT", "02:30 CST", "03:30 CST"]


def test_tour_slots_keep_clear_of_service_hours_that_clocks_skip(app):
    """Saturday night service until 2:30 AM, on spring-forward night: 2:30 never happens, so it
    is blocked until the latest instant it could mean, and no slot starts inside it."""
    s = schedule.TourSettings(
        service_hours={5: [(22 * 60, 150)]}, tour_windows={6: [(150, 330)]}, slot_minutes=30,
        buffer_before=0, buffer_after=0, capacity=10, notice_hours=0, horizon_days=3650)
    offered = [x.starts_at for x in schedule.slots(s, CHICAGO, date(2031, 3, 9), date(2031, 3, 9))]
    assert offered and min(offered) >= datetime(2031, 3, 9, 8, 30, tzinfo=UTC)  # 3:30 CDT


def test_existing_events_edit_without_a_question(as_liaison):
    event = make_event(starts_at=datetime(2031, 5, 1, 22, tzinfo=UTC),
                       ends_at=datetime(2031, 5, 2, 0, tzinfo=UTC))
    db.session.commit()
    html = as_liaison.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2031-05-01"' in html and 'value="5:00 PM"' in html and "-fold" not in html
