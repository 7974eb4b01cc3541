"""Fixtures for the cross-domain wiring: the tours app settings (the mailbox is in
tests/conftest.py)."""

from __future__ import annotations

from tests.tours.conftest import app_config, tours  # noqa: F401  (re-used fixtures)
