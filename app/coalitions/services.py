"""The coalitions domain's verbs: coalitions, their members, our membership (renew, let
lapse), deadlines, and notes, commitments and events about a coalition. They flush, never
commit; the view commits once. Other domains use coalitions through this module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select

from app.audit.services import record
from app.auth.models import User
from app.coalitions.models import (
    Coalition,
    CoalitionMember,
    Deadline,
    Membership,
    Outcome,
    Role,
    coalition_commitments,
    coalition_events,
    coalition_notes,
)
from app.extensions import db
from app.people.models import Organization
from app.settings.clock import today
from app.system.words import plural

COALITION_FIELDS = ("name", "kind", "scope", "sphere", "website", "meeting_cadence",
                    "description", "organization_id")
MEMBERSHIP_FIELDS = ("role", "representative_id", "since", "dues_cents", "dues_period",
                     "paid_through", "renewal_on")


class NotAllowed(ValueError):
    """A step that can't be taken now (the message says why)."""


# --- coalitions ------------------------------------------------------------------------------


def save_coalition(coalition: Coalition | None, values: Mapping[str, Any],
                   actor: User | None) -> Coalition:
    """Add a coalition, or change one's details."""
    created = coalition is None
    if coalition is None:
        coalition = Coalition()
        db.session.add(coalition)
    for key in COALITION_FIELDS:
        if key in values:
            setattr(coalition, key, values[key])
    db.session.flush()
    record("coalition.create" if created else "coalition.edit",
           f"{'Added' if created else 'Edited'} coalition {coalition.name}", coalition, actor)
    return coalition


def delete_coalition(coalition: Coalition, actor: User | None) -> None:
    """Delete a coalition with its members, our membership, deadlines, alignment and links
    (the notes, commitments and events themselves stay)."""
    record("coalition.delete", f"Deleted coalition {coalition.name}", coalition, actor)
    db.session.delete(coalition)
    db.session.flush()


# --- member organizations --------------------------------------------------------------------


def add_members(coalition: Coalition, organization_ids: Iterable[int], role: str,
                actor: User | None) -> list[Organization]:
    """Add organizations as members (ones already members are left as they are); returns
    the organizations added."""
    wanted = set(organization_ids)
    if not wanted:
        return []
    present = set(db.session.scalars(
        select(CoalitionMember.organization_id).where(
            CoalitionMember.coalition_id == coalition.id,
            CoalitionMember.organization_id.in_(wanted))))
    orgs = list(db.session.scalars(
        select(Organization).where(Organization.id.in_(wanted - present))
        .order_by(Organization.name)))
    for org in orgs:
        db.session.add(CoalitionMember(coalition_id=coalition.id, organization_id=org.id,
                                       role=role or ""))
    db.session.flush()
    if orgs:
        names = ", ".join(o.name for o in orgs[:5]) + (" …" if len(orgs) > 5 else "")
        record("coalition.members_add",
               f"Added {plural(len(orgs), 'member organization')} to {coalition.name}: {names}",
               coalition, actor)
    return orgs


def update_member(member: CoalitionMember, values: Mapping[str, Any],
                  actor: User | None) -> None:
    """Change a member organization's role, representative or date joined."""
    for key in ("role", "contact_id", "joined_on"):
        if key in values:
            setattr(member, key, values[key])
    db.session.flush()
    record("coalition.member_edit",
           f"Edited member {member.organization.name} of coalition #{member.coalition_id}",
           member, actor)


def remove_member(member: CoalitionMember, actor: User | None) -> None:
    """Take an organization off a coalition's members."""
    record("coalition.member_remove",
           f"Removed {member.organization.name} from coalition #{member.coalition_id}",
           member, actor)
    db.session.delete(member)
    db.session.flush()


# --- our membership --------------------------------------------------------------------------


def membership_of(coalition: Coalition) -> Membership | None:
    """Our membership of a coalition (as loaded with it, or looked up)."""
    if "membership" in coalition.__dict__:
        return coalition.membership
    return db.session.scalar(select(Membership).where(Membership.coalition_id == coalition.id))


def save_membership(coalition: Coalition, values: Mapping[str, Any],
                    actor: User | None) -> Membership:
    """Record or change our membership: role, representative, since, dues and renewal.
    Moving back to an active role clears an earlier lapse."""
    membership = membership_of(coalition)
    created = membership is None
    if membership is None:
        membership = Membership(coalition_id=coalition.id, lapse_reason="")
        db.session.add(membership)
    for key in MEMBERSHIP_FIELDS:
        if key in values:
            setattr(membership, key, values[key])
    if membership.role.active:
        membership.lapsed_on, membership.lapse_reason = None, ""
    db.session.flush()
    record("membership.create" if created else "membership.edit",
           f"{'Recorded' if created else 'Edited'} our membership of {coalition.name} "
           f"({membership.role.label.lower()})", membership, actor)
    return membership


def renew(coalition: Coalition, renewal_on: date, paid_through: date | None,
          actor: User | None) -> None:
    """Mark our membership renewed: the next renewal date, and how far dues are paid."""
    membership = membership_of(coalition)
    if membership is None:
        raise NotAllowed("Record our membership first.")
    day = today()
    if renewal_on <= day:
        raise NotAllowed("The next renewal date should be after today.")
    if not membership.role.active:
        membership.role = Role.member
    membership.renewal_on, membership.renewed_on = renewal_on, day
    if paid_through is not None:
        membership.paid_through = paid_through
    membership.lapsed_on, membership.lapse_reason = None, ""
    db.session.flush()
    record("membership.renew", f"Renewed our membership of {coalition.name} "
           f"until {renewal_on.isoformat()}", membership, actor)


def let_lapse(coalition: Coalition, reason: str, actor: User | None) -> None:
    """Let our membership lapse on purpose, with the reason: it stops showing as due or
    overdue, and our role becomes former member."""
    membership = membership_of(coalition)
    if membership is None:
        raise NotAllowed("Record our membership first.")
    if not reason.strip():
        raise NotAllowed("Say why we're letting it lapse.")
    membership.lapsed_on, membership.lapse_reason = today(), reason.strip()[:500]
    membership.role = Role.former
    db.session.flush()
    record("membership.lapse", f"Let our membership of {coalition.name} lapse",
           membership, actor)


# --- deadlines -------------------------------------------------------------------------------


def add_deadline(coalition: Coalition, values: Mapping[str, Any],
                 actor: User | None) -> Deadline:
    """Record a dated deadline (an abstract, a nomination, a sign-on letter)."""
    deadline = Deadline(coalition_id=coalition.id, **{
        k: values[k] for k in ("title", "kind", "due_on", "notes") if k in values})
    db.session.add(deadline)
    db.session.flush()
    record("coalition.deadline_add", f"Added deadline “{deadline.title}” for {coalition.name}",
           deadline, actor)
    return deadline


def close_deadline(deadline: Deadline, outcome: Outcome, actor: User | None) -> None:
    """Close a deadline as done, or as one we let pass."""
    deadline.outcome, deadline.closed_on = outcome, today()
    db.session.flush()
    record("coalition.deadline_close",
           f"Closed deadline “{deadline.title}” as {outcome.label.lower()}", deadline, actor)


def reopen_deadline(deadline: Deadline, actor: User | None) -> None:
    """Open a closed deadline again."""
    deadline.outcome = deadline.closed_on = None
    db.session.flush()
    record("coalition.deadline_reopen", f"Reopened deadline “{deadline.title}”", deadline,
           actor)


def delete_deadline(deadline: Deadline, actor: User | None) -> None:
    """Remove a deadline recorded by mistake."""
    record("coalition.deadline_delete", f"Deleted deadline “{deadline.title}”", deadline, actor)
    db.session.delete(deadline)
    db.session.flush()


# --- notes, commitments and events about a coalition -----------------------------------------


def log_note(coalition: Coalition, values: Mapping[str, Any], actor: User | None):
    """Log a note about a coalition (through the notes domain, linked to its organization
    record when it has one) and link it here."""
    from app.notes import services as notes

    note = notes.log_note(values, [], [coalition.organization_id]
                          if coalition.organization_id else [], actor)
    db.session.execute(insert(coalition_notes).values(coalition_id=coalition.id,
                                                      note_id=note.id))
    record("coalition.note_link", f"Linked note #{note.id} to coalition {coalition.name}",
           coalition, actor)
    return note


def add_commitment(coalition: Coalition, values: Mapping[str, Any], actor: User | None):
    """Record a commitment to a coalition (through the notes domain) and link it here."""
    from app.notes import services as notes

    commitment = notes.create_commitment(
        {**values, "organization_id": coalition.organization_id}, actor)
    db.session.execute(insert(coalition_commitments).values(
        coalition_id=coalition.id, commitment_id=commitment.id))
    record("coalition.commitment_link",
           f"Linked commitment #{commitment.id} to coalition {coalition.name}", coalition, actor)
    return commitment


def plan_meeting(coalition: Coalition, values: Mapping[str, Any], actor: User | None):
    """Plan a coalition meeting: an event (through the events domain, hosted by `actor`)
    linked to the coalition."""
    from app.events import services as events

    event = events.save_event(None, {"kind": "coalition_meeting", **values},
                              hosts=[actor.id] if actor is not None else [], speakers=[],
                              by=actor)
    link_event(coalition, event.id, actor)
    return event


def link_event(coalition: Coalition, event_id: int, actor: User | None) -> bool:
    """Link an event (a coalition meeting, a conference) to a coalition; False if it
    already was."""
    linked = db.session.scalar(select(coalition_events.c.event_id).where(
        coalition_events.c.coalition_id == coalition.id,
        coalition_events.c.event_id == event_id))
    if linked is not None:
        return False
    db.session.execute(insert(coalition_events).values(coalition_id=coalition.id,
                                                       event_id=event_id))
    record("coalition.event_link", f"Linked event #{event_id} to coalition {coalition.name}",
           coalition, actor)
    return True


def unlink_event(coalition: Coalition, event_id: int, actor: User | None) -> None:
    """Unlink an event from a coalition (the event stays)."""
    db.session.execute(delete(coalition_events).where(
        coalition_events.c.coalition_id == coalition.id,
        coalition_events.c.event_id == event_id))
    record("coalition.event_unlink",
           f"Unlinked event #{event_id} from coalition {coalition.name}", coalition, actor)
