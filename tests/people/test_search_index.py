"""The per-contact search documents follow every change to contacts, notes and their links."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.notes.models import Note, note_contacts
from app.people import queries, search
from app.people.queries import contact_page
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


def test_prefixes_phone_groups_and_tags(app):
    a = factories.make_contact(first_name="Rosalind", last_name="Quist",
                               tags="harm-reduction,faith", phones=["+15553020415"])
    b = factories.make_contact(first_name="Rosa", last_name="Quintero", tags="faith-based")
    c = factories.make_contact(first_name="Roslyn", last_name="Zed")
    factories.make_note([c], [], summary="Quiet word", sensitive=True)
    db.session.commit()
    # A prefix that stands for several terms, or none at all, in either table.
    assert _found("ros", False) == {a.id, b.id, c.id}
    assert _found("ros qui", False) == {a.id, b.id}
    assert _found("ros qui", True) == {a.id, b.id, c.id}     # "quiet" from a sensitive note
    assert _found("rosx", True) == set() and _found("ros zzz", True) == set()
    assert _found("ros_qui", False) == {a.id, b.id}          # "_" splits words, as the index does
    # A number in groups: the whole number, or its indexed groups.
    for q in ["555-302-0415", "(555) 302-04", "+1 555 302 0415", "302 0415", "5553020415"]:
        assert _found(q, False) == {a.id}, q
    assert _found("555-302-9999", False) == set()
    user = factories.make_user()
    rows, total, _ = contact_page({"tag": "faith"}, user, 1)
    assert [r.id for r in rows] == [a.id] and total == 1
    rows, _, _ = contact_page({"tag": "harm-reduction"}, user, 1)
    assert [r.id for r in rows] == [a.id]
    # Part of a tag stands for the tags holding it (the People filter's suggestions too).
    assert [r.id for r in contact_page({"tag": "harm"}, user, 1)[0]] == [a.id]


@pytest.mark.parametrize("role", ["staff", "liaison"])
def test_dense_and_sparse_paths_give_the_same_pages(app, monkeypatch, role):
    """Past the count cap a page walks the sort's index; below it, or (PostgreSQL) when the
    walk's window holds less than the page, matches are looked up and sorted: all give the
    same rows in the same order."""
    user = factories.make_user(role=role)
    people = [factories.make_contact(first_name=f"Naomi{i % 3}", last_name=f"L{(7 * i) % 10}",
                                     stance=["ally", "neutral"][i % 2], tags="press")
              for i in range(10)]
    factories.make_note(people[:4], [], summary="naloxone training", sensitive=False)
    factories.make_note(people[3:6], [], summary="naloxone kits", sensitive=True)
    db.session.commit()
    cases = [{"q": "naloxone"}, {"q": "nal kit"}, {"q": "naomi", "sort": "stance"},
             {"q": "naomi", "sort": "recent"}, {"q": "nao", "sort": "contact"},
             {"q": "naomi press", "stance": "ally"}, {"tag": "press", "sort": "recent"}]
    for args in cases:
        pages = [contact_page(args, user, page, size=3) for page in (1, 2, 3)]
        monkeypatch.setattr(queries, "COUNT_CAP", 1)
        monkeypatch.setattr(queries, "WALK_FROM", 1)
        dense = [contact_page(args, user, page, size=3) for page in (1, 2, 3)]
        monkeypatch.setattr(queries, "WALK_WINDOW", 1)
        monkeypatch.setattr(queries, "WALK_PER_ROW", 1)  # the window: just the page's end
        bunched = [contact_page(args, user, page, size=3) for page in (1, 2, 3)]
        monkeypatch.undo()
        assert [[c.id for c in p[0]] for p in pages] == [[c.id for c in p[0]] for p in dense]
        assert [[c.id for c in p[0]] for p in dense] == [[c.id for c in p[0]] for p in bunched]
        assert dense[0][2] == (pages[0][1] > 0) and not pages[0][2], args
        assert pages[0][0] or (args == {"q": "nal kit"} and role == "staff"), args


def _index_machinery() -> list:
    """The triggers, and on PostgreSQL the indexes too (the load rebuilds the GIN ones)."""
    if db.engine.dialect.name == "sqlite":
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    else:
        sql = ("SELECT tgname, tgenabled::text, pg_get_triggerdef(oid) FROM pg_trigger "
               "WHERE NOT tgisinternal UNION ALL SELECT indexname, tablename, indexdef "
               "FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
    return [tuple(row) for row in db.session.execute(text(sql))]


def test_bulk_load_indexes_what_it_adds_and_puts_the_triggers_back(app):
    """The triggers it holds back are read from the database (the migrations made them), so
    the index is kept by the very same triggers after a bulk load."""
    before = _index_machinery()
    with search.bulk_load():
        contact = factories.make_contact(first_name="Bulkina", last_name="Loadwell")
        factories.make_note([contact], [], summary="Capybara census", sensitive=False)
    db.session.commit()
    assert _index_machinery() == before
    assert _found("bulkina capybara", False) == {contact.id}
    later = factories.make_contact(first_name="Afterward", last_name="Triggered")
    db.session.commit()
    assert _found("afterward", False) == {later.id}
