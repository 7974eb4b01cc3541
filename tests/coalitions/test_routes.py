"""Coalition pages: adding and editing coalitions, members, our membership (renew, let
lapse), deadlines, alignment; who may do what; bad input answers 422 beside the field and
writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.coalitions.models import (
    Alignment,
    Coalition,
    CoalitionMember,
    Deadline,
    Membership,
    Outcome,
    Rating,
    Role,
)
from app.extensions import db
from app.settings.clock import today
from tests import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _panel(client) -> str:
    """The dashboard's coalitions panel, as htmx loads it into the dashboard."""
    dashboard = client.get("/").get_data(as_text=True)
    assert 'hx-get="/coalitions/due?few=1"' in dashboard
    response = client.get("/coalitions/due?few=1", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    return response.get_data(as_text=True)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


GOOD = {"name": "Riverbend Harm Reduction Coalition", "kind": "coalition", "scope": "local",
        "sphere": "social_services", "website": "https://rhrc.example",
        "meeting_cadence": "Second Tuesdays", "description": "Providers and neighbors.",
        "organization_id": "0"}


def test_add_a_coalition_then_see_and_edit_it(as_liaison, orgs):
    response = as_liaison.post("/coalitions/new", data={**GOOD, "organization_id": "0"})
    assert response.status_code == 303
    coalition = db.session.scalar(select(Coalition))
    assert response.headers["Location"] == f"/coalitions/{coalition.id}"
    assert (coalition.name, coalition.kind.value, coalition.website) == (
        GOOD["name"], "coalition", "https://rhrc.example")
    page = as_liaison.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert GOOD["name"] in page and "Second Tuesdays" in page
    assert "We are not recorded as part of this body." in page

    # Linking an organization record that is not of type coalition is refused.
    refused = as_liaison.post(f"/coalitions/{coalition.id}/edit",
                              data={**GOOD, "organization_id": str(orgs[0].id)})
    assert refused.status_code == 422
    assert "Choose an organization from the list." in refused.get_data(as_text=True)
    record = factories.make_organization(name="RHRC (the org)", type="coalition")
    db.session.commit()
    saved = as_liaison.post(f"/coalitions/{coalition.id}/edit",
                            data={**GOOD, "name": "RHRC", "organization_id": str(record.id)})
    assert saved.status_code == 303
    db.session.refresh(coalition)
    assert (coalition.name, coalition.organization_id) == ("RHRC", record.id)
    assert [a for a in _actions() if a.startswith("coalition.")] == [
        "coalition.create", "coalition.edit"]


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Name the coalition or body."),
    ("name", "x" * 201, "Field cannot be longer than 200 characters."),
    ("website", "not a url", "Enter a web address"),
    ("website", "javascript:alert(1)", "Enter a web address"),
    ("website", "ftp://files.example/x", "starting with https://"),
    ("description", "x" * 5001, "Field cannot be longer than 5000 characters."),
    ("kind", "cabal", "Not a valid choice."),
    ("scope", "galactic", "Not a valid choice."),
    ("organization_id", "99999999999999999999", "Choose an organization from the list."),
    ("organization_id", "seven", "Choose an organization from the list."),
])
def test_bad_coalition_input_is_422_beside_the_field(as_liaison, field, value, message):
    response = as_liaison.post("/coalitions/new", data={**GOOD, field: value})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert f'id="{field}-error"' in body
    assert _count(Coalition) == 0


def test_nul_and_control_characters_are_never_stored(as_liaison):
    response = as_liaison.post("/coalitions/new", data={
        **GOOD, "name": " Null\x00 Coalition\x07 ", "description": "line one\r\nline\x00 two"})
    assert response.status_code == 303
    coalition = db.session.scalar(select(Coalition))
    assert coalition.name == "Null Coalition"
    assert coalition.description == "line one\nline two"


def test_staff_read_but_do_not_edit_and_never_see_dues(as_staff, as_liaison, orgs):
    coalition = factories.make_coalition(members=orgs[:2], membership={
        "role": Role.member, "dues_cents": 25000, "dues_period": "year",
        "renewal_on": today() + timedelta(days=100)})
    db.session.commit()
    for url in ("/coalitions/", f"/coalitions/{coalition.id}", "/coalitions/partners",
                "/coalitions/due"):
        assert as_staff.get(url).status_code == 200, url
    staff_page = as_staff.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert "Eastside Clinic" in staff_page and "Member" in staff_page
    assert "$250" not in staff_page and "Dues" not in staff_page
    assert "Record alignment" not in staff_page
    liaison_page = as_liaison.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert "$250.00 a year" in liaison_page
    for url in ("/coalitions/new", f"/coalitions/{coalition.id}/edit",
                f"/coalitions/{coalition.id}/members", f"/coalitions/{coalition.id}/membership",
                f"/coalitions/{coalition.id}/membership/renew",
                f"/coalitions/{coalition.id}/membership/lapse",
                f"/coalitions/{coalition.id}/deadlines/new",
                f"/coalitions/{coalition.id}/alignment",
                f"/coalitions/organizations/{orgs[0].id}/alignment"):
        assert as_staff.get(url).status_code == 403, url
        assert as_staff.post(url, data={}).status_code == 403, url
    assert as_staff.post(f"/coalitions/{coalition.id}/delete").status_code == 403
    assert as_staff.get("/coalitions/99999").status_code == 404
    assert as_staff.get("/coalitions/99999999999999999999").status_code == 404


def test_add_members_by_search_then_edit_and_remove(as_liaison, orgs):
    coalition = factories.make_coalition()
    person = factories.make_contact(first_name="Maya", last_name="Castillo",
                                    organization_id=orgs[0].id)
    db.session.commit()
    found = as_liaison.get(f"/coalitions/{coalition.id}/members?find=clinic",
                           headers={"HX-Request": "true"})
    assert found.status_code == 200
    fragment = found.get_data(as_text=True)
    assert "<html" not in fragment and "Eastside Clinic" in fragment
    assert "Open Door Housing" not in fragment
    assert found.headers["Vary"] == "HX-Request" or "HX-Request" in found.headers["Vary"]

    nothing = as_liaison.post(f"/coalitions/{coalition.id}/members", data={})
    assert nothing.status_code == 422
    assert "Tick at least one organization to add." in nothing.get_data(as_text=True)

    added = as_liaison.post(f"/coalitions/{coalition.id}/members", data={
        "organization_ids": [str(orgs[0].id), str(orgs[1].id), "99999"], "role": "member"})
    assert added.status_code == 303
    members = list(db.session.scalars(select(CoalitionMember).order_by(CoalitionMember.id)))
    assert [m.organization_id for m in members] == [orgs[0].id, orgs[1].id]
    again = as_liaison.post(f"/coalitions/{coalition.id}/members",
                            data={"organization_ids": [str(orgs[0].id)]})
    assert again.status_code == 422  # already a member: nothing added twice
    assert _count(CoalitionMember) == 2

    page = as_liaison.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert "stance-ally" in page and "stance-champion" in page  # their stance is shown

    member = members[0]
    outsider = factories.make_contact(first_name="Not", last_name="Here")
    db.session.commit()
    refused = as_liaison.post(f"/coalitions/{coalition.id}/members/{member.id}",
                              data={"role": "co-chair", "contact_id": str(outsider.id)})
    assert refused.status_code == 422
    assert "Choose one of the organization&#39;s people." in refused.get_data(as_text=True)
    bad_date = as_liaison.post(f"/coalitions/{coalition.id}/members/{member.id}",
                               data={"role": "co-chair", "joined_on": "2026-02-30"})
    assert bad_date.status_code == 422
    saved = as_liaison.post(f"/coalitions/{coalition.id}/members/{member.id}", data={
        "role": "co-chair", "contact_id": str(person.id), "joined_on": "2024-05-01"})
    assert saved.status_code == 303
    db.session.refresh(member)
    assert (member.role, member.contact_id, str(member.joined_on)) == (
        "co-chair", person.id, "2024-05-01")

    other = factories.make_coalition()
    db.session.commit()
    assert as_liaison.post(f"/coalitions/{other.id}/members/{member.id}/remove").status_code \
        == 404  # a member row of another coalition
    removed = as_liaison.post(f"/coalitions/{coalition.id}/members/{member.id}/remove")
    assert removed.status_code == 303
    assert _count(CoalitionMember) == 1
    assert "coalition.member_remove" in _actions()


MEMBERSHIP = {"role": "member", "representative_id": "0", "since": "2023-01-15",
              "dues": "250.00", "dues_period": "year", "paid_through": "2026-12-31",
              "renewal_on": ""}


@pytest.mark.parametrize("field, value, message", [
    ("dues", "abc", "Not a valid decimal value"),
    ("dues", "-5", "Enter an amount from 0 to 1,000,000."),
    ("dues", "1e400", "Enter an amount from 0 to 1,000,000."),
    ("dues", "NaN", "Enter an amount from 0 to 1,000,000."),
    ("dues", "Infinity", "Enter an amount from 0 to 1,000,000."),
    ("dues", "12.345", "Enter an amount in dollars and cents."),
    ("dues_period", "", "Say what the dues cover."),
    ("since", "yesterday", "Not a valid date value."),
    ("since", "0999-01-01", "Enter a date between 1900 and 2199."),
    ("renewal_on", "2026-13-01", "Not a valid date value."),
    ("paid_through", "99999-01-01", "Not a valid date value."),
    ("role", "overlord", "Not a valid choice."),
    ("representative_id", "424242", "Choose someone from the list."),
])
def test_bad_membership_input_is_422_and_writes_nothing(as_liaison, field, value, message):
    coalition = factories.make_coalition()
    db.session.commit()
    response = as_liaison.post(f"/coalitions/{coalition.id}/membership",
                               data={**MEMBERSHIP, field: value})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and f'id="{field}-error"' in body
    assert _count(Membership) == 0


def test_membership_renewal_overdue_until_renewed(as_liaison, as_staff):
    coalition = factories.make_coalition(name="Ash County Task Force")
    db.session.commit()
    day = today()
    saved = as_liaison.post(f"/coalitions/{coalition.id}/membership", data={
        **MEMBERSHIP, "representative_id": str(as_liaison.user.id),
        "renewal_on": (day - timedelta(days=3)).isoformat()})
    assert saved.status_code == 303
    membership = db.session.scalar(select(Membership))
    assert (membership.dues_cents, membership.representative_id) == (25000, as_liaison.user.id)

    # Passed: overdue on its page and on the dashboard, for everyone who can read it.
    for client in (as_liaison, as_staff):
        page = client.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
        assert "Renewal overdue" in page and "is overdue" in page
        dashboard = _panel(client)
        assert "Renew membership of Ash County Task Force" in dashboard
        assert "Overdue" in dashboard

    form = as_liaison.get(f"/coalitions/{coalition.id}/membership/renew")
    assert form.status_code == 200
    assert (day + timedelta(days=300)).isoformat()[:4] in form.get_data(as_text=True)
    past = as_liaison.post(f"/coalitions/{coalition.id}/membership/renew",
                           data={"renewal_on": day.isoformat()})
    assert past.status_code == 422
    assert "The next renewal date should be after today." in past.get_data(as_text=True)
    missing = as_liaison.post(f"/coalitions/{coalition.id}/membership/renew", data={})
    assert missing.status_code == 422
    assert "Enter a date" in missing.get_data(as_text=True)
    next_year = day + timedelta(days=365)
    renewed = as_liaison.post(f"/coalitions/{coalition.id}/membership/renew",
                              data={"renewal_on": next_year.isoformat(),
                                    "paid_through": next_year.isoformat()})
    assert renewed.status_code == 303
    db.session.refresh(membership)
    assert (membership.renewal_on, membership.renewed_on) == (next_year, day)
    assert "Renew membership of" not in _panel(as_liaison)
    assert _actions()[-1] == "membership.renew"


def test_let_lapse_needs_a_reason_and_stops_the_reminders(as_liaison):
    coalition = factories.make_coalition(name="Old Network", membership={
        "role": Role.member, "renewal_on": today() - timedelta(days=40)})
    db.session.commit()
    assert "Old Network" in as_liaison.get("/coalitions/due").get_data(as_text=True)
    blank = as_liaison.post(f"/coalitions/{coalition.id}/membership/lapse",
                            data={"reason": "   "})
    assert blank.status_code == 422
    assert "Say why, so nobody wonders later." in blank.get_data(as_text=True)
    huge = as_liaison.post(f"/coalitions/{coalition.id}/membership/lapse",
                           data={"reason": "x" * 501})
    assert huge.status_code == 422
    done = as_liaison.post(f"/coalitions/{coalition.id}/membership/lapse",
                           data={"reason": "Budget cut; their focus moved away from us."})
    assert done.status_code == 303
    membership = db.session.scalar(select(Membership))
    assert membership.role == Role.former and membership.lapsed_on == today()
    assert "Old Network" not in as_liaison.get("/coalitions/due").get_data(as_text=True)
    page = as_liaison.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert "Budget cut" in page and "Let lapse" in page
    # Renewing a lapsed membership makes us members again.
    as_liaison.post(f"/coalitions/{coalition.id}/membership/renew",
                    data={"renewal_on": (today() + timedelta(days=30)).isoformat()})
    db.session.refresh(membership)
    assert (membership.role, membership.lapsed_on, membership.lapse_reason) == (
        Role.member, None, "")


def test_renew_and_lapse_need_a_membership(as_liaison):
    coalition = factories.make_coalition()
    db.session.commit()
    assert as_liaison.get(f"/coalitions/{coalition.id}/membership/renew").status_code == 404
    assert as_liaison.post(f"/coalitions/{coalition.id}/membership/lapse",
                           data={"reason": "x"}).status_code == 404


def test_the_panel_shows_the_first_few(as_staff):
    for i in range(10):
        factories.make_coalition(name=f"Body {i:02d}", membership={
            "role": Role.member, "renewal_on": today() + timedelta(days=i)})
    db.session.commit()
    panel = _panel(as_staff)
    assert panel.count('id="due-renewal-') == 8 and "see them all" in panel
    assert "Body 07" in panel and "Body 08" not in panel
    assert as_staff.get("/coalitions/due").text.count('id="due-renewal-') == 10
    assert "Nothing due" in as_staff.get("/coalitions/due?mine=1").text


def test_deadlines_add_close_reopen_delete(as_liaison):
    coalition = factories.make_coalition(name="State Public Health Association")
    db.session.commit()
    url = f"/coalitions/{coalition.id}/deadlines/new"
    for data, message in [({"title": "", "due_on": "2026-05-01"}, "Say what is due."),
                          ({"title": "Abstract", "due_on": ""}, "Enter a date"),
                          ({"title": "Abstract", "due_on": "2026-02-31"}, "Not a valid date"),
                          ({"title": "Abstract", "due_on": "2026-05-01", "notes": "x" * 5001},
                           "cannot be longer than 5000"),
                          ({"title": "x" * 201, "due_on": "2026-05-01"}, "longer than 200")]:
        bad = as_liaison.post(url, data={"kind": "abstract", **data})
        assert bad.status_code == 422 and message in bad.get_data(as_text=True), data
    assert _count(Deadline) == 0
    soon = today() + timedelta(days=10)
    assert as_liaison.post(url, data={"title": "Conference abstract", "kind": "abstract",
                                      "due_on": soon.isoformat(), "notes": "300 words"}
                           ).status_code == 303
    deadline = db.session.scalar(select(Deadline))
    assert "Conference abstract" in _panel(as_liaison)
    close = f"/coalitions/{coalition.id}/deadlines/{deadline.id}/close"
    assert as_liaison.post(close, data={"outcome": "bogus"}).status_code == 303
    db.session.refresh(deadline)
    assert deadline.outcome is None
    as_liaison.post(close, data={"outcome": "done"})
    db.session.refresh(deadline)
    assert (deadline.outcome, deadline.closed_on) == (Outcome.done, today())
    assert f"due-deadline-{deadline.id}" not in as_liaison.get("/coalitions/due").get_data(
        as_text=True)
    as_liaison.post(close, data={"outcome": "open"})
    db.session.refresh(deadline)
    assert deadline.outcome is None
    assert as_liaison.post(f"/coalitions/{coalition.id}/deadlines/{deadline.id}/delete"
                           ).status_code == 303
    assert _count(Deadline) == 0
    assert [a for a in _actions() if a.startswith("coalition.deadline")] == [
        "coalition.deadline_add", "coalition.deadline_close", "coalition.deadline_reopen",
        "coalition.deadline_delete"]


def test_alignment_of_a_coalition_and_an_organization(as_liaison, values, orgs):
    coalition = factories.make_coalition(name="Drug Policy Reform Network")
    db.session.commit()
    first, second, third = values[:3]
    data = {f"rating_{v.id}": "unknown" for v in values}
    data.update({f"rating_{first.id}": "aligned", f"evidence_{first.id}": "Said so at council",
                 f"observed_{first.id}": "2026-01-10", f"rating_{second.id}": "aligned",
                 f"rating_{third.id}": "partly"})
    bad = as_liaison.post(f"/coalitions/{coalition.id}/alignment",
                          data={**data, f"observed_{first.id}": "2026-02-30",
                                f"evidence_{second.id}": "x" * 2001,
                                f"rating_{third.id}": "adores"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert f'id="observed_{first.id}-error"' in body
    assert f'id="evidence_{second.id}-error"' in body
    assert f'id="rating_{third.id}-error"' in body
    assert _count(Alignment) == 0

    assert as_liaison.post(f"/coalitions/{coalition.id}/alignment", data=data).status_code \
        == 303
    rows = {a.value_id: a for a in db.session.scalars(select(Alignment))}
    assert set(rows) == {first.id, second.id, third.id}  # unknown without evidence: no row
    assert rows[first.id].rating == Rating.aligned
    assert str(rows[first.id].observed_on) == "2026-01-10"
    page = as_liaison.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert "Strongly aligned" in page and "Said so at council" in page
    # Saving the same again changes nothing and records nothing.
    audits = _count(AuditEvent)
    as_liaison.post(f"/coalitions/{coalition.id}/alignment", data=data)
    assert _count(AuditEvent) == audits

    org = orgs[2]
    data = {f"rating_{v.id}": "unknown" for v in values}
    data.update({f"rating_{first.id}": "conflicts",
                 f"evidence_{first.id}": "Flyer called participants a danger"})
    saved = as_liaison.post(f"/coalitions/organizations/{org.id}/alignment", data=data)
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/people/organizations/{org.id}"
    row = db.session.scalar(select(Alignment).where(Alignment.organization_id == org.id))
    assert (row.rating, row.coalition_id) == (Rating.conflicts, None)
    assert _actions()[-1] == "alignment.organization"


def test_search_and_filters(as_staff):
    factories.make_coalition(name="Ash County Overdose Task Force", kind="working_group",
                             scope="regional", membership={"role": Role.member})
    factories.make_coalition(name="National Harm Reduction Network", kind="national_network",
                             scope="national", description="Syringe services programs",
                             membership={"role": Role.prospective})
    factories.make_coalition(name="100% Percent Club")
    db.session.commit()

    def names(query: str) -> list[str]:
        response = as_staff.get(f"/coalitions/?{query}", headers={"HX-Request": "true"})
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "<html" not in body
        return [n for n in ("Ash County", "National Harm", "Percent Club") if n in body]

    assert names("") == ["Ash County", "National Harm", "Percent Club"]
    assert names("q=syringe") == ["National Harm"]
    assert names("q=overdose+ash") == ["Ash County"]
    assert names("q=%25") == ["Percent Club"]  # LIKE wildcards are escaped
    assert names("q=_") == []
    assert names("kind=working_group") == ["Ash County"]
    assert names("scope=national") == ["National Harm"]
    assert names("role=ours") == ["Ash County"]
    assert names("role=prospective") == ["National Harm"]
    assert names("role=none") == ["Percent Club"]
    assert names("kind=nonsense&scope=%01&page=-4") == ["Ash County", "National Harm",
                                                         "Percent Club"]
    full = as_staff.get("/coalitions/?q=syringe")
    assert "<html" in full.get_data(as_text=True)


def test_delete_a_coalition_keeps_organizations(as_liaison, orgs):
    coalition = factories.make_coalition(members=orgs, membership={"role": Role.lead})
    db.session.commit()
    assert as_liaison.post(f"/coalitions/{coalition.id}/delete").status_code == 303
    assert _count(Coalition) == _count(CoalitionMember) == _count(Membership) == 0
    assert len(orgs) == 3 and all(db.session.get(type(o), o.id) for o in orgs)
    assert _actions()[-1] == "coalition.delete"
