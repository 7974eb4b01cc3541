"""The search-as-you-type pickers: what they find (own words, never notes), their search
endpoints (fragment and page), and the field on real forms, with and without JavaScript:
typed text resolved on submit, a 422 "which one?" listing the matches when it is ambiguous."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notes.models import Commitment, Note
from app.people import picker
from app.people.contacts import archive_contact
from app.people.models import OrgType
from tests import factories
from tests.conftest import count_queries


class _Inputs(HTMLParser):
    """The checkbox and radio inputs of a page: (name, value, checked)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, str, bool]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") in ("checkbox", "radio"):
            self.found.append((a.get("name"), a.get("value"), "checked" in a))


def ticked(html: str, name: str) -> set[str]:
    return {v for n, v, checked in _Inputs(html).found if n == name and checked}


def offered(html: str, name: str) -> set[str]:
    return {v for n, v, checked in _Inputs(html).found if n == name and not checked}


@pytest.fixture
def people(app):
    council = factories.make_organization(name="Riverbend City Council",
                                          type=OrgType.government)
    clinic = factories.make_organization(name="Northside Clinic", type=OrgType.clinic)
    task_force = factories.make_organization(name="Riverbend Overdose Task Force",
                                             type=OrgType.coalition)
    ana = factories.make_contact(first_name="Ana", last_name="Ruiz",
                                 organization_id=council.id, title="Council aide",
                                 emails=["ana.ruiz@example.org"])
    anabel = factories.make_contact(first_name="Anabel", last_name="Ruiz",
                                    organization_id=clinic.id)
    bo = factories.make_contact(first_name="Bo", last_name="Lindqvist",
                                emails=["bo@example.net"])
    gone = factories.make_contact(first_name="Ana", last_name="Archived")
    archive_contact(gone, None)
    # Words in a note never make someone a match.
    factories.make_note([bo], [], summary="Talked with Ana about zebrafinch")
    db.session.commit()
    return {"council": council, "clinic": clinic, "task_force": task_force, "ana": ana,
            "anabel": anabel, "bo": bo, "gone": gone}


def _labels(found: picker.Found) -> list[str]:
    return [o.label for o in found.options]


def test_contacts_are_found_by_their_own_words_never_by_notes(people):
    assert _labels(picker.find_contacts("ana")) == ["Ana Ruiz", "Anabel Ruiz"]
    assert _labels(picker.find_contacts("ruiz an")) == ["Ana Ruiz", "Anabel Ruiz"]
    assert _labels(picker.find_contacts("riverbend")) == ["Ana Ruiz"]  # her organization
    assert _labels(picker.find_contacts("council aide")) == ["Ana Ruiz"]  # her title
    assert _labels(picker.find_contacts("example.net")) == ["Bo Lindqvist"]
    assert _labels(picker.find_contacts("zebrafinch")) == []  # only in a note
    assert _labels(picker.find_contacts("  ")) == []
    option = picker.find_contacts("ana ruiz").options[0]
    assert option.detail == "Council aide, Riverbend City Council"


def test_a_full_name_typed_exactly_comes_first(people):
    for i in range(12):
        factories.make_contact(first_name="Anabelle", last_name=f"Ruizdael{i:02}")
    db.session.commit()
    found = picker.find_contacts("Ana Ruiz")
    assert found.options[0].label == "Ana Ruiz" and found.total == 14
    assert len(found.options) == picker.SHOWN and found.more
    assert picker.find_contacts("ruiz ana").options[0].label == "Ana Ruiz"


def test_organizations_by_name_words_and_type(people):
    found = picker.find_organizations("river")
    assert _labels(found) == ["Riverbend City Council", "Riverbend Overdose Task Force"]
    assert _labels(picker.find_organizations("task force")) == ["Riverbend Overdose Task Force"]
    assert _labels(picker.find_organizations("river", org_type=OrgType.coalition)) == [
        "Riverbend Overdose Task Force"]
    assert _labels(picker.find_organizations("Northside Clinic"))[0] == "Northside Clinic"
    assert _labels(picker.find_organizations("'\"%_\\ OR 1=1 --")) == []


def test_search_fragment_keeps_the_ticked_and_lists_the_rest(as_staff, people):
    ana, anabel = people["ana"], people["anabel"]
    response = as_staff.get(f"/people/pick/contacts?field=contact_ids&mode=many"
                            f"&contact_ids={ana.id}&contact_ids-q=ruiz",
                            headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert ticked(html, "contact_ids") == {str(ana.id)}
    assert offered(html, "contact_ids") == {str(anabel.id)}  # the ticked one isn't listed twice
    assert 'id="contact_ids-status" hx-swap-oob="innerHTML"' in html
    assert "1 person matches “ruiz”" in html
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


def test_one_mode_offers_radios_and_a_way_to_clear(as_staff, people):
    council = people["council"]
    html = as_staff.get(f"/people/pick/organizations?field=organization_id&mode=one"
                        f"&organization_id={council.id}&organization_id-q=northside",
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    inputs = _Inputs(html).found
    assert ("organization_id", str(council.id), True) in inputs
    assert ("organization_id", "", False) in inputs  # "None"
    assert ("organization_id", str(people["clinic"].id), False) in inputs
    assert 'type="radio"' in html and 'type="checkbox"' not in html


def test_search_as_a_page_links_to_each_record(as_staff, people):
    response = as_staff.get("/people/pick/contacts?field=x&contact-q=ana&x-q=ana")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert f'href="/people/{people["ana"].id}"' in html
    html = as_staff.get("/people/pick/organizations?field=org&org-q=river").get_data(True)
    assert f'href="/people/organizations/{people["council"].id}"' in html


@pytest.mark.parametrize("query", [
    "field=%3Cscript%3E&mode=one&q=ana", "field=contact_ids&contact_ids=abc&contact_ids=-1"
    "&contact_ids=99999999999&contact_ids-q=%00", "field=a&a-q=" + "é" * 500,
    "field=organization_id&type=nope&organization_id-q=river"])
def test_search_shrugs_off_odd_queries(as_staff, people, query):
    for url in (f"/people/pick/contacts?{query}", f"/people/pick/organizations?{query}"):
        for headers in ({}, {"HX-Request": "true"}):
            response = as_staff.get(url, headers=headers)
            assert response.status_code in (200, 400), url
            assert "<script>" not in response.get_data(as_text=True)


def test_search_needs_sign_in(client):
    response = client.get("/people/pick/contacts?q=ana")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_search_query_count_is_constant(as_staff, people):
    def cost(q: str) -> int:
        with count_queries() as n:
            as_staff.get(f"/people/pick/contacts?field=c&c={people['ana'].id}&c-q={q}",
                         headers={"HX-Request": "true"})
        return n()

    small = cost("ruiz")
    factories.make_contacts({"first_name": "Ana", "last_name": f"Ruiz{i}"} for i in range(300))
    db.session.commit()
    assert cost("ruiz") == small


# --- the note form, with and without JavaScript -----------------------------------------------


def _last_note() -> Note:
    from app.notes.services import load_note

    return load_note(db.session.scalar(select(Note.id).order_by(Note.id.desc()).limit(1)))


def _note(**overrides) -> dict:
    return {"occurred_on": "2026-03-02", "channel": "call", "summary": "Called about the forum",
            "body_format": "plain", **overrides}


def test_the_contact_you_came_from_is_chosen(as_staff, people):
    ana = people["ana"]
    html = as_staff.get(f"/notes/new?contact={ana.id}&next=/people/{ana.id}").get_data(True)
    assert ticked(html, "contact_ids") == {str(ana.id)}
    assert 'name="next" value="/people/' in html
    assert 'hx-get="/people/pick/contacts?field=contact_ids&amp;mode=many"' in html


def test_typed_name_is_resolved_on_submit(as_staff, people):
    ana, bo = people["ana"], people["bo"]
    response = as_staff.post("/notes/new", data=_note(**{
        "contact_ids": [str(ana.id)], "contact_ids-q": "Lindqvist",
        "organization_ids-q": "northside clinic"}))
    assert response.status_code == 303
    note = _last_note()
    assert {c.id for c in note.contacts} == {ana.id, bo.id}
    assert [o.name for o in note.organizations] == ["Northside Clinic"]


def test_ambiguous_name_asks_which_one(as_staff, people):
    ana, anabel = people["ana"], people["anabel"]
    before = db.session.query(Note).count()
    response = as_staff.post("/notes/new", data=_note(**{"contact_ids-q": "ruiz"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "2 people match “ruiz”: tick the one you mean." in html
    assert offered(html, "contact_ids") == {str(ana.id), str(anabel.id)}
    assert 'value="ruiz"' in html  # what was typed stays
    assert db.session.query(Note).count() == before
    # Tick one and send again (the typed text now names one that is ticked).
    response = as_staff.post("/notes/new", data=_note(**{
        "contact_ids": [str(anabel.id)], "contact_ids-q": "ruiz"}))
    assert response.status_code == 303
    note = _last_note()
    assert [c.id for c in note.contacts] == [anabel.id]


def test_a_typed_name_nobody_has_is_an_error_beside_the_field(as_staff, people):
    response = as_staff.post("/notes/new", data=_note(**{"contact_ids-q": "Zed Nobody"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "No person matches “Zed Nobody”" in html
    assert 'id="contact_ids-error"' in html and 'aria-invalid="true"' in html


def test_an_id_that_is_not_a_contact_is_refused(as_staff, people):
    response = as_staff.post("/notes/new", data=_note(contact_ids=["99999", "abc"]))
    assert response.status_code == 422
    assert "Choose people from the list." in response.get_data(as_text=True)


def test_the_edit_form_keeps_the_notes_people(as_staff, people):
    ana = people["ana"]
    note = factories.make_note([ana], [people["council"]], summary="Coffee")
    db.session.commit()
    html = as_staff.get(f"/notes/{note.id}/edit").get_data(as_text=True)
    assert ticked(html, "contact_ids") == {str(ana.id)}
    assert ticked(html, "organization_ids") == {str(people["council"].id)}


# --- commitments: one person, one organization ------------------------------------------------


def test_commitment_from_a_contact_lands_back_on_the_contact(as_staff, people):
    ana = people["ana"]
    html = as_staff.get(f"/notes/commitments/new?contact={ana.id}&next=/people/{ana.id}")
    html = html.get_data(as_text=True)
    assert ticked(html, "contact_id") == {str(ana.id)}
    response = as_staff.post("/notes/commitments/new", data={
        "what": "Send the data summary", "contact_id": str(ana.id), "organization_id-q": "",
        "owner_id": "0", "due_on": "2026-04-01", "next": f"/people/{ana.id}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/people/{ana.id}"
    commitment = db.session.scalar(select(Commitment))
    assert commitment.contact_id == ana.id and commitment.organization_id is None


def test_commitment_typed_organization_replaces_the_one_chosen(as_staff, people):
    response = as_staff.post("/notes/commitments/new", data={
        "what": "Share the report", "organization_id": str(people["council"].id),
        "organization_id-q": "Northside", "owner_id": "0", "due_on": "2026-04-01",
        "next": "https://evil.example/"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/notes/commitments/")  # not elsewhere
    assert db.session.scalar(select(Commitment)).organization_id == people["clinic"].id


def test_commitment_needs_someone(as_staff, people):
    response = as_staff.post("/notes/commitments/new", data={
        "what": "x", "owner_id": "0", "due_on": "2026-04-01"})
    assert response.status_code == 422
    assert "Choose the person or organization we promised." in response.get_data(True)
