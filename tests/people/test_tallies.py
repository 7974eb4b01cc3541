"""The contact tallies (stance x influence counts the dashboard and stakeholder map read) stay
equal to counting the contacts, whatever writes them: the services, an import and its undo,
a merge, bulk SQL. Checked against a real GROUP BY after every step, on SQLite and
PostgreSQL (their triggers differ: per row, and per statement over transition tables)."""

from __future__ import annotations

import random

from sqlalchemy import func, select, text, update

from app.extensions import db
from app.people import imports
from app.people.contacts import (
    archive_contact,
    delete_contact,
    restore_contact,
    set_stance,
    update_contact,
)
from app.people.merge import merge_contacts
from app.people.models import Contact, ContactTally, Influence, Stance
from app.people.queries import stakeholder_counts, stance_counts
from tests import factories


def _counted() -> dict[tuple[str, str], int]:
    rows = db.session.execute(select(Contact.stance, Contact.influence, func.count())
                              .where(Contact.archived_at.is_(None))
                              .group_by(Contact.stance, Contact.influence))
    return {(str(s), str(i)): n for s, i, n in rows}


def _tallied() -> dict[tuple[str, str], int]:
    rows = db.session.execute(select(ContactTally.stance, ContactTally.influence, ContactTally.n))
    return {(str(s), str(i)): n for s, i, n in rows if n}


def _agree(step: str) -> None:
    db.session.flush()
    assert _tallied() == _counted(), step


def test_tallies_follow_every_way_contacts_change(app):
    rng = random.Random(12)
    admin = factories.make_user(role="admin")
    people = [factories.make_contact(stance=rng.choice(list(Stance)),
                                     influence=rng.choice(list(Influence))) for _ in range(12)]
    people += factories.make_contacts({"stance": rng.choice(list(Stance))} for _ in range(30))
    _agree("created one by one and in bulk")
    for contact in people[:10]:
        set_stance(contact, rng.choice(list(Stance)), rng.choice(list(Influence)), "moved",
                   admin)
        _agree("stance changed")
    archive_contact(people[0], admin)
    archive_contact(people[1], admin)
    _agree("archived")
    set_stance(people[1], Stance.champion, Influence.high, "while archived", admin)
    _agree("an archived contact's stance changed")
    restore_contact(people[1], admin)
    _agree("restored")
    delete_contact(people[2], admin)
    delete_contact(people[0], admin)  # archived: was not counted
    _agree("deleted")
    merge_contacts(people[3], people[4], admin)
    _agree("merged")
    data = factories.people._contact_data({"first_name": "Renamed", "stance": Stance.ally})
    update_contact(people[5], data, admin)
    _agree("edited")
    db.session.execute(update(Contact).where(Contact.id.in_([p.id for p in people[20:30]]))
                       .values(stance=Stance.skeptic, influence=Influence.low))
    _agree("bulk update")
    db.session.execute(text("UPDATE contacts SET title = 'Organizer'"))
    _agree("an update that moves nobody")
    db.session.commit()

    staged = imports.stage("people.csv", b"first_name,last_name,email,stance\n"
                           b"Ada,Okafor,ada@example.org,ally\nBo,Lin,bo@example.org,challenger\n"
                           b"Cy,Ng,cy@example.org,\n", admin)
    imports.map_columns(staged, staged.rows["fields"])
    imports.confirm(staged, admin)
    _agree("imported")
    imports.undo(staged, admin)
    _agree("import undone")
    db.session.commit()

    counted = _counted()
    assert stance_counts() == {Stance(s): sum(n for (s2, _), n in counted.items() if s2 == s)
                               for s in {s for s, _ in counted}}
    assert stakeholder_counts() == {(Influence(i), Stance(s)): n
                                    for (s, i), n in counted.items()}


def test_the_stakeholder_map_and_dashboard_read_the_tallies(app, as_liaison):
    factories.make_contacts([{"stance": Stance.ally, "influence": Influence.high}] * 3)
    factories.make_contacts([{"stance": Stance.challenger, "influence": Influence.low}] * 2)
    db.session.commit()
    page = as_liaison.get("/people/map").get_data(as_text=True)
    assert 'aria-label="3 high-influence, ally"' in page
    assert 'aria-label="2 low-influence, ' in page
    dashboard = as_liaison.get("/").get_data(as_text=True)
    assert "Where relationships stand" in dashboard
