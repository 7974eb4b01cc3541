"""Reading and writing settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blinker import Namespace
from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

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
    if key in ORGANIZATION_KEYS:
        db.session.info["organization_changed"] = True
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
# Set at first run and on the Settings page; until then the configuration's values apply
# (ORG_NAME and TIMEZONE are only the defaults before setup).

ORGANIZATION_KEYS = ("org_name", "timezone", "phone_region", "public_address", "media_line")


@dataclass(frozen=True)
class Identity:
    """Everything public pages, mail, vCards and feeds say about the organization."""

    name: str
    timezone: str
    phone_region: str
    public_address: str
    media_line: str


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


def public_address() -> str:
    """The address the organization publishes (several lines; may be empty: a program
    that keeps its site private publishes none, or a mailing address)."""
    return get("public_address") or ""


def media_line() -> str:
    """The media line journalists call, in E.164 ("" when there is none)."""
    return get("media_line") or ""


def identity() -> Identity:
    """The organization as the public sees it (for pages and caches keyed on it)."""
    return Identity(org_name(), timezone_name(), phone_region(), public_address(),
                    media_line())


def save_organization(*, name: str, timezone: str, region: str | None = None,
                      public_address: str | None = None,
                      media_line: str | None = None) -> list[str]:
    """Store the organization's name, time zone, phone region, public address and media
    line (None leaves one as it is); returns what changed, in words. Each is stored even
    when it equals the default it replaces: it was chosen (the demo fills in only what
    nobody chose)."""
    was = identity()
    wanted = {"org_name": (name, was.name, "name"),
              "timezone": (timezone, was.timezone, "time zone"),
              "phone_region": (region, was.phone_region, "phone region"),
              "public_address": (public_address, was.public_address, "public address"),
              "media_line": (media_line, was.media_line, "media line")}
    changed = []
    for key, (new, old, words) in wanted.items():
        if new is None:
            continue
        if get(key) != new:
            put(key, new)
        if new != old:
            changed.append(words)
    return changed


# --- telling caches ---------------------------------------------------------------------------
# Pages cached per process (/press) key on identity(); they hear of a change in this process
# at its commit (other processes re-read within their memo's lifetime).

organization_saved = Namespace().signal("organization-saved")


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    if session.info.pop("organization_changed", False) and has_app_context():
        organization_saved.send(current_app._get_current_object())


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("organization_changed", None)
