"""Coalitions' answers to the people lifecycle: memberships, coalition records, values
alignment and member representatives move on a merge, are counted for a delete or merge,
and keep an imported contact or organization from an undo."""

from __future__ import annotations

from sqlalchemy import Select, func, select, update

from app.coalitions.models import Alignment, Coalition, CoalitionMember, Rating
from app.extensions import db
from app.people import lifecycle
from app.people.lifecycle import Count, LinkedIds
from app.system.words import plural


def _move_members(keep_id: int, other_id: int) -> None:
    """The duplicate's memberships become `keep`'s. Where both belonged to one coalition,
    one row stays (keep's), taking what only the duplicate's knew (role, representative,
    date joined)."""
    rows = list(db.session.scalars(select(CoalitionMember).where(
        CoalitionMember.organization_id.in_((keep_id, other_id)))))
    kept = {r.coalition_id: r for r in rows if r.organization_id == keep_id}
    for row in rows:
        if row.organization_id != other_id or row.coalition_id not in kept:
            continue
        mine = kept[row.coalition_id]
        mine.role = mine.role or row.role
        mine.contact_id = mine.contact_id or row.contact_id
        mine.joined_on = min(filter(None, (mine.joined_on, row.joined_on)), default=None)
        db.session.delete(row)
    db.session.flush()  # (coalition, organization) is unique: the duplicates go first
    db.session.execute(update(CoalitionMember).where(CoalitionMember.organization_id == other_id)
                       .values(organization_id=keep_id))


def _better(a: Alignment, b: Alignment) -> Alignment:
    """Of two ratings of one value: a known rating beats "not yet known", then the more
    recent evidence, then the first (the kept record's)."""
    def rank(row: Alignment):
        return (row.rating != Rating.unknown, row.observed_on is not None,
                row.observed_on or row.updated_at.date())
    return b if rank(b) > rank(a) else a


def _move_alignment(keep_id: int, other_id: int) -> None:
    rows = list(db.session.scalars(select(Alignment).where(
        Alignment.organization_id.in_((keep_id, other_id))).order_by(Alignment.id)))
    by_value: dict[int, list[Alignment]] = {}
    for row in rows:
        by_value.setdefault(row.value_id, []).append(row)
    for pair in by_value.values():
        if len(pair) < 2:
            continue
        mine = next(r for r in pair if r.organization_id == keep_id)
        theirs = next(r for r in pair if r.organization_id == other_id)
        if _better(mine, theirs) is theirs:
            mine.rating, mine.evidence, mine.observed_on = (
                theirs.rating, theirs.evidence, theirs.observed_on)
            mine.updated_by_id = theirs.updated_by_id
        db.session.delete(theirs)
    db.session.flush()  # (organization, value) is unique
    db.session.execute(update(Alignment).where(Alignment.organization_id == other_id)
                       .values(organization_id=keep_id))


def organization_merged(keep, *, other, **_) -> None:
    """The duplicate's coalition memberships, the coalitions it is the record of, and its
    values alignment now belong to `keep`."""
    _move_members(keep.id, other.id)
    db.session.execute(update(Coalition).where(Coalition.organization_id == other.id)
                       .values(organization_id=keep.id))
    _move_alignment(keep.id, other.id)


def contact_merged(keep, *, other, **_) -> None:
    """Where the duplicate represented their organization at a coalition, `keep` does."""
    db.session.execute(update(CoalitionMember).where(CoalitionMember.contact_id == other.id)
                       .values(contact_id=keep.id))


def organization_links(org, **_) -> list[Count]:
    """ "member of 2 coalitions", "record of 1 coalition", "4 values assessed"."""
    return [Count(select(func.count()).select_from(CoalitionMember)
                  .where(CoalitionMember.organization_id == org.id).scalar_subquery(),
                  lambda n: f"member of {plural(n, 'coalition')}"),
            Count(select(func.count()).select_from(Coalition)
                  .where(Coalition.organization_id == org.id).scalar_subquery(),
                  lambda n: f"the record of {plural(n, 'coalition')}"),
            Count(select(func.count()).select_from(Alignment)
                  .where(Alignment.organization_id == org.id).scalar_subquery(),
                  lambda n: f"{plural(n, 'value')} assessed")]


def contact_links(contact, **_) -> list[Count]:
    """ "represents their organization at 1 coalition"."""
    return [Count(select(func.count()).select_from(CoalitionMember)
                  .where(CoalitionMember.contact_id == contact.id).scalar_subquery(),
                  lambda n: f"represents their organization at {plural(n, 'coalition')}")]


def contact_ids_linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
    """Contacts among `among` who represent a member organization at a coalition."""
    return [LinkedIds("coalition representatives", select(CoalitionMember.contact_id)
                      .where(CoalitionMember.contact_id.in_(among)))]


def organization_ids_linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
    """Organizations among `among` that belong to a coalition, are one's record, or have
    their values alignment recorded."""
    return [
        LinkedIds("coalition memberships", select(CoalitionMember.organization_id)
                  .where(CoalitionMember.organization_id.in_(among))),
        LinkedIds("coalition records", select(Coalition.organization_id)
                  .where(Coalition.organization_id.in_(among))),
        LinkedIds("values alignment", select(Alignment.organization_id)
                  .where(Alignment.organization_id.in_(among))),
    ]


def connect() -> None:
    """Connect coalitions' receivers (from init_app; connecting twice is harmless)."""
    lifecycle.connect(lifecycle.contact_merged, contact_merged)
    lifecycle.connect(lifecycle.organization_merged, organization_merged)
    lifecycle.connect(lifecycle.contact_links, contact_links)
    lifecycle.connect(lifecycle.organization_links, organization_links)
    lifecycle.connect(lifecycle.contact_ids_linked, contact_ids_linked)
    lifecycle.connect(lifecycle.organization_ids_linked, organization_ids_linked)
