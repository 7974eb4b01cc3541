"""The organization's clock: now (aware UTC, the only kind we store), its time zone, and
dates as they fall there."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

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
