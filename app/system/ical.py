"""Small typed iCalendar (RFC 5545) builders for every calendar file the app writes (events,
tours, commitments; single files, feeds and iMIP bodies), and the one UID scheme: a thing
has the same UID in its mail and in every feed, so calendars update it instead of doubling it.

The content lines are written here rather than through icalendar's component tree: that tree
took 1.4 s for a 5,000-event feed (the budget is 500 ms), and its TEXT escaping turns a
literal backslash-N into a newline. Every file is parsed back by icalendar, vobject, ics and
ical.js in the tests, so the libraries stay the judges of what we write.

Times are written on the organization's wall clock with its TZID, and the file carries that
zone's VTIMEZONE (made by icalendar from tzdata, covering the years the file's events span),
so a calendar app shows and keeps the event in the organization's zone, across DST changes.
An instant whose wall-clock time happens twice (the hour clocks go back) is written in UTC
instead: RFC 5545 reads such a local time as the first of the two.
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from flask import has_app_context

from app.settings import services as settings
from app.system import urls

PRODID = "-//Liaison//Calendar//EN"


def uid(kind: str, key: int | str, host: str | None = None) -> str:
    """The UID of one thing: `uid("tour-booking", 7)` → "tour-booking-7@<our host>".
    Stable for the thing's life (pass `host`, from urls.host(), when writing many)."""
    return f"{kind}-{key}@{host or urls.host()}"


def new_uid(kind: str) -> str:
    """A fresh random UID, for things that store theirs (events)."""
    return uid(kind, secrets.token_hex(12))


@dataclass(frozen=True)
class Person:
    """An ORGANIZER or ATTENDEE: a mailbox and an optional display name; an attendee's
    answer as far as we know it (PARTSTAT) and whether we ask for one (RSVP)."""

    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"  # ACCEPTED | TENTATIVE | DECLINED | NEEDS-ACTION
    rsvp: bool = True


@dataclass(slots=True)  # not frozen: a frozen init costs a setattr call per field, x5,000
class VEvent:
    """One VEVENT. `start`/`end` are aware datetimes (written in UTC) or dates (all-day)."""

    uid: str
    start: datetime | date
    end: datetime | date
    summary: str
    dtstamp: datetime
    sequence: int = 0
    description: str = ""
    location: str = ""
    status: str = "CONFIRMED"  # CONFIRMED | TENTATIVE | CANCELLED
    url: str = ""
    categories: tuple[str, ...] = ()
    organizer: Person | None = None
    attendees: tuple[Person, ...] = field(default=())
    transparent: bool = False


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash first, then ; , and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def param(value: str) -> str:
    """A parameter value: quoted, with the characters a quoted value cannot hold removed."""
    cleaned = "".join(ch for ch in value if ch.isprintable() and ch != '"')
    return f'"{cleaned}"'


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 sequence or a TEXT escape."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[bytes] = []
    start, limit = 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the char start
            cut -= 1
        if data[cut - 1] == 0x5C and cut - 1 > start:  # keep "\," "\n" etc. on one line
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74  # continuation lines begin with a space, which counts
    parts.append(data[start:])
    return "\r\n ".join(p.decode() for p in parts)


def utc(value: datetime) -> str:
    """An instant as a UTC DATE-TIME ("20310501T220000Z")."""
    t = value if value.tzinfo is UTC else value.astimezone(UTC)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}Z"


def _when(name: str, value: datetime | date, clock: WallClock | None) -> str:
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"
    return clock.write(name, value) if clock else f"{name}:{utc(value)}"


def vevent_lines(ev: VEvent, clock: WallClock | None = None) -> list[str]:
    """The content lines of one VEVENT (unfolded); times on `clock`'s zone (its VTIMEZONE
    must be in the calendar), or in UTC without one."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape(ev.uid)}",
        f"DTSTAMP:{utc(ev.dtstamp)}",
        _when("DTSTART", ev.start, clock),
        _when("DTEND", ev.end, clock),
        f"SEQUENCE:{ev.sequence}",
        f"SUMMARY:{escape(ev.summary)}",
        f"STATUS:{ev.status}",
    ]
    if ev.description:
        lines.append(f"DESCRIPTION:{escape(ev.description)}")
    if ev.location:
        lines.append(f"LOCATION:{escape(ev.location)}")
    if ev.url:
        lines.append(f"URL:{ev.url}")
    if ev.categories:
        lines.append("CATEGORIES:" + ",".join(escape(c) for c in ev.categories))
    if ev.transparent:
        lines.append("TRANSP:TRANSPARENT")
    if ev.organizer:
        cn = f";CN={param(ev.organizer.name)}" if ev.organizer.name else ""
        lines.append(f"ORGANIZER{cn}:mailto:{ev.organizer.email}")
    for person in ev.attendees:
        cn = f";CN={param(person.name)}" if person.name else ""
        lines.append(
            f"ATTENDEE{cn};ROLE=REQ-PARTICIPANT;PARTSTAT={person.partstat}"
            f";RSVP={'TRUE' if person.rsvp else 'FALSE'}:mailto:{person.email}"
        )
    lines.append("END:VEVENT")
    return lines


ORGANIZATION = "organization"  # calendar()'s default zone: the organization's


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _transitions(zone: ZoneInfo, since: datetime, until: datetime):
    """(instant, offset before, offset after) of every change of `zone`'s UTC offset
    between two UTC instants: day by day, then to the second within the day."""
    day, before = since, since.astimezone(zone).utcoffset()
    while day < until:
        nxt = day + timedelta(days=1)
        after = nxt.astimezone(zone).utcoffset()
        if after != before:
            lo, hi = day, nxt  # offset(lo) == before, offset(hi) == after
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            yield hi.replace(microsecond=0), before, after
        day, before = nxt, after


@dataclass(frozen=True)
class WallClock:
    """One zone's wall clock over a span of years, from tzdata: its VTIMEZONE lines, and
    what `write` needs to put an instant on it without a zoneinfo call per time (a feed
    writes 10,000 of them): the offset from each change on, and the windows of instants
    whose wall-clock time happens twice."""

    key: str
    vtimezone: tuple[str, ...]
    changes: tuple[datetime, ...]  # UTC instants; the first is the span's start
    offsets: tuple[timedelta, ...]  # in force from the matching change on
    until: datetime  # the span's end
    repeated: tuple[datetime, ...]  # [from, until) pairs of instants, flat and sorted

    def write(self, name: str, value: datetime) -> str:
        """`NAME;TZID=…:local` or, for a wall-clock time that happens twice or an instant
        outside the span, `NAME:…Z`."""
        at = value if value.tzinfo is UTC else value.astimezone(UTC)
        i = bisect_right(self.changes, at) - 1
        if i < 0 or at >= self.until or bisect_right(self.repeated, at) % 2:
            return f"{name}:{utc(at)}"
        t = at + self.offsets[i]
        return (f"{name};TZID={self.key}:{t.year:04d}{t.month:02d}{t.day:02d}"
                f"T{t.hour:02d}{t.minute:02d}{t.second:02d}")


@lru_cache(maxsize=64)
def wall_clock(key: str, first_year: int, last_year: int) -> WallClock:
    """`key`'s wall clock from Jan 1 of `first_year` to the end of `last_year`. The
    VTIMEZONE has the observance in force at the start, then each change tzdata knows, its
    onset written (as RFC 5545 says) on the wall clock of the offset it changes from.
    Written here because icalendar 7's Timezone.from_tzid writes the spring-forward onset
    on the new offset's clock (03:00 for a 2:00 → 3:00 jump), an hour late to RFC readers
    such as libical and ical.js."""
    zone = ZoneInfo(key)
    since = datetime(first_year, 1, 1, tzinfo=UTC)
    until = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    first = since.astimezone(zone).utcoffset() or timedelta(0)

    def observance(onset: datetime, before: timedelta) -> list[str]:
        local = onset.astimezone(zone)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        return [f"BEGIN:{kind}",
                f"DTSTART:{(onset + before).strftime('%Y%m%dT%H%M%S')}",
                f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(local.utcoffset())}",
                f"TZNAME:{escape(local.tzname() or key)}", f"END:{kind}"]

    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}", f"X-LIC-LOCATION:{key}", *observance(since, first)]
    changes, offsets, repeated = [since], [first], []
    for moment, before, after in _transitions(zone, since, until):
        lines += observance(moment, before)
        changes.append(moment)
        offsets.append(after)
        if before > after:  # clocks go back: the wall clock of the last (before - after)
            repeated += [moment - (before - after), moment + (before - after)]  # comes again
    lines.append("END:VTIMEZONE")
    return WallClock(key, tuple(lines), tuple(changes), tuple(offsets), until, tuple(repeated))


def _zone(timezone: str | None) -> ZoneInfo | None:
    """The zone to write times in: None (UTC) for UTC, or outside the app (plain tests)."""
    if timezone == ORGANIZATION:
        timezone = settings.timezone_name() if has_app_context() else None
    if not timezone or timezone in ("UTC", "Etc/UTC"):
        return None
    return ZoneInfo(timezone)


def calendar(
    events: Iterable[VEvent],
    *,
    method: str | None = None,
    name: str | None = None,
    feed: bool = False,
    timezone: str | None = ORGANIZATION,
) -> str:
    """A whole VCALENDAR with CRLF line ends and folded lines. `method` makes an iTIP
    object (REQUEST, CANCEL); `feed` adds the subscription hints calendar apps honour (and
    X-WR-TIMEZONE). Times are written in `timezone` (an IANA name; the organization's by
    default) with its VTIMEZONE; None or "UTC" writes them in UTC."""
    events = list(events)
    zone = _zone(timezone)
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        out.append(f"METHOD:{method}")
    if name:
        # Readers disagree on whether X-WR-CALNAME and NAME unescape TEXT (icalendar 7 does
        # not), so a calendar's display name simply never holds the characters in question.
        plain = " ".join(name.replace(",", " ").replace(";", " ").replace("\\", " ").split())
        out.append(f"X-WR-CALNAME:{plain}")
        out.append(f"NAME:{plain}")
    if feed:
        out.append(f"X-WR-TIMEZONE:{zone.key if zone else 'UTC'}")
        out.append("REFRESH-INTERVAL;VALUE=DURATION:PT1H")
        out.append("X-PUBLISHED-TTL:PT1H")
    years = [t.year for ev in events for t in (ev.start, ev.end) if isinstance(t, datetime)]
    clock = None
    if zone is not None and years:
        # A year either side: a UTC instant near New Year may fall in the next or last
        # year on the wall clock.
        clock = wall_clock(zone.key, min(years) - 1, max(years) + 1)
        out.extend(clock.vtimezone)
    for ev in events:
        out.extend(vevent_lines(ev, clock))
    out.append("END:VCALENDAR")
    # Most lines are short ASCII: test that cheaply before paying for fold().
    return "".join(
        (line if len(line) <= 75 and line.isascii() else fold(line)) + "\r\n" for line in out
    )


def all_day(day: date) -> tuple[date, date]:
    """DTSTART/DTEND of an all-day item (DTEND is exclusive)."""
    return day, day + timedelta(days=1)


# --- reading what people send us ------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    """An ATTENDEE as a reply names it: the mailbox (its EMAIL parameter, which Apple's
    calendar sets beside a non-mailto address, else the mailto: value; lower case) and
    their PARTSTAT."""

    address: str
    partstat: str


@dataclass(frozen=True)
class Received:
    """One VEVENT of a calendar object someone sent us: an iTIP REPLY or COUNTER from an
    invitee's calendar program, say. Times are aware (UTC unless the sender named a zone)."""

    method: str
    uid: str
    sequence: int
    dtstamp: datetime | None
    attendees: tuple[Attendee, ...]
    comment: str
    start: datetime | date | None
    end: datetime | date | None


def _address(prop) -> str:
    params = getattr(prop, "params", {}) or {}
    value = str(params.get("EMAIL") or prop or "").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.strip().lower() if "@" in value else ""


def _list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _moment(component, name: str) -> datetime | date | None:
    try:
        value = component.decoded(name)
    except (KeyError, ValueError, TypeError):
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # floating: read as UTC rather than guessed
    return value if isinstance(value, datetime | date) else None


def read(data: bytes | str) -> list[Received]:
    """The VEVENTs of a calendar object, as far as a reply needs them; parsed by icalendar
    (Outlook's Windows zone names such as "Central Standard Time" included). Raises
    ValueError for what isn't one."""
    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises a zoo of errors on garbage
        raise ValueError("not a calendar object") from exc
    method = str(cal.get("METHOD", "")).strip().upper()
    out = []
    for event in cal.walk("VEVENT"):
        try:
            sequence = int(str(event.get("SEQUENCE", 0)).strip() or 0)
        except ValueError:
            sequence = 0
        stamp = _moment(event, "DTSTAMP")
        comments = [" ".join(str(c).split()) for c in _list(event.get("COMMENT"))]
        out.append(Received(
            method=method, uid=str(event.get("UID", "")).strip(), sequence=sequence,
            dtstamp=stamp if isinstance(stamp, datetime) else None,
            attendees=tuple(Attendee(_address(a), str(getattr(a, "params", {}).get(
                "PARTSTAT", "NEEDS-ACTION")).upper()) for a in _list(event.get("ATTENDEE"))
                if _address(a)),
            comment=" ".join(c for c in comments if c),
            start=_moment(event, "DTSTART"), end=_moment(event, "DTEND")))
    return out
