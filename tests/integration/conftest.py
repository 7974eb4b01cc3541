"""Fixtures for the cross-domain wiring: the tours app settings, and a mailbox on a real SMTP
server."""

from __future__ import annotations

import pytest

from tests.tours.conftest import app_config, tours  # noqa: F401  (re-used fixtures)


@pytest.fixture
def mailbox(app, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    return smtp_server
