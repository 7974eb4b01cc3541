"""Signed-in views for notes and commitments."""

from app.notes import models  # noqa: F401
