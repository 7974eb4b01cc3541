"""Template filters and globals shared by every page: local time and the navigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from app.settings import services as settings


def org_zone() -> ZoneInfo:
    """The organization's time zone (IANA name from settings)."""
    return ZoneInfo(settings.timezone_name())


def localtime(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p") -> str:
    """Format an aware UTC datetime in the organization's time zone."""
    if value is None:
        return ""
    return value.astimezone(org_zone()).strftime(fmt)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, endpoint, roles or None). Items appear once their domain exists.
NAV = [
    ("Dashboard", "dashboard.index", None),
    ("People", "people.index", None),
    ("Organizations", "people.organizations", None),
    ("Coalitions", "coalitions.index", None),
    ("Commitments", "notes.commitments", None),
    ("Events", "events.index", None),
    ("Tours", "tours.index", ("liaison",)),
    ("Press", "press.index", ("liaison",)),
    ("Map", "places.index", None),
    ("Outbox", "outbox.index", ("liaison",)),
    ("Users", "users.index", ("admin",)),
    ("Settings", "settings.index", ("admin",)),
    ("Audit", "audit.index", ("admin",)),
]


def nav_items() -> list[NavItem]:
    """The main navigation for the signed-in user."""
    app = current_app
    here = (request.blueprint or "") + "."
    items = []
    for label, endpoint, roles in NAV:
        if endpoint not in app.view_functions:
            continue
        if roles and not current_user.can(*roles):
            continue
        current = request.endpoint == endpoint or (
            endpoint.startswith(here) and endpoint.endswith(".index")
        )
        items.append(NavItem(label, url_for(endpoint), current))
    return items


def init_app(app: Flask) -> None:
    app.add_template_filter(localtime)
    app.add_template_global(nav_items)
    app.add_template_global(settings.org_name, "org_name")
    app.add_template_global(settings.timezone_name, "org_timezone")


def today():
    """Today's date in the organization's time zone."""
    return datetime.now(org_zone()).date()
