"""The per-contact search documents follow every change to contacts, notes and their links."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.notes.models import Note, note_contacts
from app.people import search
from tests import factories


def _found(q: str, sensitive: bool) -> set[int]:
    return set(db.session.scalars(select(search.contact_ids_matching(q, sensitive).subquery()
                                         .c.id)))


def test_documents_follow_notes_and_links(app):
    a = factories.make_contact(first_name="Ines", last_name="Arroyo")
    b = factories.make_contact(first_name="Omar", last_name="Bello")
    note = factories.make_note([a], [], summary="Quokka sighting", sensitive=False)
    secret = factories.make_note([a], [], summary="Wombatprivate matter", sensitive=True)
    db.session.commit()
    assert _found("quokka", False) == {a.id} and _found("ines quokka", False) == {a.id}
    assert _found("wombatprivate", False) == set()          # staff never match sensitive text
    assert _found("wombatprivate", True) == {a.id}
    assert _found("ines wombatprivate", True) == {a.id}     # words across both documents
    note.summary = "Platypus sighting"
    db.session.commit()
    assert _found("quokka", False) == set() and _found("platypus", False) == {a.id}
    secret.sensitive = False
    db.session.commit()
    assert _found("wombatprivate", False) == {a.id}
    db.session.execute(note_contacts.update().where(note_contacts.c.note_id == note.id)
                       .values(contact_id=b.id))
    db.session.commit()
    assert _found("platypus", False) == {b.id}
    db.session.delete(db.session.get(Note, note.id))
    db.session.commit()
    assert _found("platypus", True) == set()
    b.search_text = "Omar Bello renamed"
    db.session.commit()
    assert _found("renamed", False) == {b.id}
    db.session.delete(b)
    db.session.commit()
    assert _found("renamed", True) == set()
