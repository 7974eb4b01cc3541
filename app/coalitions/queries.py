"""Reads for the coalition pages: the list and its search, one coalition with its members,
what is due (renewals and deadlines), and a contact's or organization's coalitions. Each
is a fixed number of queries, whatever the number of coalitions or members."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.coalitions.models import (
    ACTIVE_ROLES,
    Coalition,
    CoalitionMember,
    Deadline,
    Kind,
    Membership,
    Role,
    Scope,
    coalition_commitments,
    coalition_events,
    coalition_notes,
)
from app.extensions import db
from app.people.models import Contact, Organization, Sphere

PAGE_SIZE = 25
DUE_WITHIN_DAYS = 30


def _enum_arg(cls, value):
    return cls(value) if value in cls.__members__ else None


def coalition_query(args: Mapping[str, str]) -> Select:
    """Coalitions matching the list's search box (name, what they're about, website) and
    filters (kind, scope, sphere, our role)."""
    query = select(Coalition)
    words = (args.get("q") or "").strip().lower()[:200]
    if words:
        for word in words.split()[:8]:
            query = query.where(or_(
                func.lower(Coalition.name).contains(word, autoescape=True),
                func.lower(Coalition.description).contains(word, autoescape=True),
                func.lower(Coalition.website).contains(word, autoescape=True)))
    for column, cls, key in ((Coalition.kind, Kind, "kind"), (Coalition.scope, Scope, "scope"),
                             (Coalition.sphere, Sphere, "sphere")):
        chosen = _enum_arg(cls, args.get(key, ""))
        if chosen is not None:
            query = query.where(column == chosen)
    role = args.get("role", "")
    if role == "ours":
        query = query.where(Coalition.id.in_(
            select(Membership.coalition_id).where(Membership.role.in_(ACTIVE_ROLES))))
    elif role == "none":
        query = query.where(Coalition.id.not_in(select(Membership.coalition_id)))
    elif role in Role.__members__:
        query = query.where(Coalition.id.in_(
            select(Membership.coalition_id).where(Membership.role == Role(role))))
    return query


@dataclass(frozen=True)
class Row:
    """A coalition as the list shows it."""

    coalition: Coalition
    members: int


def coalition_page(args: Mapping[str, str], page: int) -> tuple[list[Row], int]:
    """One page of the list (name order) with our membership and member counts, and the
    total: three queries."""
    query = coalition_query(args)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    members = (select(func.count()).where(CoalitionMember.coalition_id == Coalition.id)
               .correlate(Coalition).scalar_subquery())
    rows = db.session.execute(
        query.add_columns(members.label("members"))
        .options(joinedload(Coalition.membership).joinedload(Membership.representative))
        .order_by(Coalition.name, Coalition.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique().all()
    return [Row(c, n) for c, n in rows], total


def load_coalition(coalition_id: int) -> Coalition | None:
    """A coalition with its organization record and our membership (and representative)."""
    return db.session.scalar(
        select(Coalition).where(Coalition.id == coalition_id).options(
            joinedload(Coalition.organization),
            joinedload(Coalition.membership).joinedload(Membership.representative)))


def members_page(coalition: Coalition, page: int,
                 size: int) -> tuple[list[CoalitionMember], int]:
    """One page of member organizations (with stance and representative) by name, and how
    many there are in all (two queries)."""
    total = db.session.scalar(select(func.count()).where(
        CoalitionMember.coalition_id == coalition.id)) or 0
    rows = list(db.session.scalars(
        select(CoalitionMember).join(CoalitionMember.organization)
        .where(CoalitionMember.coalition_id == coalition.id)
        .options(joinedload(CoalitionMember.organization), joinedload(CoalitionMember.contact))
        .order_by(Organization.name, CoalitionMember.id)
        .limit(size).offset((page - 1) * size)))
    return rows, total


def load_member(coalition: Coalition, member_id: int) -> CoalitionMember | None:
    """One member row of this coalition, with its organization."""
    return db.session.scalar(
        select(CoalitionMember).where(CoalitionMember.id == member_id,
                                      CoalitionMember.coalition_id == coalition.id)
        .options(joinedload(CoalitionMember.organization), joinedload(CoalitionMember.contact)))


def load_deadline(coalition: Coalition, deadline_id: int) -> Deadline | None:
    return db.session.scalar(select(Deadline).where(Deadline.id == deadline_id,
                                                    Deadline.coalition_id == coalition.id))


def deadlines_of(coalition: Coalition) -> list[Deadline]:
    """Open deadlines first (soonest first), then the closed ones, most recent first."""
    return list(db.session.scalars(
        select(Deadline).where(Deadline.coalition_id == coalition.id)
        .order_by(Deadline.outcome.is_not(None), Deadline.due_on, Deadline.id).limit(200)))


def member_candidates(coalition: Coalition, words: str, limit: int = 30) -> list[Organization]:
    """Organizations that could join the members: not members yet, matching the name
    typed (or the most recently changed ones when nothing is typed)."""
    query = select(Organization).where(
        Organization.archived_at.is_(None),
        Organization.id.not_in(select(CoalitionMember.organization_id).where(
            CoalitionMember.coalition_id == coalition.id)))
    if coalition.organization_id:
        query = query.where(Organization.id != coalition.organization_id)
    words = words.strip().lower()[:200]
    if words:
        for word in words.split()[:8]:
            query = query.where(func.lower(Organization.name).contains(word, autoescape=True))
        query = query.order_by(Organization.name, Organization.id)
    else:
        query = query.order_by(Organization.updated_at.desc(), Organization.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def people_of(organization_id: int, limit: int = 200) -> list[tuple[int, str]]:
    """An organization's active people, for picking its representative."""
    rows = db.session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name)
        .where(Contact.organization_id == organization_id, Contact.archived_at.is_(None))
        .order_by(Contact.sort_name).limit(limit))
    return [(i, f"{first} {last}".strip()) for i, first, last in rows]


def member_contact_ids(coalition_id: int) -> Select:
    """A SELECT of the ids of every active person at the coalition's member organizations
    (and their named representatives): the invite builder's "coalition" group."""
    member_orgs = select(CoalitionMember.organization_id).where(
        CoalitionMember.coalition_id == coalition_id)
    return select(Contact.id).where(
        Contact.archived_at.is_(None),
        or_(Contact.organization_id.in_(member_orgs),
            Contact.id.in_(select(CoalitionMember.contact_id).where(
                CoalitionMember.coalition_id == coalition_id,
                CoalitionMember.contact_id.is_not(None)))))


def coalition_choices(limit: int = 500) -> list[tuple[int, str]]:
    """Coalitions by name, for a select box."""
    return [(i, n) for i, n in db.session.execute(
        select(Coalition.id, Coalition.name).order_by(Coalition.name, Coalition.id)
        .limit(limit))]


def linked_note_ids(coalition: Coalition) -> Select:
    return select(coalition_notes.c.note_id).where(
        coalition_notes.c.coalition_id == coalition.id)


def linked_commitment_ids(coalition: Coalition) -> Select:
    return select(coalition_commitments.c.commitment_id).where(
        coalition_commitments.c.coalition_id == coalition.id)


def linked_event_ids(coalition: Coalition) -> Select:
    return select(coalition_events.c.event_id).where(
        coalition_events.c.coalition_id == coalition.id)


# --- what is due -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A renewal or deadline that needs attention: due within 30 days, or passed."""

    kind: str  # "renewal" | "deadline"
    on: date
    title: str
    coalition_id: int
    coalition_name: str
    representative_id: int | None
    item_id: int
    stamp: datetime | None = None  # when the row last changed (a calendar item's DTSTAMP)

    def overdue(self, today: date) -> bool:
        return self.on < today

    def days(self, today: date) -> int:
        return (self.on - today).days


def due_items(today: date, *, within: int = DUE_WITHIN_DAYS, user: User | None = None,
              limit: int = 200) -> list[Due]:
    """Renewals of memberships we keep (not let lapse) and open deadlines, due by `within`
    days from today or already passed, soonest first, in one query. With `user`, only what
    they represent us at."""
    until = today + timedelta(days=within)
    renewals = (
        select(literal("renewal").label("kind"), Membership.id.label("item_id"),
               Membership.renewal_on.label("on"), literal("").label("title"),
               Membership.representative_id, Coalition.id.label("cid"), Coalition.name,
               Membership.updated_at.label("stamp"))
        .join(Coalition, Coalition.id == Membership.coalition_id)
        .where(Membership.role.in_(ACTIVE_ROLES), Membership.lapsed_on.is_(None),
               Membership.renewal_on.is_not(None), Membership.renewal_on <= until))
    deadlines = (
        select(literal("deadline").label("kind"), Deadline.id.label("item_id"),
               Deadline.due_on.label("on"), Deadline.title, Membership.representative_id,
               Coalition.id.label("cid"), Coalition.name, Deadline.created_at.label("stamp"))
        .join(Coalition, Coalition.id == Deadline.coalition_id)
        .outerjoin(Membership, Membership.coalition_id == Coalition.id)
        .where(Deadline.outcome.is_(None), Deadline.due_on <= until))
    if user is not None:
        renewals = renewals.where(Membership.representative_id == user.id)
        deadlines = deadlines.where(Membership.representative_id == user.id)
    both = union_all(renewals, deadlines).subquery("due")
    rows = db.session.execute(select(both).order_by(both.c.on, both.c.kind, both.c.item_id)
                              .limit(limit))
    return [Due(r.kind, r.on, r.title if r.kind == "deadline"
                else f"Renew membership of {r.name}", r.cid, r.name, r.representative_id,
                r.item_id, r.stamp) for r in rows]


# --- a contact's and an organization's coalitions --------------------------------------------


@dataclass(frozen=True)
class Involvement:
    """How an organization or contact takes part in a coalition."""

    coalition: Coalition
    how: str  # "member", "represents", "record", "through"


def coalitions_of_organization(organization_id: int) -> list[Involvement]:
    """Coalitions an organization belongs to, and the one it is the record of (one query)."""
    member = select(CoalitionMember.coalition_id, CoalitionMember.role).where(
        CoalitionMember.organization_id == organization_id).subquery()
    rows = db.session.execute(
        select(Coalition, member.c.role).outerjoin(member, member.c.coalition_id == Coalition.id)
        .where(or_(member.c.coalition_id.is_not(None),
                   Coalition.organization_id == organization_id))
        .order_by(Coalition.name, Coalition.id).limit(100)).all()
    out = []
    for coalition, role in rows:
        if coalition.organization_id == organization_id:
            out.append(Involvement(coalition, "record"))
        else:
            out.append(Involvement(coalition, f"member{' (' + role + ')' if role else ''}"))
    return out


def coalitions_of_contact(contact: Contact) -> list[Involvement]:
    """Coalitions a contact represents their organization at, or belongs to through it."""
    represents = select(CoalitionMember.coalition_id).where(
        CoalitionMember.contact_id == contact.id)
    through = select(CoalitionMember.coalition_id).where(
        CoalitionMember.organization_id == contact.organization_id) \
        if contact.organization_id else None
    condition = Coalition.id.in_(represents)
    if through is not None:
        condition = or_(condition, Coalition.id.in_(through))
    rows = db.session.execute(
        select(Coalition, Coalition.id.in_(represents).label("represents")).where(condition)
        .order_by(Coalition.name, Coalition.id).limit(100)).all()
    return [Involvement(c, "represents" if rep else "through") for c, rep in rows]
