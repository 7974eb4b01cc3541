"""Notes test data: notes and commitments through the real services, or hundreds at once in
bulk INSERTs that write the same rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import insert, or_, update

from app.audit.services import record
from app.extensions import db


def _note_values(overrides: Mapping[str, Any]) -> dict[str, Any]:
    from app.people.models import Channel

    values = {"occurred_on": date(2026, 1, 15), "channel": Channel.meeting,
              "summary": "Coffee to talk about the program", "body": "", "sensitive": False}
    values.update(overrides)
    return values


def make_note(contacts=(), organizations=(), **overrides):
    from app.notes.services import log_note

    values = _note_values(overrides)
    author = values.pop("author", None)
    return log_note(values, [c.id for c in contacts], [o.id for o in organizations], author)


def make_notes(rows: Iterable[Mapping[str, Any]]) -> list:
    """Many notes, each as make_note(**row) adds it (row keys: contacts, organizations, author
    and the note's fields): the same links, last-contact dates and audit records, in one
    INSERT per table. The database's triggers index them for search, as for one note."""
    from app.notes.models import Note, note_contacts, note_organizations
    from app.people.models import Contact

    rows = [dict(row) for row in rows]
    if not rows:
        return []
    links = [({c.id for c in row.pop("contacts", ())},
              {o.id for o in row.pop("organizations", ())}) for row in rows]
    authors = [row.pop("author", None) for row in rows]
    note_rows = [{**_note_values(row), "author_id": getattr(author, "id", None)}
                 for row, author in zip(rows, authors, strict=True)]
    notes = db.session.scalars(
        insert(Note).returning(Note, sort_by_parameter_order=True), note_rows).all()
    contact_links = [{"note_id": n.id, "contact_id": cid}
                     for n, (cids, _) in zip(notes, links, strict=True) for cid in sorted(cids)]
    org_links = [{"note_id": n.id, "organization_id": oid}
                 for n, (_, oids) in zip(notes, links, strict=True) for oid in sorted(oids)]
    if contact_links:
        db.session.execute(insert(note_contacts), contact_links)
    if org_links:
        db.session.execute(insert(note_organizations), org_links)
    # Each contact's last-contact dates move forward to its latest note, never back: the one
    # staff see only for notes that are not sensitive (as app.notes.services does).
    touched: dict[tuple[date, bool], set[int]] = {}
    for note, (cids, _) in zip(notes, links, strict=True):
        touched.setdefault((note.occurred_on, note.sensitive), set()).update(cids)
    for (when, sensitive), ids in sorted(touched.items()):
        columns = [Contact.last_contact_on] + ([] if sensitive
                                               else [Contact.last_open_contact_on])
        for column in columns:
            db.session.execute(
                update(Contact).where(Contact.id.in_(ids))
                .where(or_(column.is_(None), column < when))
                .values({column: when}).execution_options(synchronize_session=False))
    for note, author in zip(notes, authors, strict=True):
        record("note.create",
               f"Logged {'a sensitive' if note.sensitive else 'a'} note #{note.id}", note, author)
    db.session.flush()
    return notes


def _commitment_values(overrides: Mapping[str, Any]) -> dict[str, Any]:
    values = {"what": "Send the overdose data summary", "due_on": date(2026, 2, 1)}
    values.update(overrides)
    return values


def make_commitment(**overrides):
    from app.notes.services import create_commitment

    return create_commitment(_commitment_values(overrides), None)


def make_commitments(rows: Iterable[Mapping[str, Any]]) -> list:
    """Many commitments, each as make_commitment(**row) adds it (with its audit record), in
    one INSERT."""
    from app.notes.models import Commitment

    values = [{**_commitment_values(row), "created_by_id": None} for row in rows]
    if not values:
        return []
    commitments = db.session.scalars(
        insert(Commitment).returning(Commitment, sort_by_parameter_order=True), values).all()
    for c in commitments:
        record("commitment.create", f"Recorded commitment #{c.id}", c, None)
    db.session.flush()
    return commitments
