"""Every people and notes page renders for every role."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories


@pytest.fixture
def world(app, contact, org):
    note = factories.make_note([contact], [org], summary="Ordinary coffee")
    secret = factories.make_note([contact], [], summary="Private worry", sensitive=True)
    commitment = factories.make_commitment(contact_id=contact.id)
    db.session.commit()
    return {"contact": contact, "org": org, "note": note, "secret": secret,
            "commitment": commitment}


def urls(w):
    c, o, n = w["contact"].id, w["org"].id, w["note"].id
    return ["/people/", f"/people/{c}", f"/people/{c}/edit", "/people/new", "/people/media",
            "/people/map", "/people/organizations/", f"/people/organizations/{o}",
            f"/people/organizations/{o}/edit", "/people/organizations/new",
            "/notes/", "/notes/new", f"/notes/{n}", f"/notes/{n}/edit",
            "/notes/commitments/", "/notes/commitments/new",
            f"/notes/commitments/{w['commitment'].id}/close", "/notes/due", "/",
            "/people/?q=alma", "/people/?q=coffee&stance=unknown&sort=recent"]


@pytest.mark.parametrize("role", ["as_admin", "as_liaison", "as_staff"])
def test_pages_render(request, role, world):
    client = request.getfixturevalue(role)
    for url in urls(world):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
