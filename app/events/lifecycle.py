"""Events' answers to the people lifecycle: hosts, speakers, invitations and the registrations
linked to a registrant's contact move on a merge (one invitation per event: the one with an
answer wins), are counted for a delete or merge, and keep an imported contact from an undo."""

from __future__ import annotations

from sqlalchemy import Select, and_, delete, func, select, update
from sqlalchemy.orm import aliased

from app.events.models import Answer, Attendance, EventHost, Invitation, Registration
from app.extensions import db
from app.people import lifecycle
from app.people.lifecycle import Count, LinkedIds
from app.system.words import plural


def _survivor(invitations: list[Invitation], keep_id: int) -> Invitation:
    """Of two invitations to one event, the one to keep: an answer (yes, maybe, no) beats
    none; then the later answer; then the kept contact's own."""
    def rank(inv: Invitation):
        answered = inv.answer != Answer.pending
        return (answered, inv.answered_at.timestamp() if answered and inv.answered_at else 0,
                inv.contact_id == keep_id)
    return max(invitations, key=rank)


def _move_invitations(keep_id: int, other_id: int) -> None:
    mine = aliased(Invitation)
    both = list(db.session.scalars(select(Invitation).where(
        Invitation.contact_id.in_((keep_id, other_id)),
        Invitation.event_id.in_(select(mine.event_id).where(mine.contact_id == keep_id)),
        Invitation.event_id.in_(select(mine.event_id).where(mine.contact_id == other_id)))
        .order_by(Invitation.event_id, Invitation.id)))
    by_event: dict[int, list[Invitation]] = {}
    for inv in both:
        by_event.setdefault(inv.event_id, []).append(inv)
    for pair in by_event.values():
        winner = _survivor(pair, keep_id)
        for loser in pair:
            if loser is winner:
                continue
            if winner.attendance == Attendance.unknown:
                winner.attendance = loser.attendance  # who came is worth keeping
            db.session.delete(loser)
    # The losers go before the rest move: (event, contact) is unique.
    db.session.flush()
    db.session.execute(update(Invitation).where(Invitation.contact_id == other_id)
                       .values(contact_id=keep_id))


def _move_hosts(keep_id: int, other_id: int) -> None:
    mine = aliased(EventHost)
    # Already a speaker (or host) at that event: the duplicate's row says nothing new.
    db.session.execute(delete(EventHost).where(
        EventHost.contact_id == other_id,
        select(mine.id).where(and_(mine.contact_id == keep_id,
                                   mine.event_id == EventHost.event_id,
                                   mine.role == EventHost.role)).exists()))
    db.session.execute(update(EventHost).where(EventHost.contact_id == other_id)
                       .values(contact_id=keep_id))


def contact_merged(keep, *, other, **_) -> None:
    """The duplicate's speaker and host roles and invitations now belong to `keep`."""
    _move_hosts(keep.id, other.id)
    _move_invitations(keep.id, other.id)


def contact_links(contact, **_) -> list[Count]:
    """ "host at 1 event", "speaker at 2 events", "1 invitation"."""
    return [*(Count(select(func.count(func.distinct(EventHost.event_id)))
                    .where(EventHost.contact_id == contact.id, EventHost.role == role)
                    .scalar_subquery(), lambda n, role=role: f"{role} at {plural(n, 'event')}")
              for role in ("host", "speaker")),
            Count(select(func.count()).select_from(Invitation)
                  .where(Invitation.contact_id == contact.id).scalar_subquery(),
                  lambda n: plural(n, "invitation"))]


def contact_ids_linked(_sender, *, among: Select, **_) -> list[LinkedIds]:
    """Contacts among `among` who host, speak at or are invited to an event."""
    return [
        LinkedIds("event hosts and speakers", select(EventHost.contact_id)
                  .where(EventHost.contact_id.in_(among))),
        LinkedIds("event invitations", select(Invitation.contact_id)
                  .where(Invitation.contact_id.in_(among))),
    ]


def connect() -> None:
    """Connect events' receivers (from init_app; connecting twice is harmless)."""
    lifecycle.connect(lifecycle.contact_merged, contact_merged)
    lifecycle.connect(lifecycle.contact_links, contact_links)
    lifecycle.connect(lifecycle.contact_ids_linked, contact_ids_linked)
    lifecycle.follow_column(Registration.contact_id, "event registration")
