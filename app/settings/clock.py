"""The organization's clock: now (aware UTC, the only kind we store), its time zone, and
dates as they fall there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import has_app_context

from app.settings import services as settings


def now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def org_zone() -> ZoneInfo:
    """The organization's time zone (the IANA name admins set under Settings)."""
    return ZoneInfo(settings.timezone_name())


def local(moment: datetime) -> datetime:
    """An aware datetime as the organization's wall clock shows it."""
    return moment.astimezone(org_zone())


def local_date(moment: datetime) -> date:
    """The organization's calendar date at `moment`."""
    return local(moment).date()


def today() -> date:
    """Today's date in the organization's time zone (not the server's)."""
    return local_date(now())


# --- wall-clock times people type ---------------------------------------------------------
# A time typed into a form is a wall-clock time in some zone. Twice a year that is not one
# instant: in the spring-forward gap (02:30 on the day clocks jump from 2:00 to 3:00) it is
# none, and in the fall-back overlap (01:30 when clocks go back from 2:00 to 1:00) it is two.
# Python quietly picks one for either (02:30 becomes 03:30); we refuse the first and ask
# about the second, so what is saved is what the person meant.


@dataclass(frozen=True)
class Reading:
    """One way to read an ambiguous wall-clock time: `fold` 0 is the first (before clocks
    go back), 1 the second."""

    fold: int
    label: str  # "The first 1:30 AM (CDT, UTC-05:00)", with a real minus sign


class LocalTimeError(ValueError):
    """A wall-clock time that names no instant (`kind` "gap") or two (`kind` "overlap",
    with `readings` to choose from). `str()` is a message to show beside the field."""

    def __init__(self, kind: str, message: str, readings: tuple[Reading, ...] = ()):
        super().__init__(message)
        self.kind, self.readings = kind, readings


def _roundtrips(moment: datetime) -> bool:
    """Whether an aware wall-clock datetime names the instant its offset says it does
    (false inside a gap, where zoneinfo invents an offset)."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def _clock(moment: datetime) -> str:
    return moment.strftime("%-I:%M %p")


def _offset(moment: datetime) -> str:
    from app.settings.zones import offset_text  # zones builds on the clock

    return offset_text(int((moment.utcoffset() or timedelta(0)).total_seconds() // 60))


def _edge(wall: datetime, zone: ZoneInfo, step: timedelta, inside) -> datetime:
    """The first wall-clock minute from `wall` going by `step` for which `inside` is false
    (a gap or overlap lasts at most a few hours; zones have had at most 2 h shifts)."""
    probe = wall
    for _ in range(6 * 60):
        probe += step
        if not inside(probe):
            return probe
    return probe


def wall_time(wall: datetime, zone: ZoneInfo | None = None, fold: int | None = None) -> datetime:
    """The aware UTC instant of a naive wall-clock time in `zone` (the organization's by
    default). Raises LocalTimeError for a time inside a DST gap, and for one inside an
    overlap unless `fold` (0 the first, 1 the second) says which was meant."""
    zone = zone or org_zone()
    wall = wall.replace(tzinfo=None, fold=0)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    from app.settings.zones import short_label  # zones builds on the clock

    where = short_label(zone.key)
    day = wall.strftime("%A, %B %-d, %Y")

    def in_gap(w: datetime) -> bool:
        return not _roundtrips(w.replace(tzinfo=zone))

    def in_overlap(w: datetime) -> bool:
        a, b = w.replace(tzinfo=zone, fold=0), w.replace(tzinfo=zone, fold=1)
        return a.utcoffset() != b.utcoffset() and _roundtrips(a)

    if not _roundtrips(first):
        start = _edge(wall, zone, timedelta(minutes=-1), in_gap) + timedelta(minutes=1)
        end = _edge(wall, zone, timedelta(minutes=1), in_gap)
        raise LocalTimeError(
            "gap",
            f"There is no {_clock(wall)} on {day} in {where}: clocks jump from "
            f"{_clock(start)} to {_clock(end)}. Choose a time before {_clock(start)} or "
            f"from {_clock(end)} on.")
    if fold in (0, 1):
        return wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    start = _edge(wall, zone, timedelta(minutes=-1), in_overlap) + timedelta(minutes=1)
    end = _edge(wall, zone, timedelta(minutes=1), in_overlap)
    readings = (
        Reading(0, f"The first {_clock(wall)} ({first.tzname()}, {_offset(first)})"),
        Reading(1, f"The second {_clock(wall)}, after clocks go back "
                   f"({second.tzname()}, {_offset(second)})"),
    )
    raise LocalTimeError(
        "overlap",
        f"{_clock(wall)} on {day} happens twice in {where}: clocks go back from "
        f"{_clock(end)} to {_clock(start)}. Choose which one you mean.", readings)


def wall_fold(moment: datetime, zone: ZoneInfo | None = None) -> int | None:
    """For a stored instant, which reading of its ambiguous wall-clock time it is (0 or 1),
    or None when its wall-clock time is not ambiguous (to fill a form back in)."""
    local = moment.astimezone(zone or org_zone())
    other = local.replace(fold=1 - local.fold)
    return local.fold if other.utcoffset() != local.utcoffset() else None


# --- times of day as the organization writes them ------------------------------------------
# Where people write "2:30 PM", staff see and type 12-hour times; elsewhere "14:30". Either
# way, both are read: a time typed the other way is still the same time.

# Regions whose everyday clock is 12-hour (ISO 3166), for the phone region setting.
TWELVE_HOUR_REGIONS = frozenset({
    "US", "PR", "GU", "VI", "AS", "MP", "UM", "CA", "AU", "NZ", "PH", "IN", "PK", "BD", "EG",
    "SA", "JO", "MY", "CO", "SV", "HN", "NI"})

_CLOCK = re.compile(r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(?:([ap])\.?\s*m?\.?)?\s*$", re.I)
_WORDS = {"noon": 12 * 60, "midday": 12 * 60, "midnight": 0}


def twelve_hour() -> bool:
    """Whether the organization writes times on a 12-hour clock (from its phone region).
    Outside the app (pure schedule arithmetic, as property tests run it) times read 14:30."""
    return has_app_context() and settings.phone_region() in TWELVE_HOUR_REGIONS


def parse_clock(text: str, *, end: bool = False) -> int:
    """A time of day typed either way ("2:30 pm", "2pm", "14:30", "14h30", "noon") as the
    minute of the day; `end=True` also reads "24:00" (the end of the day) as 1440.
    ValueError, with a sentence for the person who typed it, if it can't be read."""
    word = (text or "").strip().lower()
    if word in _WORDS:
        return _WORDS[word]
    match = _CLOCK.match(word)
    if not match:
        raise ValueError(f"“{text.strip()}” is not a time like {example_time()}")
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if minute > 59 or (half and not 1 <= hour <= 12) or hour > 24 or (
            hour == 24 and (minute or not end)):
        raise ValueError(f"“{text.strip()}” is a time that doesn't exist")
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    return hour * 60 + minute


def format_clock(minute: int) -> str:
    """A minute of the day as the organization writes it: "2:30 PM" or "14:30"."""
    minute %= 24 * 60
    hour, rest = divmod(minute, 60)
    if twelve_hour():
        return f"{(hour - 1) % 12 + 1}:{rest:02d} {'AM' if hour < 12 else 'PM'}"
    return f"{hour:02d}:{rest:02d}"


def example_time() -> str:
    """A sample time in the organization's convention, for hints and messages."""
    return "2:30 PM" if twelve_hour() else "14:30"


def strftime_format(fmt: str) -> str:
    """`fmt` on the organization's clock: 12-hour codes become 24-hour ones where times are
    written "14:30" (templates and mail are written with the 12-hour codes)."""
    if twelve_hour():
        return fmt
    for twelve, twenty_four in (("%-I:%M %p", "%H:%M"), ("%I:%M %p", "%H:%M"),
                                ("%-I:%M%p", "%H:%M"), ("%-I %p", "%H:00"), ("%-I%p", "%H:00")):
        fmt = fmt.replace(twelve, twenty_four)
    return fmt
