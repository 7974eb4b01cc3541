"""Contact and organization lifecycle as signals: the base asks the domains built on it.

People never imports notes, events, press or tours. When two contacts (or organizations)
are merged, when a delete or a merge asks "what links here", and when an import undo asks
"which of these contacts does anything link to", each domain answers for its own rows from
its own `lifecycle.py`, connected in its `init_app` with `connect()`.

Signals (blinker, which Flask depends on):

- `contact_merged(keep, other=...)`, `organization_merged(keep, other=...)`: move your
  rows from `other` to `keep` (SQL UPDATEs; dedupe where both were linked). Sent before
  `other` is deleted. Return nothing.
- `contact_links(contact)`, `organization_links(organization)`: return a list of `Count`
  for your rows about it: a scalar subquery counting them and how to say the number ("3
  notes", "speaker at 2 events"). Every domain's counts, for one record or several, are
  read in one statement and come back as `Link`s.
- `contact_ids_linked(None, among=...)`, `organization_ids_linked(None, among=...)`:
  `among` is a SELECT of candidate ids; return a list of `LinkedIds`, each a reason and a
  one-column SELECT of the ids among them your rows link to (undo unions them: one query).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from blinker import Namespace, Signal
from sqlalchemy import ScalarSelect, Select, String, func, literal, select, union_all, update
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.people.models import Contact
from app.system.words import plural

_signals = Namespace()

contact_merged = _signals.signal("contact-merged")
organization_merged = _signals.signal("organization-merged")
contact_links = _signals.signal("contact-links")
organization_links = _signals.signal("organization-links")
contact_ids_linked = _signals.signal("contact-ids-linked")
organization_ids_linked = _signals.signal("organization-ids-linked")


@dataclass(frozen=True)
class Link:
    """Rows of one kind that point at a contact or organization: "speaker at 2 events"."""

    count: int
    text: str


@dataclass(frozen=True)
class Count:
    """One kind of row pointing at a record, still to be counted: a scalar subquery, and how
    to say its number (2 -> "speaker at 2 events")."""

    rows: ScalarSelect
    say: Callable[[int], str]


@dataclass(frozen=True)
class LinkedIds:
    """Why some contacts (or organizations) are linked, and a one-column SELECT of them."""

    why: str
    ids: Select


def connect(signal: Signal, receiver: Callable) -> None:
    """Connect a receiver for good: a strong reference (the app holds no other), and
    connecting the same function again is a no-op (tests create many apps)."""
    signal.connect(receiver, weak=False)


_FOLLOWED: dict[str, tuple[Callable, ...]] = {}


def follow_column(attribute: InstrumentedAttribute, one: str, many: str | None = None) -> None:
    """Answer all three signals for the plain case: a nullable foreign key column (say
    `TourBooking.contact_id`) pointing at contacts.id or organizations.id. On a merge its
    rows move to the record that stays; "what links here" counts them ("2 tour bookings");
    an undo keeps the records they point at. Call from the domain's `init_app`; following
    the same column again is a no-op. Tables needing more (dedupe, roles) connect their own
    receivers."""
    column = attribute.property.columns[0]
    name = f"{column.table.name}.{column.name}"
    if name in _FOLLOWED:
        return
    (target,) = {fk.column.table.name for fk in column.foreign_keys}
    why = many or one + "s"

    def merged(keep, *, other, **_) -> None:
        db.session.execute(update(column.table).where(column == other.id)
                           .values({column.name: keep.id}))

    def links(record, **_) -> list[Count]:
        return [Count(select(func.count()).select_from(column.table)
                      .where(column == record.id).scalar_subquery(),
                      lambda n: plural(n, one, many))]

    def linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
        return [LinkedIds(why, select(column).where(column.in_(among)))]

    kind = {"contacts": "contact", "organizations": "organization"}[target]
    receivers = (merged, links, linked)
    for receiver in receivers:
        receiver.__qualname__ = f"follow_column({name}).{receiver.__name__}"
    connect(_signals.signal(f"{kind}-merged"), merged)
    connect(_signals.signal(f"{kind}-links"), links)
    connect(_signals.signal(f"{kind}-ids-linked"), linked)
    _FOLLOWED[name] = receivers


def followed() -> list[str]:
    """The columns answered by `follow_column` ("tour_bookings.contact_id", …)."""
    return sorted(_FOLLOWED)


def _collect(signal: Signal, sender, **kwargs) -> list:
    found = []
    for _receiver, answer in signal.send(sender, **kwargs):
        found.extend(answer or [])
    return found


def _counted(counts: dict[int, list[Count]]) -> dict[int, list[Link]]:
    """Every record's counts in one statement, as Links (a count of zero left out)."""
    flat = [c for record_counts in counts.values() for c in record_counts]
    numbers = iter(db.session.execute(select(*(c.rows for c in flat))).one() if flat else ())
    links: dict[int, list[Link]] = {}
    for record_id, record_counts in counts.items():
        said = [(next(numbers) or 0, c.say) for c in record_counts]
        links[record_id] = [Link(n, say(n)) for n, say in said if n]
    return links


def links_to_contacts(contacts: Sequence) -> dict[int, list[Link]]:
    """What links to each contact, from every domain, by contact id (one statement)."""
    return _counted({c.id: _collect(contact_links, c) for c in contacts})


def links_to_contact(contact) -> list[Link]:
    """What links to a contact, from every domain (rows with a count of zero left out)."""
    return links_to_contacts([contact])[contact.id]


def links_to_organizations(orgs: Sequence) -> dict[int, list[Link]]:
    """What links to each organization: its people, then every domain's rows (one
    statement)."""
    return _counted({org.id: [
        Count(select(func.count()).select_from(Contact)
              .where(Contact.organization_id == org.id).scalar_subquery(),
              lambda n: plural(n, "person", "people")),
        *_collect(organization_links, org)] for org in orgs})


def links_to_organization(org) -> list[Link]:
    """What links to an organization: its people, then every domain's rows."""
    return links_to_organizations([org])[org.id]


def _union(signal: Signal, among: Select):
    """Every domain's (id, why) rows for the ids among `among`, as one UNION ALL (or None
    when no domain answers)."""
    parts = []
    for part in _collect(signal, None, among=among):
        ids = part.ids.subquery().c[0]
        # Never a NULL: an undo deletes what is NOT IN these, and NOT IN (NULL) is never true.
        parts.append(select(ids.label("id"), literal(part.why, String).label("why"))
                     .where(ids.is_not(None)).distinct())
    return union_all(*parts) if parts else None


def _reasons(query) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for row_id, why in db.session.execute(query) if query is not None else ():
        reasons = found.setdefault(row_id, [])
        if why not in reasons:
            reasons.append(why)
    return found


def contacts_linked_query(among: Select):
    """(id, why) for the contacts among `among` (a SELECT of ids) that any domain links
    to, as one statement to run or to use as a subquery; None if no domain answers."""
    return _union(contact_ids_linked, among)


def organizations_linked_query(among: Select):
    """(id, why) for the organizations among `among` that any domain links to."""
    return _union(organization_ids_linked, among)


def linked_contact_ids(among: Select) -> dict[int, list[str]]:
    """The contacts among `among` that anything links to, each with the reasons ("notes",
    "tour bookings"), in one query."""
    return _reasons(contacts_linked_query(among))


def linked_organization_ids(among: Select) -> dict[int, list[str]]:
    """The organizations among `among` that anything links to, with the reasons."""
    return _reasons(organizations_linked_query(among))


def merged_contact(keep, other) -> None:
    """Ask every domain to move its rows from contact `other` to `keep`."""
    contact_merged.send(keep, other=other)


def merged_organization(keep, other) -> None:
    """Ask every domain to move its rows from organization `other` to `keep`."""
    organization_merged.send(keep, other=other)
