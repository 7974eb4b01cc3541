"""Slugs for public addresses (a spokesperson's vCard, a public event's page): readable,
ASCII, unique within their column, and chosen once so shared links keep working."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(text: str, fallback: str, length: int = 60) -> str:
    """"Ten years of Riverbend!" → "ten-years-of-riverbend" (accents folded, at most
    `length` characters); `fallback` when nothing readable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:length].strip("-") or fallback


def unique_slug(column: InstrumentedAttribute, text: str, fallback: str,
                exclude_id: int | None = None) -> str:
    """A slug for `text` that no other row holds in `column`: "spring-open-house", then
    "spring-open-house-2" and so on."""
    base = slugify(text, fallback)
    model = column.class_
    escaped = base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    taken = set(db.session.scalars(
        select(column).where(or_(column == base, column.like(f"{escaped}-%", escape="\\")),
                             model.id != (exclude_id or 0))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def is_slug(value: str, length: int = 120) -> bool:
    """Whether `value` could be a slug at all (checked before any query)."""
    return len(value) <= length and SLUG.fullmatch(value) is not None
