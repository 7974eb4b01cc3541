"""Shared fixtures: an organization and a contact in it (people, notes and other domains)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories


@pytest.fixture
def org(app):
    o = factories.make_organization(name="Riverbend City Council")
    db.session.commit()
    return o


@pytest.fixture
def contact(app, org):
    c = factories.make_contact(first_name="Alma", last_name="Ortiz", organization_id=org.id,
                               emails=["alma@example.org"], phones=["+15555550123"])
    db.session.commit()
    return c
