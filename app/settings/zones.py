"""Time zones people can choose: the current IANA zones, one per place that keeps its own
time (tzdata's zone.tab, plus UTC), labelled the way people say them — "Central Time —
Chicago (UTC-06:00)", printed with a real minus sign — with CLDR's names from Babel. Old and
backward-link names ("US/Central", "Asia/Calcutta", which some browsers still report) are
read as the zone they stand for, but never offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import get_timezone_location, get_timezone_name

from app.settings import clock

UTC_NAME = "UTC"


@dataclass(frozen=True)
class Zone:
    name: str  # the IANA name we store
    label: str  # "Central Time — Chicago (UTC-06:00)"
    offset: int  # minutes east of UTC, today
    keywords: str  # what a search also matches: the IANA name and the country


def _tzdata(file: str) -> str:
    return (resources.files("tzdata") / "zoneinfo" / file).read_text(encoding="utf-8")


@cache
def _table() -> dict[str, str]:
    """{zone name: country code} for every current zone (zone.tab), plus UTC."""
    rows: dict[str, str] = {}
    for line in _tzdata("zone.tab").splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, name, *_ = line.split("\t")
            rows[name] = code
    rows[UTC_NAME] = ""
    return rows


@cache
def _countries() -> dict[str, str]:
    out = {}
    for line in _tzdata("iso3166.tab").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            out[code] = name.strip()
    return out


@cache
def _links() -> dict[str, str]:
    """{old or alias name: the zone it stands for}, from tzdata's links and CLDR's aliases."""
    links = {}
    for line in _tzdata("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    links.update(get_global("zone_aliases"))
    return links


_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal",
              "Zulu", "Etc/GMT", "GMT"}


def canonical(name: str | None) -> str | None:
    """The offered zone a name stands for ("US/Central" → "America/Chicago"), or None."""
    name = (name or "").strip()
    table, seen = _table(), set()
    while name and name not in table and name not in seen:
        if name in _UTC_NAMES:
            return UTC_NAME
        seen.add(name)
        name = _links().get(name, "")
    return name if name in table else None


def country(name: str) -> str:
    """The ISO 3166 code of the zone's country ("America/Chicago" → "US"), "" for UTC."""
    return _table().get(canonical(name) or "", "")


def offset_text(minutes: int) -> str:
    """Minutes east of UTC as printed: "UTC+05:30", and a real minus sign west of it."""
    sign = "+" if minutes >= 0 else "\u2212"  # a real minus sign, as printed
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


@cache
def _names(name: str) -> tuple[str, str]:
    """(what people call the zone's time, the city) in English: ("Central Time", "Chicago")."""
    if name == UTC_NAME:
        return "Coordinated Universal Time", ""
    city = get_timezone_location(name, locale="en_US", return_city=True)
    generic = get_timezone_name(name, "long", locale="en_US", zone_variant="generic")
    if "(" in generic:  # CLDR has no generic name here: "United States (Honolulu) Time"
        generic = get_timezone_name(name, "long", locale="en_US", zone_variant="standard")
    return generic, city


def _offset(name: str, moment: datetime) -> int:
    delta = moment.astimezone(ZoneInfo(name)).utcoffset()
    return int(delta.total_seconds() // 60) if delta else 0


def label(name: str, moment: datetime | None = None) -> str:
    """The friendly label of a zone: "Central Time — Chicago (UTC-06:00)"."""
    zone = canonical(name) or name
    moment = moment or clock.now()
    try:
        offset = _offset(zone, moment)
    except (KeyError, ValueError):  # not a zone at all: say what it is
        return zone
    generic, city = _names(zone) if zone in _table() else (zone, "")
    place = f" — {city}" if city and city not in generic else ""
    return f"{generic}{place} ({offset_text(offset)})"


def short_label(name: str) -> str:
    """What a page says about its times: "Central Time (Chicago)"."""
    zone = canonical(name) or name
    if zone not in _table():
        return zone.rpartition("/")[2].replace("_", " ")
    generic, city = _names(zone)
    return f"{generic} ({city})" if city and city not in generic else generic


def _keywords(name: str) -> str:
    words = [name.replace("_", " "), name.replace("/", " ")]
    code = _table().get(name)
    if code:
        words += [_countries().get(code, ""), code]
    return re.sub(r"\s+", " ", " ".join(words)).strip().lower()


@cache
def _zones_on(day: date) -> tuple[Zone, ...]:
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    zones = [Zone(name, label(name, moment), _offset(name, moment), _keywords(name))
             for name in _table()]
    return tuple(sorted(zones, key=lambda z: (z.offset, z.label)))


def zones(day: date | None = None) -> tuple[Zone, ...]:
    """Every offered zone, west to east, labelled with its offset on `day` (today)."""
    return _zones_on(day or clock.now().date())


def browser_aliases() -> dict[str, str]:
    """{name a browser may report: the offered zone}, for the picker's script (only names
    that differ from an offered one)."""
    table = _table()
    return {alias: target for alias in _links()
            if alias not in table and (target := canonical(alias))}
