"""SQL statements per coalition page don't grow with the data: equal counts at 10 and 1,000
coalitions (and 1,000 members of one), and never more than 12."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from app.coalitions.models import Alignment, CoalitionMember, Deadline, Rating, Role
from app.database import utcnow
from app.extensions import db
from app.people.models import Organization, OrgType, Stance
from app.settings.clock import today
from app.settings.models import ProgramValue
from tests import factories
from tests.conftest import page_query_counts

PAGES = ["/", "/coalitions/", "/coalitions/?q=coalition", "/coalitions/?role=ours&kind=coalition",
         "/coalitions/?page=2", "/coalitions/{coalition}", "/coalitions/{coalition}?members_page=3",
         "/coalitions/partners", "/coalitions/partners?show=organizations&sphere=movement",
         "/coalitions/due", "/coalitions/due?mine=1"]
LIAISON_PAGES = ["/coalitions/new", "/coalitions/{coalition}/edit",
                 "/coalitions/{coalition}/members", "/coalitions/{coalition}/members?find=org",
                 "/coalitions/{coalition}/membership", "/coalitions/{coalition}/membership/renew",
                 "/coalitions/{coalition}/alignment", "/coalitions/{coalition}/deadlines/new",
                 "/coalitions/organizations/{org}/alignment",
                 "/coalitions/{coalition}/members/{member}"]


def _fill(n: int, user_id: int) -> dict:
    """n organizations and n coalitions (all with our membership, renewing within a month,
    a deadline and two alignment ratings); the first coalition has every organization as a
    member. Made in bulk, as the factories would one by one."""
    now, day = utcnow(), today()
    orgs = db.session.scalars(insert(Organization).returning(
        Organization.id, sort_by_parameter_order=True), [
        {"name": f"Org {i}", "type": OrgType.coalition if i % 5 == 0 else OrgType.clinic,
         "sphere": "movement", "stance": Stance.ally if i % 2 else Stance.unknown, "tags": "",
         "do_not_contact": False, "created_at": now, "updated_at": now}
        for i in range(n)]).all()
    org_rows = [db.session.get(Organization, i) for i in orgs[:1]]
    coalitions = factories.make_coalitions(
        {"name": f"Coalition {i}", "members": org_rows if i else [], "membership": {
            "role": Role.member, "representative_id": user_id, "dues_cents": 1000,
            "renewal_on": day + timedelta(days=i % 30)}} for i in range(n))
    first = coalitions[0]
    db.session.execute(insert(CoalitionMember), [
        {"coalition_id": first.id, "organization_id": o, "role": "", "created_at": now}
        for o in orgs])
    db.session.execute(insert(Deadline), [
        {"coalition_id": c.id, "title": "Abstract", "kind": "abstract", "notes": "",
         "due_on": day + timedelta(days=3), "created_at": now} for c in coalitions])
    values = list(db.session.scalars(select(ProgramValue.id).limit(2)))
    db.session.execute(insert(Alignment), [
        {"value_id": v, "coalition_id": c.id, "rating": Rating.aligned, "evidence": "",
         "updated_at": now} for c in coalitions for v in values]
        + [{"value_id": v, "organization_id": o, "rating": Rating.partly, "evidence": "",
            "updated_at": now} for o in orgs for v in values])
    db.session.commit()
    member = db.session.scalar(select(CoalitionMember.id)
                               .where(CoalitionMember.coalition_id == first.id).limit(1))
    return {"coalition": first.id, "org": orgs[0], "member": member}


@pytest.mark.parametrize("role", ["as_liaison", "as_staff"])
def test_query_counts_constant(request, role, values):
    client = request.getfixturevalue(role)
    pages = PAGES + (LIAISON_PAGES if role == "as_liaison" else [])
    small_ids = _fill(10, client.user.id)
    small = page_query_counts(client, pages, small_ids)
    big_ids = _fill(1000, client.user.id)
    big = page_query_counts(client, pages, big_ids)
    assert small == {p: big[p] for p in small}
    assert max(big.values()) <= 12, big
