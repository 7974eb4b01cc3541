"""The notes domain's verbs: log and edit interactions, read sensitive notes (audited),
record and close commitments, and work out who is due for contact.

Services flush but never commit; the view commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Select,
    case,
    false,
    func,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db, dialect
from app.notes.models import (
    BodyFormat,
    Commitment,
    CommitmentStatus,
    Note,
    note_contacts,
    note_organizations,
)
from app.people.models import Contact, Organization, Stance, last_contact_column
from app.settings import services as settings_store

# --- reading notes --------------------------------------------------------------------


def visible_notes(user: User) -> Select:
    """Notes this user may see: everything for admin and liaison; for staff, the ordinary
    ones and the sensitive ones they wrote themselves."""
    query = select(Note)
    if not user.sees_sensitive:
        query = query.where(or_(Note.sensitive.is_(False), Note.author_id == user.id))
    return query


def can_read(note: Note, user: User) -> bool:
    """Whether `user` may read `note` (visible_notes, for one note)."""
    return not note.sensitive or user.sees_sensitive or note.author_id == user.id


def may_mark_sensitive(note: Note | None, user: User) -> bool:
    """Whether `user` may mark `note` (None: a new one) sensitive or ordinary. Anyone may for
    a note they write; only admin and liaison for someone else's, since staff who hid a
    colleague's note could no longer see it themselves."""
    return user.sees_sensitive or note is None or note.author_id == user.id


def load_note(note_id: int) -> Note | None:
    """A note with its author, contacts and organizations."""
    return db.session.scalar(select(Note).where(Note.id == note_id).options(
        joinedload(Note.author), selectinload(Note.contacts), selectinload(Note.organizations)))


def record_view(note: Note, actor: User) -> None:
    """Every reading of a sensitive note by anyone but its author goes on the audit trail
    (who, when, which; no text)."""
    if note.sensitive and note.author_id != actor.id:
        record("note.view_sensitive", f"Read sensitive note #{note.id}", note, actor)


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_body(note: Note) -> Markup:
    """The body as safe HTML: sanitized Markdown, or plain text with line breaks kept."""
    if note.body_format == BodyFormat.markdown:
        html = nh3.clean(_markdown.render(note.body or ""),
                         link_rel="noopener noreferrer nofollow")
        return Markup(html)  # noqa: S704 (sanitized by nh3 just above)
    paragraphs = [p for p in (note.body or "").split("\n\n") if p.strip()]
    html = "".join("<p>" + str(escape(p)).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return Markup(html)  # noqa: S704 (every piece of text was escaped just above)


def notes_about(user: User, contact_id: int | None = None, organization_id: int | None = None,
                limit: int = 50) -> list[Note]:
    """Recent notes about a contact or organization that `user` may see, newest first."""
    query = visible_notes(user).options(joinedload(Note.author))
    if contact_id is not None:
        query = query.where(Note.id.in_(select(note_contacts.c.note_id)
                                        .where(note_contacts.c.contact_id == contact_id)))
    if organization_id is not None:
        query = query.where(Note.id.in_(
            select(note_organizations.c.note_id)
            .where(note_organizations.c.organization_id == organization_id)))
    return list(db.session.scalars(
        query.order_by(Note.occurred_on.desc(), Note.id.desc()).limit(limit)))


def notes_among(user: User, note_ids: Select, limit: int = 50) -> list[Note]:
    """The notes among `note_ids` (a SELECT of ids: another domain's links, say a
    coalition's) that `user` may see, newest first."""
    return list(db.session.scalars(
        visible_notes(user).where(Note.id.in_(note_ids)).options(joinedload(Note.author))
        .order_by(Note.occurred_on.desc(), Note.id.desc()).limit(limit)))


def recent_notes(user: User, limit: int = 8) -> list[Note]:
    """The latest notes `user` may see, with the people they're about."""
    return list(db.session.scalars(
        visible_notes(user).options(joinedload(Note.author), selectinload(Note.contacts))
        .order_by(Note.occurred_on.desc(), Note.id.desc()).limit(limit)))


# --- writing notes --------------------------------------------------------------------


_NOTE_FIELDS = ("occurred_on", "channel", "summary", "body", "body_format", "sensitive")


def _link(note: Note, contact_ids: Iterable[int], organization_ids: Iterable[int]) -> None:
    contact_ids, organization_ids = list(set(contact_ids)), list(set(organization_ids))
    note.contacts = list(db.session.scalars(
        select(Contact).where(Contact.id.in_(contact_ids)))) if contact_ids else []
    note.organizations = list(db.session.scalars(
        select(Organization).where(Organization.id.in_(organization_ids)))
    ) if organization_ids else []


def _touch(contact_ids: Iterable[int], when: date, sensitive: bool) -> None:
    """Move contacts' last-contact date forward to `when` (never back); the date staff see
    only for a note that is not sensitive."""
    ids = list(contact_ids)
    if not ids:
        return
    columns = [Contact.last_contact_on] + ([] if sensitive else [Contact.last_open_contact_on])
    for column in columns:
        db.session.execute(
            update(Contact).where(Contact.id.in_(ids))
            .where(or_(column.is_(None), column < when))
            .values({column: when}).execution_options(synchronize_session=False))


def _recount_open(contact_ids: Iterable[int]) -> None:
    """Work the date staff see out again from the notes that are not sensitive, after an
    edit that may have made a note sensitive, moved its date or unlinked a contact."""
    ids = list(contact_ids)
    if not ids:
        return
    latest = (select(func.max(Note.occurred_on))
              .join(note_contacts, note_contacts.c.note_id == Note.id)
              .where(note_contacts.c.contact_id == Contact.id, Note.sensitive.is_(False))
              .scalar_subquery())
    db.session.execute(update(Contact).where(Contact.id.in_(ids))
                       .values(last_open_contact_on=latest)
                       .execution_options(synchronize_session=False))


def log_note(values: Mapping[str, Any], contact_ids: Iterable[int],
             organization_ids: Iterable[int], actor: User | None) -> Note:
    """Log an interaction, linked to contacts and organizations."""
    note = Note(author_id=getattr(actor, "id", None), contacts=[], organizations=[],
                **{k: values[k] for k in _NOTE_FIELDS if k in values})
    _link(note, contact_ids, organization_ids)
    db.session.add(note)
    db.session.flush()
    _touch([c.id for c in note.contacts], note.occurred_on, note.sensitive)
    record("note.create", f"Logged {'a sensitive' if note.sensitive else 'a'} note #{note.id}",
           note, actor)
    db.session.flush()
    return note


def update_note(note: Note, values: Mapping[str, Any], contact_ids: Iterable[int],
                organization_ids: Iterable[int], actor: User | None) -> Note:
    """Edit a note; the edit is recorded (which note and who, never the text)."""
    before = {c.id for c in note.contacts}
    for key in _NOTE_FIELDS:
        if key in values:
            setattr(note, key, values[key])
    _link(note, contact_ids, organization_ids)
    db.session.flush()
    _touch([c.id for c in note.contacts], note.occurred_on, sensitive=True)
    _recount_open(before | {c.id for c in note.contacts})
    record("note.edit", f"Edited note #{note.id}", note, actor)
    db.session.flush()
    return note


# --- commitments -----------------------------------------------------------------------


def create_commitment(values: Mapping[str, Any], actor: User | None) -> Commitment:
    """Record something we promised."""
    commitment = Commitment(created_by_id=getattr(actor, "id", None), **values)
    db.session.add(commitment)
    db.session.flush()
    record("commitment.create", f"Recorded commitment #{commitment.id}", commitment, actor)
    return commitment


def close_commitment(commitment: Commitment, status: CommitmentStatus, actor: User | None,
                     explained_on: date | None = None, explained_how: str | None = None) -> None:
    """Close a commitment as kept, or as can't-do with when and how we explained it."""
    if status == CommitmentStatus.open:
        raise ValueError("A commitment closes as kept or explained.")
    explained = explained_on and (explained_how or "").strip()
    if status == CommitmentStatus.explained and not explained:
        raise ValueError("Say when and how the explanation was given.")
    commitment.status = status
    commitment.closed_at = utcnow()
    if status == CommitmentStatus.explained:
        commitment.explained_on, commitment.explained_how = explained_on, explained_how
    record("commitment.close", f"Closed commitment #{commitment.id} as {status.label}",
           commitment, actor)
    db.session.flush()


def reopen_commitment(commitment: Commitment, actor: User | None) -> None:
    """Open a closed commitment again."""
    commitment.status = CommitmentStatus.open
    commitment.closed_at = commitment.explained_on = commitment.explained_how = None
    record("commitment.reopen", f"Reopened commitment #{commitment.id}", commitment, actor)
    db.session.flush()


def commitment_query(args: Mapping[str, str], today: date) -> Select:
    """Commitments filtered by owner, status and due date (overdue, this week, later)."""
    query = select(Commitment)
    status = args.get("status", "open")
    if status in CommitmentStatus.__members__:
        query = query.where(Commitment.status == CommitmentStatus(status))
    owner = args.get("owner", "")
    if owner.isdecimal() and len(owner) < 10:
        query = query.where(Commitment.owner_id == int(owner))
    due = args.get("due", "")
    if due == "overdue":
        query = query.where(Commitment.due_on < today)
    elif due == "week":
        query = query.where(Commitment.due_on >= today, Commitment.due_on <= today + timedelta(7))
    elif due == "later":
        query = query.where(Commitment.due_on > today + timedelta(7))
    contact = args.get("contact", "")
    if contact.isdecimal() and len(contact) < 10:
        query = query.where(Commitment.contact_id == int(contact))
    organization = args.get("organization", "")
    if organization.isdecimal() and len(organization) < 10:
        query = query.where(Commitment.organization_id == int(organization))
    return query


def open_commitments(owner: User, due_by: date | None = None) -> list[Commitment]:
    """`owner`'s open commitments (those due on or before `due_by`, if given), soonest
    first: for their calendar feed and their morning digest."""
    query = select(Commitment).where(Commitment.owner_id == owner.id,
                                     Commitment.status == CommitmentStatus.open)
    if due_by is not None:
        query = query.where(Commitment.due_on <= due_by)
    return list(db.session.scalars(query.order_by(Commitment.due_on)))


def commitments_about(contact_id: int | None = None, organization_id: int | None = None,
                      limit: int = 50) -> list[Commitment]:
    """A contact's or organization's commitments: open ones first, soonest due first."""
    query = select(Commitment)
    if contact_id is not None:
        query = query.where(Commitment.contact_id == contact_id)
    if organization_id is not None:
        query = query.where(Commitment.organization_id == organization_id)
    return list(db.session.scalars(with_people(
        query.order_by(Commitment.status != CommitmentStatus.open, Commitment.due_on)
        .limit(limit))))


def commitments_among(commitment_ids: Select, limit: int = 50) -> list[Commitment]:
    """The commitments among `commitment_ids` (a SELECT of ids: another domain's links):
    open ones first, soonest due first."""
    return list(db.session.scalars(with_people(
        select(Commitment).where(Commitment.id.in_(commitment_ids))
        .order_by(Commitment.status != CommitmentStatus.open, Commitment.due_on)
        .limit(limit))))


def with_people(query: Select) -> Select:
    """Eager-load what a commitment row shows."""
    return query.options(joinedload(Commitment.contact), joinedload(Commitment.organization),
                         joinedload(Commitment.owner))


# --- keeping in touch ---------------------------------------------------------------------

KEEP_IN_TOUCH_KEY = "keep_in_touch"
DEFAULT_INTERVALS = {
    "champion": 45, "ally": 60, "neutral": 90, "skeptic": 45, "challenger": 30,
    "unknown": 120, "media": 90,
}


def intervals() -> dict[str, int]:
    """Days between contacts, per stance (and "media" for journalists), from settings."""
    stored = settings_store.get(KEEP_IN_TOUCH_KEY, {}) or {}
    return {k: int(stored.get(k, v)) for k, v in DEFAULT_INTERVALS.items()}


def save_intervals(values: Mapping[str, int], actor: User | None) -> None:
    """Change the keep-in-touch intervals."""
    settings_store.put(KEEP_IN_TOUCH_KEY, {k: int(values[k]) for k in DEFAULT_INTERVALS})
    record("settings.keep_in_touch", "Changed keep-in-touch intervals", None, actor)


class days_between(FunctionElement):
    """Whole days from the date column to a later date, on SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


@compiles(days_between)
def _days_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


def interval_expression():
    """SQL for each contact's keep-in-touch interval: override, media, or by stance. The one
    definition: the due list, the dashboard and a contact's own page all read it."""
    days = intervals()
    by_stance = case({s.value: days[s.value] for s in Stance}, value=Contact.stance,
                     else_=days["unknown"])
    return func.coalesce(Contact.keep_in_touch_days,
                         case((Contact.is_media.is_(True), days["media"]), else_=by_stance))


def interval_for(contact: Contact) -> int:
    """This contact's keep-in-touch interval in days (interval_expression, for one row)."""
    return db.session.scalar(select(interval_expression()).where(Contact.id == contact.id))


def due_for_contact_query(today: date, user: User | None, bound: int | None = None) -> Select:
    """The contacts due_for_contact_ids names, as rows in their order."""
    last = last_contact_column(user)
    return (select(Contact).where(Contact.id.in_(due_for_contact_ids(today, user, bound)))
            .order_by(last.is_not(None), last, Contact.id))


def due_for_contact_ids(today: date, user: User | None,
                        bound: int | None = None) -> CompoundSelect:
    """Ids of active contacts (not do-not-contact) whose last logged interaction, as `user`
    may know of it (sensitive notes count only for those who read them), is older than
    their interval, or who have none; those never logged first, then the longest-waiting.

    The intervals come in a few classes (stance and media, a contact's own), and for each
    the due contacts are one index range (ix_contacts_is_media_archived_at_stance_last_*,
    oldest first): asked for `bound` rows, each class gives at most that many, so a page
    costs its size, not the number of contacts."""
    last = last_contact_column(user)
    days = intervals()
    active = (Contact.archived_at.is_(None), Contact.do_not_contact.is_(False))
    usual = (Contact.keep_in_touch_days.is_(None), last.is_not(None))
    classes = [select(Contact.id).where(*active, last.is_(None)).order_by(Contact.id)]
    for stance in Stance:  # media contacts per stance too: each class is one index range
        for media, interval in ((false(), days[stance.value]), (true(), days["media"])):
            classes.append(select(Contact.id).where(
                *active, *usual, Contact.is_media == media, Contact.stance == stance,
                last <= today - timedelta(days=interval))
                .order_by(last, Contact.id))
    today_param = func.cast(today.isoformat(), Date) if dialect() != "sqlite" \
        else func.date(today.isoformat())
    classes.append(select(Contact.id).where(  # contacts with their own interval (few)
        *active, Contact.keep_in_touch_days.is_not(None), last.is_not(None),
        days_between(today_param, last) >= Contact.keep_in_touch_days)
        .order_by(last, Contact.id))
    if bound is not None:
        classes = [c.limit(bound) for c in classes]
    return union_all(*(select(c.subquery().c.id) for c in classes))
