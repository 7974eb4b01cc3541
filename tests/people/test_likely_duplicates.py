"""Likely duplicates across all contacts and organizations: what the sweep pairs (and what it
leaves alone), the ranked, paginated page that leads to the merge comparison, "Not the same",
"Look again", and that the sweep compares within blocks, never everyone with everyone."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.people import duplicates
from app.people.contacts import archive_contact
from app.people.models import LikelyDuplicate
from tests import factories
from tests.conftest import count_queries


@pytest.fixture
def world(app):
    council = factories.make_organization(name="Riverbend City Council")
    clinic = factories.make_organization(name="Eastside Clinic")
    made = {
        "council": council, "clinic": clinic,
        "ana": factories.make_contact(first_name="Ana", last_name="Ruiz",
                                      organization_id=council.id, emails=["ana@example.org"]),
        # Same email, different spelling: very likely.
        "ana2": factories.make_contact(first_name="Anna", last_name="Ruiz",
                                       emails=["ANA@example.org"]),
        # Nearly the same name at the same organization.
        "jo": factories.make_contact(first_name="Johnathan", last_name="Blake",
                                     organization_id=clinic.id),
        "jo2": factories.make_contact(first_name="Jonathan", last_name="Blake",
                                      organization_id=clinic.id),
        # The same name, elsewhere: possibly.
        "mo": factories.make_contact(first_name="Mo", last_name="Farah",
                                     organization_id=council.id),
        "mo2": factories.make_contact(first_name="Mo", last_name="Farah"),
        # Different people who share an office line: not paired on the phone alone... unless
        # their names are alike.
        "x": factories.make_contact(first_name="Xavier", last_name="Quon",
                                    phones=["+15555550100"]),
        "y": factories.make_contact(first_name="Yolanda", last_name="Pike",
                                    phones=["+15555550100"]),
    }
    # Six more on one shared address: a shared mailbox, not one person.
    for i in range(duplicates.SHARED_CAP + 1):
        factories.make_contact(first_name=f"Staffer{i}", last_name="Desk",
                               emails=["front-desk@example.org"])
    db.session.commit()
    return made


def _pairs(kind: str) -> dict[tuple[int, int], LikelyDuplicate]:
    return {(p.low_id, p.high_id): p for p in db.session.scalars(
        select(LikelyDuplicate).where(LikelyDuplicate.kind == kind))}


def _key(a, b) -> tuple[int, int]:
    return (min(a.id, b.id), max(a.id, b.id))


def test_the_sweep_pairs_likely_people_and_ranks_them(world):
    duplicates.sweep(duplicates.CONTACT)
    pairs = _pairs(duplicates.CONTACT)
    ana, jo, mo = (pairs[_key(world[k], world[f"{k}2"])] for k in ("ana", "jo", "mo"))
    assert "same email" in ana.reason and ana.score >= 95
    assert jo.reason == "similar name, same organization" and 60 <= jo.score < 90
    assert mo.reason == "same name" and mo.score < jo.score
    assert "same phone" in pairs[_key(world["x"], world["y"])].reason
    assert pairs[_key(world["x"], world["y"])].score < jo.score  # unalike names
    desk = [p for p in pairs.values() if "same email" in p.reason and p is not ana]
    assert desk == []  # a shared mailbox says nothing about identity


def test_the_sweep_pairs_likely_organizations(app):
    a = factories.make_organization(name="Riverbend Food Shelf", email="info@food.example")
    b = factories.make_organization(name="The Riverbend Food Shelf, Inc.")
    c = factories.make_organization(name="Riverbend Food Shelves")
    ward3 = factories.make_organization(name="Ward 3 Council Office")
    ward4 = factories.make_organization(name="Ward 4 Council Office")
    d = factories.make_organization(name="Ash County Health", email="INFO@food.example")
    db.session.commit()
    duplicates.sweep(duplicates.ORGANIZATION)
    pairs = _pairs(duplicates.ORGANIZATION)
    assert pairs[_key(a, b)].reason == "same name" and pairs[_key(a, b)].score == 90
    assert pairs[_key(a, c)].reason == "similar name"
    assert _key(ward3, ward4) not in pairs  # numbers must agree
    assert "same email" in pairs[_key(a, d)].reason


def test_a_dismissed_pair_stays_dismissed_and_archived_records_leave(as_liaison, world):
    duplicates.sweep(duplicates.CONTACT)
    db.session.commit()
    key = _key(world["jo"], world["jo2"])
    response = as_liaison.post("/people/duplicates/dismiss", headers={"HX-Request": "true"},
                               data={"kind": "contact", "low": key[0], "high": key[1]})
    assert response.status_code == 200
    assert "people-changed" in json.loads(response.headers["HX-Trigger"])
    assert "dup-dismissed" in response.get_data(as_text=True)
    duplicates.sweep(duplicates.CONTACT)
    db.session.commit()
    assert _pairs(duplicates.CONTACT)[key].dismissed_at is not None
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "contact.not_duplicate")).actor_id == as_liaison.user.id
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert f"pair-{key[0]}-{key[1]}" not in page
    archive_contact(world["mo2"], None)
    db.session.commit()
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert f"pair-{world['mo'].id}-{world['mo2'].id}" not in page


def test_the_page_ranks_and_leads_to_the_merge(as_liaison, world):
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert "Not looked for yet." in page and "Look for duplicates" in page
    response = as_liaison.post("/people/duplicates/sweep", data={"kind": "contact"})
    assert response.status_code == 303
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    ana, ana2 = world["ana"], world["ana2"]
    first = page.index("dup-pair")
    assert page.index(f"pair-{ana.id}-{ana2.id}") - first < 200  # the likeliest comes first
    assert f'href="/people/{ana.id}/merge?other={ana2.id}"' in page
    compare = as_liaison.get(f"/people/{ana.id}/merge?other={ana2.id}")
    assert compare.status_code == 200 and "Anna" in compare.get_data(as_text=True)
    assert "Last looked" in page


def test_merging_takes_the_pair_off_the_list(as_liaison, world):
    duplicates.sweep(duplicates.CONTACT)
    db.session.commit()
    ana, ana2 = world["ana"].id, world["ana2"].id
    assert f"pair-{ana}-{ana2}" in as_liaison.get("/people/duplicates").get_data(as_text=True)
    response = as_liaison.post(f"/people/{ana}/merge", data={
        "other": ana2, "keep": ana, "pick_first_name": ana, "pick_organization_id": ana})
    assert response.status_code == 303
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert f"pair-{ana}-{ana2}" not in page


def test_organizations_tab(as_liaison, app):
    a = factories.make_organization(name="Riverbend Food Shelf")
    b = factories.make_organization(name="Riverbend Food Shelf Inc")
    db.session.commit()
    as_liaison.post("/people/duplicates/sweep", data={"kind": "organization"})
    page = as_liaison.get("/people/duplicates?kind=organization").get_data(as_text=True)
    assert f'href="/people/organizations/{a.id}/merge?other={b.id}"' in page


def test_staff_cannot_see_or_change_the_list(as_staff, world):
    assert as_staff.get("/people/duplicates").status_code == 403
    assert as_staff.post("/people/duplicates/sweep", data={"kind": "contact"}
                         ).status_code == 403
    assert as_staff.post("/people/duplicates/dismiss", data={"kind": "contact", "low": 1,
                                                             "high": 2}).status_code == 403


def test_odd_dismissals_change_nothing(as_liaison, world):
    for data in ({}, {"kind": "nope", "low": "x", "high": "-1"},
                 {"kind": "contact", "low": "1", "high": "99999999999"}):
        response = as_liaison.post("/people/duplicates/dismiss", data=data)
        assert response.status_code == 303
    assert not db.session.scalars(select(LikelyDuplicate)).all()


def _word(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()[:10]


def test_page_queries_stay_constant_and_paginate(as_liaison, app):
    def cost() -> int:
        with count_queries() as n:
            response = as_liaison.get("/people/duplicates?page=2")
        assert response.status_code == 200
        return n()

    def twins(n: int, start: int) -> None:
        """n/2 people entered twice (the same name and email), at one organization."""
        org = factories.make_organization(name=f"Org {start}")
        factories.make_contacts(
            {"first_name": "Twin", "last_name": _word(start + i // 2),
             "organization_id": org.id, "emails": [f"twin{start + i // 2}@example.org"]}
            for i in range(n))
        db.session.commit()
        duplicates.sweep(duplicates.CONTACT)
        db.session.commit()

    twins(60, 0)
    small = cost()
    twins(600, 1000)
    assert cost() == small <= 12
    html = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert "330 likely pairs" in html and html.count('class="dup-pair card"') == 25


def test_the_sweep_never_compares_everyone_with_everyone(app, monkeypatch):
    """50 people of the same name at one organization: a block past the cap is skipped, so
    comparisons grow with the blocks, not with the square of the table."""
    org = factories.make_organization(name="Big Office")
    factories.make_contacts({"first_name": "Sam", "last_name": "Lee", "organization_id": org.id}
                            for _ in range(50))
    factories.make_contacts({"first_name": f"Unique{i}", "last_name": f"Person{i}"}
                            for i in range(400))
    db.session.commit()
    calls = []
    real = duplicates._similar
    monkeypatch.setattr(duplicates, "_similar", lambda a, b: calls.append(1) or real(a, b))
    duplicates.sweep(duplicates.CONTACT)
    assert len(calls) < 2000  # 450 contacts: everyone-with-everyone would be 101,025
    assert not _pairs(duplicates.CONTACT)  # 50 of one name is a common name, not a duplicate


def test_cli_finds_both_kinds(runner, world):
    result = runner.invoke(args=["people", "find-duplicates"])
    assert result.exit_code == 0
    assert "likely duplicate pairs of contacts" in result.output
    assert duplicates.swept_at(duplicates.ORGANIZATION) is not None


def test_the_page_says_how_many_changed_since_the_last_look(as_liaison, world, monkeypatch):
    """Counted up to the cap: after an import of thousands the page says "1,000+"."""
    from app.system import pagination

    duplicates.sweep(duplicates.CONTACT)
    db.session.commit()
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert "added or changed since" not in page
    for person in (world["ana"], world["ana2"]):
        person.title = "Changed after the look"
    db.session.commit()
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert "2 contacts added or changed since" in page
    monkeypatch.setattr(pagination, "COUNT_CAP", 1)
    page = as_liaison.get("/people/duplicates").get_data(as_text=True)
    assert "1+ contacts added or changed since" in page
