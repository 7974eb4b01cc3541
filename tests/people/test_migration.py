"""Migrations 0002 and 0008: the search index objects come and go with upgrade and downgrade."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app.extensions import db
from tests.conftest import ON_POSTGRES


@pytest.mark.skipif(ON_POSTGRES, reason="the PostgreSQL database is shared by the session")
def test_upgrade_downgrade_upgrade(app):
    downgrade(revision="0001")
    assert "contacts" not in inspect(db.engine).get_table_names()
    upgrade()
    names = inspect(db.engine).get_table_names()
    assert {"contacts", "notes", "commitments", "contact_docs_fts", "notes_fts"} <= set(names)
    assert "contacts_fts" not in names  # the per-contact document (0008) replaced it
    with db.engine.begin() as conn:
        triggers = conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%fts%'"
        )).scalars().all()
    assert len(triggers) == 10
    downgrade(revision="0006_tours")
    assert "contacts_fts" in inspect(db.engine).get_table_names()
    upgrade()
