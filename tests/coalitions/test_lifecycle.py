"""Merging organizations and contacts keeps every membership, coalition record and value
assessment (one row where both had one); what links here names them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.coalitions import alignment, queries, services
from app.coalitions.models import Alignment, Coalition, CoalitionMember, Rating
from app.extensions import db
from app.people import lifecycle
from app.people.contacts import load_contact
from app.people.merge import merge_contacts, merge_organizations
from app.people.models import Organization
from tests import factories


def _rate(values, partner, ratings):
    alignment.save_alignment({values[i].id: alignment.Entry(r, text, day)
                              for i, (r, text, day) in ratings.items()}, None,
                             organization=partner)


def test_merging_organizations_keeps_every_membership_and_assessment(app, values):
    keep = factories.make_organization(name="Eastside Clinic")
    dup = factories.make_organization(name="East Side Clinic (duplicate)")
    rep = factories.make_contact(first_name="Maya", organization_id=dup.id)
    both = factories.make_coalition(name="Both", members=[keep, dup])
    only_dup = factories.make_coalition(name="Only the duplicate", members=[dup])
    record_of = factories.make_coalition(name="Dup is its record", organization_id=dup.id)
    dup_row = next(m for m in queries.members_page(both, 1, 10)[0] if m.organization_id == dup.id)
    services.update_member(dup_row, {"role": "co-chair", "contact_id": rep.id,
                                     "joined_on": date(2020, 5, 1)}, None)
    _rate(values, keep, {0: (Rating.unknown, "Asked; no answer yet", date(2026, 4, 1)),
                         1: (Rating.aligned, "Keep's newer word", date(2026, 3, 1))})
    _rate(values, dup, {0: (Rating.conflicts, "Dup's evidence", date(2025, 1, 1)),
                        1: (Rating.partly, "Dup's older word", date(2024, 1, 1)),
                        2: (Rating.aligned, "Only dup knew", date(2025, 6, 1))})
    db.session.commit()
    links = {link.text for link in lifecycle.links_to_organization(dup)}
    assert {"member of 2 coalitions", "the record of 1 coalition", "3 values assessed"} <= links

    merge_organizations(keep, dup, None)
    db.session.commit()

    members = {(m.coalition_id, m.organization_id): m
               for m in db.session.scalars(select(CoalitionMember))}
    assert set(members) == {(both.id, keep.id), (only_dup.id, keep.id)}
    merged = members[(both.id, keep.id)]
    assert (merged.role, merged.contact_id, merged.joined_on) == ("co-chair", rep.id,
                                                                  date(2020, 5, 1))
    assert db.session.get(Coalition, record_of.id).organization_id == keep.id
    rows = alignment.alignments_of(organization_id=keep.id)
    assert {v: (r.rating, r.evidence) for v, r in rows.items()} == {
        values[0].id: (Rating.conflicts, "Dup's evidence"),   # known beats not yet known
        values[1].id: (Rating.aligned, "Keep's newer word"),  # the newer evidence stays
        values[2].id: (Rating.aligned, "Only dup knew")}
    assert db.session.scalar(select(Alignment).where(Alignment.organization_id == dup.id)) \
        is None
    assert db.session.get(Organization, dup.id) is None


def test_merging_contacts_moves_who_represents_a_member(app):
    org = factories.make_organization(name="Open Door")
    keep = factories.make_contact(first_name="Jordan", organization_id=org.id)
    dup = factories.make_contact(first_name="Jordan B", organization_id=org.id)
    coalition = factories.make_coalition(members=[org])
    member = queries.members_page(coalition, 1, 1)[0][0]
    services.update_member(member, {"contact_id": dup.id}, None)
    db.session.commit()
    assert [link.text for link in lifecycle.links_to_contact(dup)] == [
        "represents their organization at 1 coalition"]
    merge_contacts(load_contact(keep.id), load_contact(dup.id), None)
    db.session.commit()
    db.session.refresh(member)
    assert member.contact_id == keep.id
    assert [(i.coalition.id, i.how) for i in queries.coalitions_of_contact(keep)] == [
        (coalition.id, "represents")]
