"""The organization's clock: now (aware UTC, the only kind we store), its time zone, and
dates as they fall there."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
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
