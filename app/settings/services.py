"""Reading and writing settings."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context
from sqlalchemy import select

from app.extensions import db
from app.settings.models import Setting


def _request_cache() -> dict[str, Any] | None:
    """All settings, loaded with one query the first time a request asks for any."""
    if not has_request_context():
        return None
    if "_settings" not in g:
        g._settings = {row.key: row.value for row in db.session.scalars(select(Setting))}
    return g._settings


def get(key: str, default: Any = None) -> Any:
    """The stored value of `key`, or `default`."""
    cache = _request_cache()
    if cache is not None:
        return cache.get(key, default)
    row = db.session.get(Setting, key)
    return default if row is None else row.value


def put(key: str, value: Any) -> None:
    """Store `value` under `key` (flushes, never commits)."""
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
    if has_request_context() and "_settings" in g:
        g._settings[key] = value


def delete(key: str) -> None:
    """Forget `key`."""
    row = db.session.get(Setting, key)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
    if has_request_context() and "_settings" in g:
        g._settings.pop(key, None)


# --- the organization -----------------------------------------------------------------------
# Admins edit these on the Settings page; until then the configuration's values apply.


def org_name() -> str:
    """The organization's name, as shown in the header, on public pages and in emails."""
    return get("org_name") or current_app.config["ORG_NAME"]


def timezone_name() -> str:
    """The organization's IANA time zone (e.g. "America/Chicago")."""
    return get("timezone") or current_app.config["TIMEZONE"]


def phone_region() -> str:
    """The region phone numbers without a country code are read in, and shown nationally
    for (an ISO 3166 code such as "US"; app/people/phones.py reads and formats numbers)."""
    return get("phone_region") or "US"


def save_organization(*, name: str, timezone: str, region: str | None = None) -> list[str]:
    """Store the organization's name, time zone and phone region; returns what changed."""
    changed = []
    if name != org_name():
        put("org_name", name)
        changed.append("name")
    if timezone != timezone_name():
        put("timezone", timezone)
        changed.append("time zone")
    if region is not None and region != phone_region():
        put("phone_region", region)
        changed.append("phone region")
    return changed
