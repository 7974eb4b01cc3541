"""Coalitions fixtures: the program's values (the guidance's twelve, as migration 0011 writes
them; PostgreSQL runs empty the tables between tests) and a few organizations."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.people.models import Sphere, Stance
from app.settings import values as program_values
from tests import factories


@pytest.fixture
def values(app):
    program_values.seed_guidance_values()
    db.session.commit()
    return program_values.active_values()


@pytest.fixture
def orgs(app):
    made = [
        factories.make_organization(name="Eastside Clinic", sphere=Sphere.professional,
                                    stance=Stance.ally),
        factories.make_organization(name="Open Door Housing", sphere=Sphere.social_services,
                                    stance=Stance.champion),
        factories.make_organization(name="Millrace Neighbors", sphere=Sphere.neighbors,
                                    stance=Stance.challenger),
    ]
    db.session.commit()
    return made
