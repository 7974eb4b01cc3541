"""Organizations have a stance too, with a timeline like a contact's."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.people.models import Organization, OrganizationStanceChange, Stance

FORM = {"name": "Riverside Church", "type": "faith", "sphere": "", "email": "", "phone": "",
        "address": "", "website": "", "tags": "", "owner_id": "0", "source": ""}


def test_stance_is_set_changed_and_shown_as_a_timeline(as_liaison):
    response = as_liaison.post("/people/organizations/new", data={**FORM, "stance": "skeptic"})
    assert response.status_code == 303
    org = db.session.scalars(select(Organization)).one()
    assert org.stance == Stance.skeptic
    response = as_liaison.post(f"/people/organizations/{org.id}/edit",
                               data={**FORM, "stance": "ally", "version": org.version,
                                     "stance_reason": "Hosted our naloxone training"})
    assert response.status_code == 303
    db.session.expire_all()
    changes = db.session.scalars(select(OrganizationStanceChange)
                                 .order_by(OrganizationStanceChange.id)).all()
    assert [(c.from_stance, c.to_stance) for c in changes] == [
        (None, Stance.skeptic), (Stance.skeptic, Stance.ally)]
    assert changes[1].by_id == as_liaison.user.id
    page = as_liaison.get(f"/people/organizations/{org.id}").get_data(as_text=True)
    assert 'id="stance-card"' in page and "Skeptical → Ally" in page
    assert "Hosted our naloxone training" in page
    # An edit that keeps the stance adds nothing to the timeline.
    db.session.refresh(org)
    as_liaison.post(f"/people/organizations/{org.id}/edit",
                    data={**FORM, "stance": "ally", "version": org.version})
    assert db.session.query(OrganizationStanceChange).count() == 2
    form = as_liaison.get(f"/people/organizations/{org.id}/edit").get_data(as_text=True)
    assert '<option selected value="ally">' in form or 'value="ally" selected' in form


def test_unknown_stance_is_refused_with_422(as_liaison):
    response = as_liaison.post("/people/organizations/new", data={**FORM, "stance": "enemy"})
    assert response.status_code == 422
    assert db.session.query(Organization).count() == 0
