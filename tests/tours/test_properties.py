"""Property tests: no offered slot ever overlaps service hours ± buffer (any settings, any
zone, across daylight-saving changes), and no input to the public form causes a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.tours.schedule import TourSettings, conflicts, slots
from tests.tours.conftest import form_data

ZONES = ["America/Chicago", "America/New_York", "Europe/London", "Australia/Lord_Howe",
         "Asia/Kolkata", "Pacific/Chatham", "UTC"]

minute = st.integers(0, 24 * 60 - 1)
service_range = st.tuples(minute, minute).filter(lambda r: r[0] != r[1])
window = st.tuples(minute, st.integers(15, 12 * 60)).map(
    lambda r: (r[0], min(r[0] + r[1], 24 * 60)))
week = st.dictionaries(st.integers(0, 6), st.lists(service_range, max_size=2), max_size=7)
windows = st.dictionaries(st.integers(0, 6), st.lists(window, max_size=2), max_size=7)


def forbidden(s: TourSettings, day: date, zone: ZoneInfo):
    """Service hours ± buffer in UTC, built independently: local wall times via replace()."""
    out = []
    for d in (day - timedelta(days=2), day - timedelta(days=1), day, day + timedelta(days=1)):
        for start, end in s.service_hours.get(d.weekday(), []):
            begin = datetime(d.year, d.month, d.day, start // 60, start % 60, tzinfo=zone)
            end_day = d if end > start else d + timedelta(days=1)
            finish = (datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
                      + timedelta(minutes=end))
            out.append((begin.astimezone(UTC) - timedelta(minutes=s.buffer_before),
                        finish.astimezone(UTC) + timedelta(minutes=s.buffer_after)))
    return out


@settings(max_examples=150, deadline=None)
@given(service=week, tours=windows, before=st.integers(0, 180), after=st.integers(0, 180),
       length=st.sampled_from([15, 30, 45, 60, 90, 120]), zone=st.sampled_from(ZONES),
       first=st.dates(date(2025, 1, 1), date(2028, 12, 31)))
def test_no_slot_ever_overlaps_service_hours(service, tours, before, after, length, zone, first):
    s = TourSettings(service_hours=service, tour_windows=tours, buffer_before=before,
                     buffer_after=after, slot_minutes=length)
    tz = ZoneInfo(zone)
    offered = slots(s, tz, first, first + timedelta(days=8))
    for slot in offered:
        assert slot.ends_at - slot.starts_at == timedelta(minutes=length)
        day = slot.starts_at.astimezone(tz).date()
        for lo, hi in forbidden(s, day, tz) + forbidden(s, day + timedelta(days=1), tz):
            assert not (slot.starts_at < hi and slot.ends_at > lo), (slot, lo, hi)


@given(service=week, tours=windows, before=st.integers(0, 180), after=st.integers(0, 180),
       length=st.sampled_from([30, 60, 90]))
def test_settings_that_pass_validation_keep_every_weekly_slot(service, tours, before, after,
                                                              length):
    s = TourSettings(service_hours=service, tour_windows=tours, buffer_before=before,
                     buffer_after=after, slot_minutes=length)
    if conflicts(s):
        return
    # In a zone without daylight saving, nothing valid is filtered away.
    first = date(2026, 3, 2)  # a Monday
    offered = slots(s, ZoneInfo("UTC"), first, first + timedelta(days=6))
    expected = sum(len(range(a, b - length + 1, length)) for ws in tours.values()
                   for a, b in ws if b - a >= length)
    assert len(offered) == len({(x.starts_at) for x in offered})
    assert len(offered) <= expected


text = st.text(max_size=300)
fields = st.fixed_dictionaries({}, optional={
    "slot": st.one_of(text, st.just("20990101T000000Z")),
    "name": text, "email": st.one_of(text, st.emails()), "phone": text, "affiliation": text,
    "group_size": st.one_of(text, st.integers(-5, 500).map(str)), "reason": text,
    "accessibility": text, "guidelines": st.sampled_from(["y", "", "no", "\x00"]),
    "website": st.one_of(st.just(""), text), "started": text, "contact_consent": text,
})


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=fields, keep_valid=st.booleans())
def test_public_form_never_fails_with_500(client, tours, data, keep_valid):
    body = {**form_data(), **data} if keep_valid else data
    response = client.post("/tours", data=body)
    assert response.status_code in (303, 409, 422, 429), response.status_code
