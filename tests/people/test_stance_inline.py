"""Changing a stance from the contact or organization page itself: the reason goes on the
timeline and in the audit trail; htmx gets the stance card back (and `people-changed`), a
plain form post lands back on the page; what can't be saved is a 422 beside the field."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.people.models import Contact, Influence, Organization, Stance, StanceChange

FRAGMENT = {"HX-Request": "true"}


def _changes(contact_id: int) -> list[StanceChange]:
    return list(db.session.scalars(select(StanceChange).where(StanceChange.contact_id
                                                               == contact_id)
                                   .order_by(StanceChange.id)))


def test_the_contact_page_offers_the_change(as_staff, contact):
    html = as_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    assert f'hx-post="/people/{contact.id}/stance"' in html
    assert 'id="stance-card"' in html and "Change the stance" in html


def test_change_with_htmx_returns_the_card_and_says_so(as_staff, contact):
    response = as_staff.post(f"/people/{contact.id}/stance", headers=FRAGMENT, data={
        "stance": "champion", "influence": "high", "reason": "Spoke for us at the hearing"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card stance-card" id="stance-card"')
    assert "Spoke for us at the hearing" in html
    assert '<span id="contact-stance" hx-swap-oob="true">' in html  # the Details line too
    events = json.loads(response.headers["HX-Trigger"])
    assert "people-changed" in events and "champion" in events["toast"]["message"]
    db.session.expire_all()
    saved = db.session.get(Contact, contact.id)
    assert (saved.stance, saved.influence) == (Stance.champion, Influence.high)
    last = _changes(contact.id)[-1]
    assert (last.from_stance, last.to_stance, last.reason, last.by_id) == (
        Stance.unknown, Stance.champion, "Spoke for us at the hearing", as_staff.user.id)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.stance"))
    assert audit.object_id == contact.id and "Champion" in audit.summary


def test_change_without_javascript_lands_back_on_the_page(as_staff, contact):
    response = as_staff.post(f"/people/{contact.id}/stance", data={
        "stance": "ally", "influence": "medium", "reason": "Came to the open house"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/people/{contact.id}#stance-card"
    page = as_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    assert "Came to the open house" in page


def test_a_reason_is_needed_and_a_change_too(as_staff, contact):
    before = len(_changes(contact.id))
    for data in ({"stance": "ally", "influence": "medium", "reason": ""},
                 {"stance": "unknown", "influence": "medium", "reason": "No change really"},
                 {"stance": "overlord", "influence": "medium", "reason": "x"},
                 {"stance": "ally", "influence": "medium", "reason": "x" * 501}):
        response = as_staff.post(f"/people/{contact.id}/stance", headers=FRAGMENT, data=data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert 'class="field-error"' in html and "<details class=\"stance-change\" open>" in html
        plain = as_staff.post(f"/people/{contact.id}/stance", data=data)
        assert plain.status_code == 422 and "<html" in plain.get_data(as_text=True)
    assert len(_changes(contact.id)) == before


def test_missing_contact_is_404(as_staff):
    assert as_staff.post("/people/999999/stance", data={"stance": "ally"}).status_code == 404


def test_organization_stance_from_its_page(as_staff, org):
    html = as_staff.get(f"/people/organizations/{org.id}").get_data(as_text=True)
    assert 'name="influence"' not in html  # organizations have no influence
    response = as_staff.post(f"/people/organizations/{org.id}/stance", headers=FRAGMENT,
                             data={"stance": "skeptic", "reason": "Voted against the budget"})
    assert response.status_code == 200
    assert '<span id="org-stance" hx-swap-oob="true">' in response.get_data(as_text=True)
    assert "people-changed" in json.loads(response.headers["HX-Trigger"])
    db.session.expire_all()
    assert db.session.get(Organization, org.id).stance == Stance.skeptic
    plain = as_staff.post(f"/people/organizations/{org.id}/stance",
                          data={"stance": "skeptic", "reason": "Again"})
    assert plain.status_code == 422
    assert "That is the stance already" in plain.get_data(as_text=True)


def test_stance_timeline_shows_newest_first(as_staff, contact):
    for stance, reason in (("neutral", "First call"), ("ally", "Second call")):
        as_staff.post(f"/people/{contact.id}/stance",
                      data={"stance": stance, "influence": "medium", "reason": reason})
    html = as_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    assert html.index("Second call") < html.index("First call")

