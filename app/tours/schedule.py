"""Tour settings and the slot arithmetic: which times may be offered.

Pure functions, no database. Times are wall-clock minutes in the organization's IANA zone;
the slots they produce are aware UTC datetimes. A slot may never overlap service hours or
the buffer around them: `conflicts()` refuses such settings when they are saved, and
`slots()` drops any slot that would overlap anyway (daylight-saving shifts, overnight
service hours), so the guarantee holds whatever was stored. On the days clocks change, a
slot whose start clocks skip or repeat is not offered (never shifted to another hour), and
service hours at such a time are blocked over every instant they could mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.settings import clock

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY = 24 * 60
WEEK = 7 * DAY

Range = tuple[int, int]  # (start minute, end minute) of the local day; end <= start: past midnight

# "9:00 AM - 5:00 PM", "9am-5pm" (or an en dash), "09:00-17:00", "6 pm to 8 pm"
_SEPARATOR = re.compile(r"\s*(?:[-\u2013\u2014]|\bto\b|\buntil\b)\s*", re.I)

DEFAULT_GUIDELINES = (
    "Please don't take photos or video anywhere on site.\n"
    "Please don't approach, photograph or talk about participants you may see nearby.\n"
    "Stay with your guide for the whole visit."
)


@dataclass(frozen=True)
class TourSettings:
    """Everything the liaison sets for tours and open houses."""

    service_hours: dict[int, list[Range]] = field(default_factory=dict)
    tour_windows: dict[int, list[Range]] = field(default_factory=dict)
    buffer_before: int = 60  # minutes before service hours when no tour may run
    buffer_after: int = 60
    slot_minutes: int = 60
    capacity: int = 8
    notice_hours: int = 48
    horizon_days: int = 60
    blackout_dates: tuple[date, ...] = ()
    approval_required: bool = True
    guidelines: str = DEFAULT_GUIDELINES
    address: str = ""
    purge_days: int = 90
    # What one visitor (an email, or an address) may hold: on one tour, and in one week.
    visitor_seats_per_slot: int = 8
    visitor_seats_per_week: int = 16

    def to_json(self) -> dict:
        return {
            "service_hours": {str(d): [format_range(r) for r in rs]
                              for d, rs in self.service_hours.items() if rs},
            "tour_windows": {str(d): [format_range(r) for r in rs]
                             for d, rs in self.tour_windows.items() if rs},
            "buffer_before": self.buffer_before,
            "buffer_after": self.buffer_after,
            "slot_minutes": self.slot_minutes,
            "capacity": self.capacity,
            "notice_hours": self.notice_hours,
            "horizon_days": self.horizon_days,
            "blackout_dates": [d.isoformat() for d in self.blackout_dates],
            "approval_required": self.approval_required,
            "guidelines": self.guidelines,
            "address": self.address,
            "purge_days": self.purge_days,
            "visitor_seats_per_slot": self.visitor_seats_per_slot,
            "visitor_seats_per_week": self.visitor_seats_per_week,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> TourSettings:
        if not data:
            return DEFAULTS
        values = dict(data)
        for key in ("service_hours", "tour_windows"):
            values[key] = {int(d): [parse_range(r) for r in rs]
                           for d, rs in (data.get(key) or {}).items()}
        values["blackout_dates"] = tuple(date.fromisoformat(d)
                                         for d in data.get("blackout_dates") or ())
        known = cls.__dataclass_fields__
        return replace(DEFAULTS, **{k: v for k, v in values.items() if k in known})


DEFAULTS = TourSettings(
    service_hours={d: [(9 * 60, 17 * 60)] for d in range(5)} | {5: [(10 * 60, 14 * 60)]},
    tour_windows={1: [(18 * 60, 20 * 60)], 3: [(18 * 60, 20 * 60)], 5: [(15 * 60, 17 * 60)]},
)


def parse_range(text: str) -> Range:
    """"09:00-17:00" or "9 am - 5 pm" → (540, 1020). "22:00-02:00" runs past midnight.
    ValueError if unreadable. Times are read on either clock (app/settings/clock.py)."""
    parts = _SEPARATOR.split(text.strip())
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"“{text.strip()}” is not a time range like {example_range()}")
    try:
        start, end = clock.parse_clock(parts[0]), clock.parse_clock(parts[1], end=True)
    except ValueError:
        raise ValueError(f"“{text.strip()}” has a time that doesn't exist or can't be read "
                         f"(try {example_range()})") from None
    if start == end:
        raise ValueError(f"“{text.strip()}” starts and ends at the same time")
    return start, end


def parse_ranges(text: str) -> list[Range]:
    """Comma-separated ranges; an empty string means none."""
    return [parse_range(part) for part in (text or "").split(",") if part.strip()]


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def format_range(r: Range) -> str:
    """How a range is stored: "09:00-17:00"."""
    return f"{hhmm(r[0])}-{hhmm(r[1])}"


def show_range(r: Range) -> str:
    """How a range reads to staff, on the organization's clock: "9:00 AM - 5:00 PM"."""
    return f"{clock.format_clock(r[0])} - {clock.format_clock(r[1])}"


def example_range() -> str:
    """A sample range on the organization's clock, for hints and messages."""
    return show_range((9 * 60, 17 * 60))


def _span(r: Range) -> Range:
    """A range as (start, end) minutes with end after start (overnight ranges cross 24:00)."""
    start, end = r
    return (start, end if end > start else end + DAY)


def raw_slots(window: Range, slot_minutes: int) -> Iterator[int]:
    """Slot start minutes inside a tour window (windows never cross midnight)."""
    start, end = window
    t = start
    while t + slot_minutes <= end:
        yield t
        t += slot_minutes


def _clash(s: TourSettings, a: int, b: int) -> tuple[int, Range] | None:
    """The service range (weekday, range) that week-minutes [a, b) would touch, if any."""
    for sday, ranges in s.service_hours.items():
        for service in ranges:
            fs, fe = _span(service)
            for shift in (-WEEK, 0, WEEK):  # the week wraps: Sunday night meets Monday
                lo = sday * DAY + fs + shift - s.buffer_before
                hi = sday * DAY + fe + shift + s.buffer_after
                if a < hi and b > lo:
                    return sday, service
    return None


def conflicts(s: TourSettings) -> list[str]:
    """Messages for every weekly slot that would fall inside service hours ± buffer."""
    problems = []
    for weekday, windows in sorted(s.tour_windows.items()):
        for window in windows:
            for t in raw_slots(window, s.slot_minutes):
                a = weekday * DAY + t
                clash = _clash(s, a, a + s.slot_minutes)
                if clash:
                    sday, service = clash
                    problems.append(
                        f"{WEEKDAYS[weekday]} {clock.format_clock(t)} to "
                        f"{clock.format_clock((t + s.slot_minutes) % DAY)} "
                        f"would fall within service hours ({WEEKDAYS[sday]} "
                        f"{show_range(service)}) or the buffer around them."
                    )
    return problems


@dataclass(frozen=True, order=True)
class Slot:
    """One offered tour time (aware UTC)."""

    starts_at: datetime
    ends_at: datetime

    @property
    def key(self) -> str:
        """The slot's identity in forms and URLs: its UTC start, e.g. 20261124T000000Z."""
        return format_key(self.starts_at)


def format_key(starts_at: datetime) -> str:
    """A slot's key from its aware UTC start."""
    return starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_key(key: str) -> datetime | None:
    try:
        return datetime.strptime(key or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _wall(day: date, minute: int) -> datetime:
    """Wall-clock `minute` (may exceed a day) of local `day`, naive."""
    return datetime(day.year, day.month, day.day) + timedelta(minutes=minute)


def _span_at(day: date, minute: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The earliest and latest instant (UTC) wall-clock `minute` of `day` can mean: one
    instant on most days; on a DST change day a time in the gap or the overlap has two
    readings, and service hours are blocked over both."""
    wall = _wall(day, minute)
    a = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    b = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return min(a, b), max(a, b)


def blocked_intervals(
    s: TourSettings, day: date, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Service hours ± buffer that touch local `day`, in UTC. Overnight service hours can
    run almost a day past their start and buffers can add more, so look far enough back
    (and forward, for a long buffer before tomorrow's hours)."""
    out = []
    back = 2 + s.buffer_after // (24 * 60)
    ahead = 1 + s.buffer_before // (24 * 60)
    for offset in range(-back, ahead + 1):
        d = day + timedelta(days=offset)
        for service in s.service_hours.get(d.weekday(), ()):
            fs, fe = _span(service)
            out.append((_span_at(d, fs, zone)[0] - timedelta(minutes=s.buffer_before),
                        _span_at(d, fe, zone)[1] + timedelta(minutes=s.buffer_after)))
    return out


def slots(s: TourSettings, zone: ZoneInfo, first: date, last: date,
          now: datetime | None = None) -> list[Slot]:
    """Every slot on local dates first..last (inclusive) that respects service hours, the
    buffer, blackout dates and — when `now` is given — minimum notice and the horizon."""
    out: list[Slot] = []
    blackout = set(s.blackout_dates)
    length = timedelta(minutes=s.slot_minutes)
    day = first
    while day <= last:
        if day not in blackout and s.tour_windows.get(day.weekday()):
            blocked = blocked_intervals(s, day, zone)
            for window in s.tour_windows[day.weekday()]:
                for t in raw_slots(window, s.slot_minutes):
                    try:  # a time clocks skip or repeat that day is not offered at all
                        start = clock.wall_time(_wall(day, t), zone)
                    except clock.LocalTimeError:
                        continue
                    end = start + length
                    if any(start < hi and end > lo for lo, hi in blocked):
                        continue
                    if now is not None and not (
                        now + timedelta(hours=s.notice_hours) <= start
                        <= now + timedelta(days=s.horizon_days)
                    ):
                        continue
                    out.append(Slot(start, end))
        day += timedelta(days=1)
    return sorted(set(out))
