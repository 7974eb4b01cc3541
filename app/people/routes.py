"""Signed-in views for contacts and organizations."""

from app.people import models  # noqa: F401
