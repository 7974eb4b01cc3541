"""Contact and organization routes and services: create, validate, duplicates, stance
timeline, archive/restore, hard delete, search fragments and export (merging: test_merge)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.people.duplicates import find_duplicates
from app.people.models import Contact, ContactEmail, ContactPhone, Organization, StanceChange
from tests import factories


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_contact_redirects_and_normalizes(as_staff, org):
    response = as_staff.post("/people/new", data={
        "first_name": "Teresa", "last_name": "Alvarez", "organization_id": org.id,
        "emails": "  Teresa.Alvarez@Example.ORG ", "phones": "(555) 201-4411",
        "stance": "ally", "influence": "high", "owner_id": 0, "tags": "Council, budget"})
    assert response.status_code == 303
    contact = db.session.scalar(select(Contact))
    assert response.headers["Location"].endswith(f"/people/{contact.id}")
    assert db.session.scalar(select(ContactEmail.email)) == "teresa.alvarez@example.org"
    assert db.session.scalar(select(ContactPhone.number)) == "+15552014411"
    assert contact.tags == ",budget,council,"
    page = as_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    assert "(555) 201-4411" in page and "Ally" in page


def test_name_prefix_suffix_and_background(as_staff):
    response = as_staff.post("/people/new", data={
        "name_prefix": "Rev.", "first_name": "Rosa", "last_name": "Delgado",
        "name_suffix": "Jr.", "title": "Pastor", "stance": "ally", "influence": "high",
        "organization_id": 0, "owner_id": 0,
        "background": "Met at the vigil.\r\nPrefers texts.\x00"})
    assert response.status_code == 303
    contact = db.session.scalar(select(Contact))
    assert (contact.name_prefix, contact.name_suffix, contact.title) == ("Rev.", "Jr.", "Pastor")
    assert contact.background == "Met at the vigil.\nPrefers texts."
    assert contact.name == "Rosa Delgado"  # lists and greetings keep the plain name
    page = as_staff.get(f"/people/{contact.id}").get_data(as_text=True)
    assert "<h1>Rev. Rosa Delgado Jr." in page and "Met at the vigil." in page
    edit = as_staff.get(f"/people/{contact.id}/edit").get_data(as_text=True)
    assert 'value="Rev."' in edit and 'value="Jr."' in edit
    response = as_staff.post("/people/new", data={
        "first_name": "Sam", "name_prefix": "x" * 41, "stance": "unknown",
        "influence": "medium", "organization_id": 0, "owner_id": 0})
    assert response.status_code == 422 and 'id="name_prefix-error"' in response.get_data(
        as_text=True)


def test_invalid_contact_is_422_with_errors_beside_fields(as_staff):
    response = as_staff.post("/people/new", data={
        "first_name": "", "emails": "not-an-email", "phones": "12", "stance": "nope",
        "influence": "high", "organization_id": 0, "owner_id": 0})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="first_name-error"' in body and 'id="emails-error"' in body
    assert 'id="phones-error"' in body and 'id="stance-error"' in body
    assert _count(Contact) == 0


def test_duplicate_warning_then_save_anyway(as_staff, contact):
    data = {"first_name": "Someone", "last_name": "Else", "emails": "ALMA@example.org",
            "stance": "unknown", "influence": "medium", "organization_id": 0, "owner_id": 0}
    response = as_staff.post("/people/new", data=data)
    assert response.status_code == 422
    assert "same email" in response.get_data(as_text=True)
    assert _count(Contact) == 1
    response = as_staff.post("/people/new", data={**data, "confirm_duplicate": "y"})
    assert response.status_code == 303
    assert _count(Contact) == 2


def test_similar_name_same_org_and_same_phone_are_duplicates(app, contact, org):
    found = find_duplicates("Alma", "Ortíz", org.id, [], [])
    expected = [(contact.id, "similar name in the same organization")]
    assert [(c.id, why) for c, why in found] == expected
    found = find_duplicates("X", "Y", None, [], ["+15555550123"])
    assert [why for _, why in found] == ["same phone"]
    assert find_duplicates("Alma", "Ortiz", None, [], []) == []


def test_stance_change_goes_on_timeline(as_liaison, contact):
    response = as_liaison.post(f"/people/{contact.id}/edit", data={
        "first_name": "Alma", "last_name": "Ortiz", "stance": "challenger",
        "influence": "high", "stance_reason": "Spoke against the site", "organization_id": 0,
        "owner_id": 0, "version": contact.version})
    assert response.status_code == 303
    changes = db.session.scalars(select(StanceChange).order_by(StanceChange.id)).all()
    assert [(c.from_stance, c.to_stance) for c in changes][-1] == ("unknown", "challenger")
    assert changes[-1].reason == "Spoke against the site"
    assert changes[-1].by_id == as_liaison.user.id
    page = as_liaison.get(f"/people/{contact.id}").get_data(as_text=True)
    assert "Spoke against the site" in page


def test_archive_restore(as_staff, contact):
    assert as_staff.post(f"/people/{contact.id}/archive").status_code == 303
    row = f'id="contact-{contact.id}"'
    assert row not in as_staff.get("/people/").get_data(as_text=True)
    assert row in as_staff.get("/people/?archived=1").get_data(as_text=True)
    response = as_staff.post(f"/people/{contact.id}/restore", headers={"HX-Request": "true"})
    assert response.status_code == 303
    assert "people-changed" in response.headers["HX-Trigger"]
    assert db.session.get(Contact, contact.id).archived_at is None


def test_archive_is_post_only(as_staff, contact):
    assert as_staff.get(f"/people/{contact.id}/archive").status_code == 405


# One signed-in client per test: the harness keeps one app context (and so one cached
# Flask-Login user in `g`) for the whole test.
def test_hard_delete_refused_to_staff(as_staff, contact):
    assert as_staff.get(f"/people/{contact.id}/delete").status_code == 403
    assert as_staff.post(f"/people/{contact.id}/delete", data={"confirm": "Alma Ortiz"}) \
        .status_code == 403
    assert db.session.get(Contact, contact.id) is not None


def test_hard_delete_admin_only_with_confirmation(as_admin, contact):
    contact_id = contact.id
    response = as_admin.post(f"/people/{contact_id}/delete", data={"confirm": "wrong"})
    assert response.status_code == 422
    assert db.session.get(Contact, contact_id) is not None
    response = as_admin.post(f"/people/{contact_id}/delete", data={"confirm": "alma  ortiz"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/people/")
    assert db.session.get(Contact, contact_id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.delete"))
    assert event.object_id == contact_id and "Alma" not in event.summary


def test_search_fragment_vs_full_page(as_staff, contact):
    full = as_staff.get("/people/?q=alma")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]
    fragment = as_staff.get("/people/?q=alma", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Alma Ortiz" in body
    boosted = as_staff.get("/people/?q=alma", headers={"HX-Request": "true",
                                                       "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_search_by_org_email_phone_tag_and_note(as_staff, contact, org):
    factories.make_note([contact], [], summary="Talked about the kiosk")
    db.session.commit()
    for q in ["riverbend council", "alma@example", "555-0123", "5555550123", "kiosk", "orti"]:
        body = as_staff.get(f"/people/?q={q}", headers={"HX-Request": "true"}).get_data(True)
        assert "Alma Ortiz" in body, q
    body = as_staff.get("/people/?q=nobodyhere", headers={"HX-Request": "true"}).get_data(True)
    assert "Alma Ortiz" not in body


def test_filters(as_staff, contact, org):
    assert "Alma" in as_staff.get("/people/?stance=unknown&type=social_service").get_data(True)
    assert "Alma" not in as_staff.get("/people/?stance=ally").get_data(True)
    assert "Alma" not in as_staff.get("/people/?type=media").get_data(True)
    assert as_staff.get("/people/?owner=abc&stance=zzz&page=-4&sort=bogus").status_code == 200


def test_search_with_fts_syntax_is_safe(as_staff, contact):
    for q in ['"', "AND OR NOT", "a* ) (", "'; drop table contacts; --", "NEAR(", "^"]:
        assert as_staff.get("/people/", query_string={"q": q}).status_code == 200


def test_stakeholder_map_counts_link_to_list(as_staff, contact):
    body = as_staff.get("/people/map").get_data(as_text=True)
    assert "/people/?stance=unknown&amp;influence=medium" in body


def test_organization_crud(as_admin):
    as_staff = as_admin
    response = as_staff.post("/people/organizations/new", data={
        "name": "Riverbend Ledger", "type": "media", "sphere": "media",
        "phone": "555 208 5000", "email": "News@Ledger.example", "owner_id": 0})
    assert response.status_code == 303
    org = db.session.scalar(select(Organization))
    assert org.phone == "+15552085000" and org.email == "news@ledger.example"
    response = as_staff.post("/people/organizations/new", data={"name": "", "type": "x"})
    assert response.status_code == 422
    assert as_staff.post(f"/people/organizations/{org.id}/archive").status_code == 303
    assert as_admin.post(f"/people/organizations/{org.id}/delete",
                         data={"confirm": "Riverbend Ledger"}).status_code == 303


def test_org_rename_updates_contact_search(as_staff, contact, org):
    response = as_staff.post(f"/people/organizations/{org.id}/edit", data={
        "name": "Ash County Board", "type": "government", "owner_id": 0, "version": org.version})
    assert response.status_code == 303
    body = as_staff.get("/people/?q=ash+county", headers={"HX-Request": "true"}).get_data(True)
    assert "Alma Ortiz" in body


def test_media_list(as_staff, org):
    factories.make_contact(first_name="Priya", last_name="Sandoval", is_media=True,
                           beat="Health", coverage_area="Ash County", organization_id=org.id)
    factories.make_contact(first_name="Not", last_name="Press")
    db.session.commit()
    body = as_staff.get("/people/media").get_data(as_text=True)
    assert "Priya Sandoval" in body and "Health" in body and "Not Press" not in body


def test_export_is_audited_and_filtered(as_liaison, contact):
    factories.make_contact(first_name="=cmd", last_name="Ally", stance="ally")
    db.session.commit()
    response = as_liaison.get("/people/export.csv?stance=ally")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "'=cmd" in text and "Alma" not in text
