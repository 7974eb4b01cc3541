"""Due for contact, read one keep-in-touch class at a time (an index range each, so a page
costs its size): the same people, in the same order, as the rule says when checked contact by
contact; a bounded query gives the same first rows; the page counts up to a cap."""

from __future__ import annotations

import random
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import select, update

from app.database import utcnow
from app.extensions import db
from app.notes import services
from app.people.models import Contact, Stance
from app.system import pagination
from tests import factories

TODAY = date(2026, 6, 1)
LIAISON = SimpleNamespace(sees_sensitive=True)  # reads every note; `None` reads open ones only


def _expected(contacts: list[Contact], column: str = "last_contact_on") -> list[int]:
    """The rule, contact by contact: never logged, or waited at least their interval."""
    days = services.intervals()
    due = []
    for c in contacts:
        if c.archived_at is not None or c.do_not_contact:
            continue
        interval = c.keep_in_touch_days or (days["media"] if c.is_media else days[c.stance.value])
        last = getattr(c, column)
        if last is None or (TODAY - last).days >= interval:
            due.append(c)
    due.sort(key=lambda c: (getattr(c, column) is not None, getattr(c, column) or TODAY, c.id))
    return [c.id for c in due]


def _random_contacts(n: int, seed: int) -> list[Contact]:
    rng = random.Random(seed)
    rows = [{"stance": rng.choice(list(Stance)), "is_media": rng.random() < 0.2,
             "do_not_contact": rng.random() < 0.1,
             "keep_in_touch_days": rng.choice([None] * 6 + [1, 30, 200])} for _ in range(n)]
    people = factories.make_contacts(rows)
    for c in people:
        last = None if rng.random() < 0.1 else TODAY - timedelta(days=rng.randrange(0, 300))
        # What staff may know: no later than the last contact (a sensitive note may follow).
        opened = None if last is None or rng.random() < 0.2 \
            else last - timedelta(days=rng.choice([0, 0, 40]))
        archived = utcnow() if rng.random() < 0.1 else None
        db.session.execute(update(Contact).where(Contact.id == c.id)
                           .values(last_contact_on=last, last_open_contact_on=opened,
                                   archived_at=archived))
    db.session.commit()
    return list(db.session.scalars(select(Contact)))


def test_the_classes_find_exactly_who_the_rule_finds_in_order(app):
    contacts = _random_contacts(300, seed=7)
    expected = _expected(contacts)
    assert 20 < len(expected) < 280  # the data has both due and not-due people
    got = [c.id for c in db.session.scalars(services.due_for_contact_query(TODAY, LIAISON))]
    assert got == expected
    for bound in (1, 8, 25):
        first = db.session.scalars(
            services.due_for_contact_query(TODAY, LIAISON, bound).limit(bound))
        assert [c.id for c in first] == expected[:bound]
    # Staff: counted from the notes they may read.
    staff_expected = _expected(contacts, "last_open_contact_on")
    assert staff_expected != expected
    got = [c.id for c in db.session.scalars(services.due_for_contact_query(TODAY, None))]
    assert got == staff_expected
    services.save_intervals({**services.intervals(), "ally": 5, "media": 400}, None)
    got = [c.id for c in db.session.scalars(services.due_for_contact_query(TODAY, LIAISON))]
    assert got == _expected(contacts)


def test_the_due_page_counts_up_to_a_cap_and_pages_on(app, as_liaison, monkeypatch):
    factories.make_contacts({"first_name": f"Never{i}"} for i in range(60))
    db.session.commit()
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    from app.notes import routes

    monkeypatch.setattr(routes, "COUNT_CAP", 10)
    page = as_liaison.get("/notes/due").get_data(as_text=True)
    assert "35+ people due" in page and "or more" in page  # 25 on the page + 10 counted
    last = as_liaison.get("/notes/due?page=3").get_data(as_text=True)
    assert "60 people due" in last and "Page 3 of 3<" in last
