"""The demo program's identity — one name, one address, one media line, one time zone —
which every domain's demo story reads back through settings, so the demo is one program.

It fills in only what nobody has set: a name (or zone, or media line) typed at first run
wins, and the demo's people, pages and events then speak of that program. The fictional
town of Riverbend sits in central Indiana (the map's coordinates), on Eastern Time.
"""

from __future__ import annotations

from datetime import date

from app.settings import services as settings

PROGRAM = {
    "org_name": "Riverbend Harm Reduction",
    "timezone": "America/Indiana/Indianapolis",
    "phone_region": "US",
    "public_address": "410 Mill Street\nRiverbend, Indiana",
    "media_line": "+13175550100",
}
FOUNDED = 2014  # the year the program opened its doors
TOWN = "Riverbend"


def seed() -> None:
    """Name the demo program where the organization isn't named yet."""
    for key, value in PROGRAM.items():
        if settings.get(key) is None or (key in ("public_address", "media_line")
                                         and not settings.get(key)):
            settings.put(key, value)


def scale(n: int) -> dict[str, int]:
    """Benchmarks' data belongs to a named program too."""
    seed()
    return {}


def street() -> str:
    """The program's street address (the public address's first line)."""
    lines = [line.strip() for line in settings.public_address().splitlines() if line.strip()]
    return lines[0] if lines else PROGRAM["public_address"].splitlines()[0]


def years_open(on: date) -> int:
    """How many years the program has been open on `on`."""
    return on.year - FOUNDED
