"""The demo story's coalitions: the five bodies the guidance names, with members, a renewal
due soon, one overdue, deadlines and alignment evidence; `scale` builds coalitions in bulk."""

from __future__ import annotations

from sqlalchemy import func, select

from app.coalitions import alignment, queries
from app.coalitions.models import (
    Coalition,
    CoalitionMember,
    Deadline,
    Membership,
    Role,
    coalition_commitments,
    coalition_notes,
)
from app.events import services as events
from app.extensions import db
from app.settings.clock import today
from app.system.demo import load_demo, load_scale


def test_demo_story(app):
    load_demo()
    db.session.commit()
    coalitions = {c.name: c for c in db.session.scalars(select(Coalition))}
    assert set(coalitions) == {
        "Riverbend Harm Reduction Coalition", "Ash County Overdose Task Force",
        "State Public Health Association", "National Harm Reduction Network",
        "Drug Policy Reform Network"}
    roles = {m.coalition_id: m.role for m in db.session.scalars(select(Membership))}
    assert roles[coalitions["Riverbend Harm Reduction Coalition"].id] == Role.lead
    assert roles[coalitions["Drug Policy Reform Network"].id] == Role.prospective
    assert db.session.scalar(select(func.count()).select_from(CoalitionMember)) >= 10
    assert db.session.scalar(select(func.count()).select_from(Deadline)) == 3

    day = today()
    renewals = [i for i in queries.due_items(day) if i.kind == "renewal"]
    assert [i.overdue(day) for i in renewals] == [True, False]  # one overdue, one due soon
    assert alignment.partner_page({}, 1)[0][0].name == "Drug Policy Reform Network"
    task_force = coalitions["Ash County Overdose Task Force"]
    assert [e.title for e in events.events_among(queries.linked_event_ids(task_force))] == [
        "County overdose prevention coalition"]
    assert db.session.scalar(select(func.count()).select_from(coalition_notes)) == 1
    assert db.session.scalar(select(func.count()).select_from(coalition_commitments)) == 1
    assert alignment.summary_of(
        coalition_id=coalitions["Riverbend Harm Reduction Coalition"].id).label \
        == "Strongly aligned"


def test_demo_pages_render(app, as_liaison, as_staff):
    load_demo()
    db.session.commit()
    ids = db.session.scalars(select(Coalition.id)).all()
    for client in (as_liaison, as_staff):
        for url in ["/coalitions/", "/coalitions/partners", "/coalitions/due", "/",
                    *(f"/coalitions/{i}" for i in ids)]:
            assert client.get(url).status_code == 200, url


def test_scale_builds_coalitions(app):
    counts = load_scale(1000)
    db.session.commit()
    assert counts["coalitions"] == 2
    assert db.session.scalar(select(func.count()).select_from(CoalitionMember)) == 40
