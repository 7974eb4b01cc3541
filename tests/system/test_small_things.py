"""The small things that say "made with care": counts that agree with their number, lists
sorted by name paged with neutral words, and `/tours/`, `/press/` leading where people meant."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db
from app.people.queries import PAGE_SIZE
from app.system.words import noun, plural
from tests.factories import make_contact, make_contacts, make_organization

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(("count", "one", "many", "said"), [
    (0, "note", None, "0 notes"),
    (1, "note", None, "1 note"),
    (2, "note", None, "2 notes"),
    (1, "person", "people", "1 person"),
    (1204, "person", "people", "1,204 people"),
    (-1, "day", None, "-1 days"),
])
def test_plural(count, one, many, said):
    assert plural(count, one, many) == said
    assert said.endswith(noun(count, one, many))


def test_templates_count_with_the_filter_not_by_hand():
    """No template builds its own plural (`{{ n }} thing{{ '' if n == 1 else 's' }}`) nor
    prints a number before a fixed plural noun (`{{ n }} contacts`)."""
    by_hand = re.compile(r"""if [^%}]*(==|!=) ?1 else ['"]s?['"]|[a-z]\(s\)(?!\s*\}\})""")
    fixed = re.compile(r"\{\{ ?[\w.\[\]'()]+ ?\}\}(</strong>)? (contacts|organizations|people|"
                       r"notes|days|hours|rows|places|commitments|invitations|messages)\b")
    found = [f"{p.relative_to(TEMPLATES)}: {m.group(0)}"
             for p in TEMPLATES.rglob("*.*") for m in (*by_hand.finditer(p.read_text()),
                                                       *fixed.finditer(p.read_text()))]
    assert found == []


def test_one_is_one_on_the_pages(app, as_staff):
    org = make_organization(name="Only Org")
    make_contact(first_name="Ada", last_name="Lone", organization_id=org.id)
    db.session.commit()
    assert "1 organization<" in as_staff.get("/people/organizations/").get_data(as_text=True)
    assert "1 person" in as_staff.get("/people/").get_data(as_text=True)


def test_a_list_by_name_pages_with_neutral_words(app, as_staff):
    make_contacts([{"first_name": "P", "last_name": f"N{i:03}"} for i in range(PAGE_SIZE + 2)])
    db.session.commit()
    html = as_staff.get("/people/?sort=name").get_data(as_text=True)
    assert "Next →" in html and "Older" not in html
    html = as_staff.get("/people/?sort=name&page=2").get_data(as_text=True)
    assert "← Previous" in html and "Newer" not in html


@pytest.mark.parametrize(("typed", "lands"), [
    ("/tours/", "/tours"),
    ("/press/", "/press"),
    ("/press//", "/press"),
    ("/tours/?at=2026-01-01", "/tours?at=2026-01-01"),
])
def test_a_trailing_slash_leads_to_the_page(client, typed, lands):
    response = client.get(typed)
    assert response.status_code == 308 and response.location == lands
    assert client.get(response.location).status_code == 200


def test_a_trailing_slash_keeps_the_method_and_refuses_what_does_not_exist(client):
    assert client.post("/tours/").status_code == 308  # the browser posts again, to /tours
    assert client.get("/nowhere/").status_code == 404
    assert client.get("/").status_code in (302, 303)  # the root is never stripped
    # a view's own 404 (no such booking) stays one, with or without the slash
    assert client.get("/tours/booking/nope").status_code == 404
    assert client.get("/tours/booking/nope/", follow_redirects=True).status_code == 404
