"""Reads for people's pages: the contact list and search, counts, and the colleagues forms
offer (contacts and organizations are picked by search: app/people/picker.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.util import ClauseAdapter

from app.auth.models import User
from app.extensions import db, dialect
from app.people import groups, search, tags
from app.people.models import (
    Contact,
    ContactTally,
    Influence,
    Organization,
    OrgType,
    Sphere,
    Stance,
    last_contact_column,
)

PAGE_SIZE = 25


def _enum_arg(cls, value):
    try:
        return cls(value) if value else None
    except ValueError:
        return None


def _contact_filters(args: Mapping[str, str]) -> list:
    """The list's filters (everything but the search box) as conditions on contacts."""
    where = [Contact.archived_at.is_not(None) if args.get("archived") == "1"
             else Contact.archived_at.is_(None)]
    stance = _enum_arg(Stance, args.get("stance"))
    if stance:
        where.append(Contact.stance == stance)
    influence = _enum_arg(Influence, args.get("influence"))
    if influence:
        where.append(Contact.influence == influence)
    sphere = _enum_arg(Sphere, args.get("sphere"))
    if sphere:
        where.append(Contact.sphere == sphere)
    org_type = _enum_arg(OrgType, args.get("type"))
    if org_type:
        where.append(Contact.organization_id.in_(
            select(Organization.id).where(Organization.type == org_type)))
    tagged = tags.tag_condition(args.get("tag"))
    if tagged is not None:
        where.append(tagged)
        wanted = tags.filtered(args.get("tag"))
        where.extend(search.tag_prefilter(wanted.tags, Contact.id, wanted.carriers))
    owner = args.get("owner", "")
    if owner.isdecimal() and len(owner) < 10:
        where.append(Contact.owner_id == int(owner))
    if args.get("media") == "1":
        where.append(Contact.is_media.is_(True))
    org = args.get("organization", "")
    if org.isdecimal() and len(org) < 10:
        where.append(Contact.organization_id == int(org))
    group = groups.group_condition(args.get("group"), Contact.id)
    if group is not None:
        where.append(group)
    return where


def _text_match(args: Mapping[str, str], user: User | None) -> search.ContactMatch | None:
    """The search box's match (None when nothing is typed). `user` decides whether sensitive
    notes count; a service acting for nobody passes None and they don't."""
    text = (args.get("q") or "").strip()[:200]
    return search.contact_match(text, bool(user and user.sees_sensitive))


def contact_query(args: Mapping[str, str], user: User | None) -> Select:
    """Contacts matching the list's search box and filters (the export's rows)."""
    match = _text_match(args, user)
    query = select(Contact).where(*_contact_filters(args))
    return query.where(match.condition(Contact.id)) if match else query


# Each sort's label and ORDER BY; "contact" orders by the last contact the user may know of
# (sort_order), so staff never see a sensitive note move a contact up or down the list.
SORTS = {
    "name": ("Name", (Contact.sort_name, Contact.id)),
    "recent": ("Recently changed", (Contact.updated_at.desc(), Contact.id.desc())),
    # Never contacted first: NULLS FIRST is SQLite's own order, so its index serves the sort.
    # (Staff's column here; sort_order swaps in every note's date for those who read them.)
    "contact": ("Longest since contact", (Contact.last_open_contact_on.asc().nulls_first(),
                                          Contact.id)),
    "stance": ("Stance", (Contact.stance, Contact.sort_name, Contact.id)),
}



def sort_order(sort: str | None, user: User | None) -> tuple:
    """The ORDER BY of the list's `sort` for `user`."""
    if sort == "contact":
        return (last_contact_column(user).asc().nulls_first(), Contact.id)
    return SORTS[sort if sort in SORTS else "name"][1]


COUNT_CAP = 1000

WALK_FROM = 2500


def _capped_count(ids: Select, bound: int):
    return select(func.count()).select_from(ids.limit(bound).subquery()).scalar_subquery()


def contact_page(args: Mapping[str, str], user: User, page: int,
                 size: int = PAGE_SIZE) -> tuple[list[Contact], int, bool]:
    """One page of the contacts the list's search and filters select, in the chosen order
    (with organization, owner, emails and phones), the total and whether it is capped.
    Counting stops COUNT_CAP rows past the page ("1,000+"): a common word matches most of
    50,000 contacts, and nobody pages through them all."""
    match = _text_match(args, user)
    filters = _contact_filters(args)
    bound = (page - 1) * size + COUNT_CAP
    # Counting goes on to WALK_FROM to choose the page's plan: this many matches are dense
    # enough that walking the sort's index meets a page of them soon; fewer (all the "Xu"s,
    # at the end of the name index) are cheaper looked up by id and sorted.
    counted_to = max(bound, WALK_FROM) if match else bound
    everything = _capped_count(select(Contact.id).where(
        *filters, *([match.condition(Contact.id)] if match else [])), counted_to)
    driver = match.driver() if match else None
    if driver is not None:
        # The full-text query drives the count and stops at the cap. (Its id + 0 keeps
        # SQLite from turning the join around into one full-text lookup per contact, ~0.3 ms
        # each.) Contacts it finds match for sure: when they reach the cap, that's the answer
        # and the full match (per-word lists of ids) is never built; one statement either way.
        found = driver.subquery("found")
        sure = _capped_count(select(Contact.id).join_from(
            found, Contact, Contact.id == found.c.id + literal_column("0")).where(*filters),
            counted_to)
        everything = sure if match.exact() else case((sure >= counted_to, counted_to),
                                                     else_=everything)
    counted = db.session.scalar(select(everything)) or 0
    total, capped = min(counted, bound), counted >= bound
    order = sort_order(args.get("sort"), user)
    offset = (page - 1) * size
    if counted >= counted_to and match:
        # Many matches: walk the sort's index and stop after one page, checking each contact
        # against the match list, rather than look every match up by id and sort them all.
        # On PostgreSQL the walk is bounded: matches bunched far down the order (18,700
        # "Xu"s at the end of 500,000 names) would have it test nearly every contact (9 s);
        # when its window holds less than the page, the matches are looked up and sorted
        # instead (0.3 s). There are at least `counted_to` of them, so a full page exists.
        rows = _page_rows(_walked(filters, match, order, offset, size), order)
        if len(rows) == size:
            return rows, total, capped
    matched = [match.condition(Contact.id)] if match else []
    # The page's ids first, then their rows: skipping to page 500 reads index entries only
    # (archived_at, sort_name covers the default list), not 12,500 rows and their joins.
    if match and dialect() == "postgresql":
        ids = _few_matches_sorted(select(Contact).where(*filters, *matched), order)
    else:
        ids = select(Contact.id).where(*filters, *matched).order_by(*order)
    return _page_rows(ids.limit(size).offset(offset), order), total, capped


WALK_WINDOW = 1000  # contacts a dense search walks at the least…
WALK_PER_ROW = 20  # …or this many per row up to the page's end, if more


def _walked(filters: list, match: search.ContactMatch, order: tuple, offset: int,
            size: int) -> Select:
    """The ids of a page of a dense search, walking the filtered contacts in `order` and
    testing each against the match. (id + 0 is not indexable, so SQLite won't plan id
    lookups instead of the walk. A walk this long meets a contact the sure list doesn't
    hold within a page, and then needs every per-word list: the sure list would be one more
    to build.)

    On PostgreSQL the walk stops after the first WALK_WINDOW contacts (or WALK_PER_ROW per
    row up to the page's end): the window's order carries through to the page, which it
    reads only as far as it needs. SQLite would read the whole window to sort it again, so
    there the walk is unbounded (at its 50,000 contacts a whole walk costs less than that)."""
    if dialect() != "postgresql":
        return select(Contact.id).where(
            *filters, match.condition(Contact.id + literal_column("0"), sure_first=False),
        ).order_by(*order).limit(size).offset(offset)
    window = select(Contact.id, *_order_columns(order)).where(*filters).order_by(*order) \
        .limit(max(WALK_WINDOW, WALK_PER_ROW * (offset + size))).subquery("window")
    adapt = ClauseAdapter(window).traverse
    return select(window.c.id).where(
        match.condition(window.c.id + literal_column("0"), sure_first=False),
    ).order_by(*(adapt(_clause(term)) for term in order)).limit(size).offset(offset)


def _clause(term):
    return getattr(term, "__clause_element__", lambda: term)()


def _order_columns(order: tuple) -> list:
    """The columns an ORDER BY names (inside its DESC and NULLS FIRST)."""
    columns = []
    for term in order:
        term = _clause(term)
        while isinstance(term, UnaryExpression):
            term = term.element
        columns.append(term)
    return columns


def _page_rows(ids: Select, order: tuple) -> list[Contact]:
    """The contacts `ids` selects (one page of ids), in `order`, with their organization,
    owner, emails and phones."""
    page = ids.subquery("page")
    return list(db.session.scalars(
        select(Contact).join(page, page.c.id == Contact.id).order_by(*order).options(
            joinedload(Contact.organization), joinedload(Contact.owner),
            selectinload(Contact.emails), selectinload(Contact.phones))
    ))


def _few_matches_sorted(matches: Select, order: tuple) -> Select:
    """PostgreSQL: the ids of `matches` (fewer than WALK_FROM, as counted, or many bunched
    where a walk would not meet them soon) in `order`, found first and sorted after. Left to
    itself, the planner takes the matches to be spread evenly through the sort order and
    walks it, testing contact after contact: a rare name that sorts last ("Xu") tested
    44,000 contacts (0.8 s at 50,000). OFFSET 0 makes the matches a subquery it plans on its
    own, by the full-text index."""
    found = matches.offset(0).subquery("matches")
    adapt = ClauseAdapter(found).traverse
    return select(found.c.id).order_by(*(adapt(_clause(term)) for term in order))


def stakeholder_counts() -> dict[tuple[Influence, Stance], int]:
    """How many active contacts sit in each influence-by-stance cell (from the tallies the
    database keeps, so the cost is the 18 cells, not the contacts)."""
    rows = db.session.execute(select(ContactTally.influence, ContactTally.stance, ContactTally.n)
                              .where(ContactTally.n > 0))
    return {(Influence(i), Stance(s)): n for i, s, n in rows}


def stance_counts() -> dict[Stance, int]:
    """Active contacts per stance (from the tallies, like stakeholder_counts)."""
    rows = db.session.execute(select(ContactTally.stance, func.sum(ContactTally.n))
                              .group_by(ContactTally.stance).having(func.sum(ContactTally.n) > 0))
    return {Stance(s): int(n) for s, n in rows}


def organization_query(args: Mapping[str, str]) -> Select:
    """Organizations matching the list's name search and filters."""
    query = select(Organization)
    if args.get("archived") == "1":
        query = query.where(Organization.archived_at.is_not(None))
    else:
        query = query.where(Organization.archived_at.is_(None))
    text_query = (args.get("q") or "").strip()[:200]
    if text_query:
        query = query.where(Organization.name.ilike(f"%{text_query}%", escape="\\"))
    org_type = _enum_arg(OrgType, args.get("type"))
    if org_type:
        query = query.where(Organization.type == org_type)
    sphere = _enum_arg(Sphere, args.get("sphere"))
    if sphere:
        query = query.where(Organization.sphere == sphere)
    tagged = tags.tag_condition(args.get("tag"), Organization)
    if tagged is not None:
        query = query.where(tagged)
    return query


def user_choices() -> list[tuple[int, str]]:
    """Active colleagues, for owner select boxes."""
    rows = db.session.execute(select(User.id, User.name).where(User.active.is_(True))
                              .order_by(User.name))
    return [(i, n) for i, n in rows]
