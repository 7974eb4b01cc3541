"""The coalitions domain's reads and verbs without HTTP: alignment summaries, the partner
ranking, what is due, and a contact's and organization's coalitions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.coalitions import alignment, queries, services
from app.coalitions.alignment import Entry, Summary
from app.coalitions.models import Outcome, Rating, Role
from app.extensions import db
from app.people.models import Sphere, Stance
from app.settings.clock import today
from tests import factories


@pytest.mark.parametrize("summary, label", [
    (Summary(), "Not yet assessed"),
    (Summary(aligned=5, score=10), "Strongly aligned"),
    (Summary(aligned=3, partly=2, score=8), "Strongly aligned"),
    (Summary(aligned=2, partly=2, conflicts=1, score=4), "Mixed"),
    (Summary(aligned=1, partly=3, conflicts=0, score=5), "Mostly aligned"),
    (Summary(aligned=0, partly=3, score=3), "Partly aligned"),
    (Summary(aligned=1, conflicts=1, score=0), "Conflicts with our values"),
    (Summary(conflicts=2, score=-4), "Conflicts with our values"),
])
def test_summary_labels(summary, label):
    assert summary.label == label


def _rate(values, ratings: dict[int, Rating], **partner) -> None:
    alignment.save_alignment({values[i].id: Entry(r, f"evidence {i}", date(2026, 1, i + 1))
                              for i, r in ratings.items()}, None, **partner)


def test_summaries_many_at_once_and_one(app, values):
    a, b, c = (factories.make_coalition() for _ in range(3))
    _rate(values, {0: Rating.aligned, 1: Rating.aligned, 2: Rating.partly}, coalition=a)
    _rate(values, {0: Rating.conflicts, 1: Rating.unknown}, coalition=b)
    db.session.commit()
    found = alignment.summaries(coalition_ids=[a.id, b.id, c.id])
    assert found[a.id] == Summary(aligned=2, partly=1, conflicts=0, score=5)
    assert found[b.id] == Summary(conflicts=1, score=-2)
    assert c.id not in found
    assert alignment.summary_of(coalition_id=c.id) == alignment.NOT_ASSESSED
    with pytest.raises(ValueError):
        alignment.alignments_of()


def test_find_partners_ranks_by_alignment_then_stance(app, values):
    warm = factories.make_organization(name="Warm Clinic", stance=Stance.champion,
                                       sphere=Sphere.professional)
    cool = factories.make_organization(name="Cool Clinic", stance=Stance.skeptic,
                                       sphere=Sphere.professional)
    factories.make_organization(name="Ally Housing", stance=Stance.ally,
                                       sphere=Sphere.social_services)
    unknown = factories.make_organization(name="Never Heard Of", stance=Stance.unknown)
    opponent = factories.make_organization(name="Opponent", stance=Stance.challenger)
    conflicted = factories.make_organization(name="Conflicted", stance=Stance.neutral)
    fellow = factories.make_organization(name="Fellow Member", stance=Stance.champion)
    record = factories.make_organization(name="Network Record", stance=Stance.ally,
                                         type="coalition")
    ours = factories.make_coalition(name="Our Coalition", members=[fellow],
                                    membership={"role": Role.lead})
    prospect = factories.make_coalition(name="Prospect Network", organization_id=record.id,
                                        membership={"role": Role.prospective},
                                        sphere=Sphere.movement)
    former = factories.make_coalition(name="Former Body", membership={"role": Role.former})
    _rate(values, {0: Rating.aligned, 1: Rating.aligned}, organization=warm)
    _rate(values, {0: Rating.aligned, 1: Rating.aligned}, organization=cool)
    _rate(values, {0: Rating.aligned, 1: Rating.aligned, 2: Rating.aligned}, coalition=prospect)
    _rate(values, {0: Rating.conflicts}, coalition=former)
    _rate(values, {0: Rating.aligned}, organization=opponent)
    _rate(values, {0: Rating.aligned, 1: Rating.conflicts, 2: Rating.conflicts},
          organization=conflicted)
    _rate(values, {0: Rating.aligned, 1: Rating.aligned, 2: Rating.aligned}, coalition=ours)
    db.session.commit()

    rows, total = alignment.partner_page({}, 1)
    names = [r.name for r in rows]
    # Ours and our fellow member are not "partners to find"; the coalition's own record is
    # listed once, as the coalition; an unknown organization without evidence isn't listed,
    # nor are a challenging one and one whose conflicts outweigh its alignment.
    assert names == ["Prospect Network", "Warm Clinic", "Cool Clinic", "Ally Housing",
                     "Former Body"]
    assert total == 5
    top = rows[0]
    assert (top.kind, top.stance, top.role, top.summary.score) == (
        "coalition", Stance.ally, Role.prospective, 6)
    assert unknown.name not in names and ours.name not in names
    only = [r.name for r in alignment.partner_page({"sphere": "professional"}, 1)[0]]
    assert only == ["Warm Clinic", "Cool Clinic"]
    assert [r.name for r in alignment.partner_page({"show": "coalitions"}, 1)[0]] == [
        "Prospect Network", "Former Body"]
    assert [r.name for r in alignment.partner_page({"show": "organizations",
                                                    "sphere": "nonsense"}, 1)[0]] == [
        "Warm Clinic", "Cool Clinic", "Ally Housing"]
    assert alignment.partner_page({}, 99)[0] == []


def test_due_items_renewals_and_deadlines(app):
    day = today()
    rep = factories.make_user(name="Rep Person")
    other = factories.make_user(name="Other Person")
    soon = factories.make_coalition(name="Soon", membership={
        "role": Role.member, "renewal_on": day + timedelta(days=10),
        "representative_id": rep.id})
    factories.make_coalition(name="Later", membership={
        "role": Role.member, "renewal_on": day + timedelta(days=31)})
    overdue = factories.make_coalition(name="Overdue", membership={
        "role": Role.observer, "renewal_on": day - timedelta(days=100),
        "representative_id": other.id})
    factories.make_coalition(name="Prospect", membership={
        "role": Role.prospective, "renewal_on": day})
    lapsed = factories.make_coalition(name="Lapsed", membership={
        "role": Role.member, "renewal_on": day - timedelta(days=5)})
    services.let_lapse(lapsed, "No longer relevant", None)
    d1 = services.add_deadline(soon, {"title": "Abstract", "due_on": day + timedelta(days=30)},
                               None)
    d2 = services.add_deadline(soon, {"title": "Passed letter", "due_on": day - timedelta(1)},
                               None)
    done = services.add_deadline(soon, {"title": "Done one", "due_on": day}, None)
    services.close_deadline(done, Outcome.done, None)
    no_membership = factories.make_coalition(name="Unjoined")
    services.add_deadline(no_membership, {"title": "Far", "due_on": day + timedelta(90)}, None)
    services.add_deadline(no_membership, {"title": "Theirs", "due_on": day}, None)
    db.session.commit()

    items = queries.due_items(day)
    assert [(i.kind, i.title) for i in items] == [
        ("renewal", "Renew membership of Overdue"), ("deadline", "Passed letter"),
        ("deadline", "Theirs"), ("renewal", "Renew membership of Soon"),
        ("deadline", "Abstract")]
    assert items[0].overdue(day) and not items[-1].overdue(day)
    assert items[-1].days(day) == 30
    mine = queries.due_items(day, user=rep)
    assert [i.item_id for i in mine if i.kind == "deadline"] == [d2.id, d1.id]
    assert [i.coalition_id for i in mine] == [soon.id] * 3
    assert [i.coalition_id for i in queries.due_items(day, user=other)] == [overdue.id]


def test_a_contacts_and_an_organizations_coalitions(app):
    org = factories.make_organization(name="Eastside Clinic")
    record = factories.make_organization(name="Coalition Record", type="coalition")
    worker = factories.make_contact(first_name="Maya", organization_id=org.id)
    rep = factories.make_contact(first_name="Rep")  # no organization of their own
    factories.make_coalition(name="Alpha", members=[org])
    b = factories.make_coalition(name="Beta", organization_id=record.id, members=[org])
    factories.make_coalition(name="Gamma")
    m = queries.load_member(b, queries.members_page(b, 1, 10)[0][0].id)
    services.update_member(m, {"role": "chair", "contact_id": rep.id}, None)
    db.session.commit()

    of_org = queries.coalitions_of_organization(org.id)
    assert [(i.coalition.name, i.how) for i in of_org] == [("Alpha", "member"),
                                                          ("Beta", "member (chair)")]
    assert [(i.coalition.name, i.how) for i in queries.coalitions_of_organization(record.id)] \
        == [("Beta", "record")]
    assert [(i.coalition.name, i.how) for i in queries.coalitions_of_contact(worker)] == [
        ("Alpha", "through"), ("Beta", "through")]
    assert [(i.coalition.name, i.how) for i in queries.coalitions_of_contact(rep)] == [
        ("Beta", "represents")]
    invitees = set(db.session.scalars(queries.member_contact_ids(b.id)))
    assert invitees == {worker.id, rep.id}


def test_members_page_counts_and_pages(app):
    orgs = [factories.make_organization(name=f"Org {i:02d}") for i in range(5)]
    coalition = factories.make_coalition(members=orgs)
    db.session.commit()
    first, total = queries.members_page(coalition, 1, 2)
    assert total == 5 and [m.organization.name for m in first] == ["Org 00", "Org 01"]
    last, total = queries.members_page(coalition, 3, 2)
    assert total == 5 and [m.organization.name for m in last] == ["Org 04"]
    assert queries.members_page(coalition, 9, 2) == ([], 5)
