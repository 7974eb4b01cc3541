"""Change stamps (app/system/changes.py): every committed write stamps its table, whatever
wrote it; a rolled-back one stamps nothing; concurrent writers never deadlock on them."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app.database import begin_write, utcnow
from app.events.models import Event
from app.extensions import db
from app.system import changes
from app.system.changes import DataChange
from tests.factories import make_contact, make_event, make_note


def _stamps() -> dict[str, object]:
    db.session.commit()
    return dict(db.session.execute(select(DataChange.name, DataChange.changed_at)).all())


@pytest.mark.parametrize(("statement", "table"), [
    ("INSERT INTO contacts (first_name) VALUES (?)", "contacts"),
    ('INSERT INTO "events" (uid) VALUES (%(uid)s)', "events"),
    ("INSERT OR REPLACE INTO settings (key) VALUES (?)", "settings"),
    ("  update notes SET summary = ?", "notes"),
    ("DELETE FROM public.contact_emails WHERE id = 1", "contact_emails"),
    ("SELECT * FROM contacts", None),
    ("WITH x AS (SELECT 1) SELECT * FROM x", None),
    ("UPDATE_LOG", None),
])
def test_the_written_table_is_read_from_the_statement(statement, table):
    assert changes.written_table(statement) == table


def test_committed_writes_stamp_their_tables_and_rollbacks_do_not(app):
    before = utcnow()
    make_contact(first_name="Quilla")  # the ORM: contacts, contact_emails, audit (untracked)
    db.session.commit()
    stamps = _stamps()
    assert {"contacts", "stance_changes"} <= set(stamps)
    assert "audit_events" not in stamps and "data_changes" not in stamps
    assert all(before - timedelta(seconds=1) <= at <= utcnow() for at in stamps.values())

    make_event(title="Never saved")
    db.session.flush()
    db.session.rollback()
    assert "events" not in _stamps()

    db.session.execute(text("DELETE FROM contact_emails"))  # raw SQL counts too
    db.session.execute(update(Event).values(title="x"))  # a bulk update of no rows counts
    db.session.commit()
    assert {"contact_emails", "events"} <= set(_stamps())


def test_link_tables_are_stamped(app):
    contact = make_contact()
    make_note(contacts=[contact])
    db.session.commit()
    assert {"notes", "note_contacts"} <= set(_stamps())


def test_untracked_connections_stamp_nothing(app):
    with changes.untracked(db.engine.connect()) as conn, conn.begin():
        conn.execute(text("DELETE FROM contacts"))
    assert "contacts" not in _stamps()


def test_stamps_only_move_forward(app):
    make_contact()
    db.session.commit()
    future = utcnow() + timedelta(hours=1)
    db.session.execute(update(DataChange).values(changed_at=future))
    db.session.commit()
    make_contact()
    db.session.commit()
    assert _stamps()["contacts"] == future


def test_concurrent_writers_on_overlapping_tables_never_fail(app):
    """Sixteen writers, each touching the same tables in its own order: stamps are taken in
    one order at commit, so PostgreSQL never sees a deadlock and SQLite queues them."""
    errors: list[str] = []
    start = threading.Barrier(16)
    tables = ["contacts", "events", "notes"]

    def write(n: int) -> None:
        order = random.sample(tables, len(tables))
        with app.app_context():
            try:
                start.wait()
                for _ in range(3):
                    begin_write(db.session)
                    for table in order:
                        db.session.execute(text(f"UPDATE {table} SET id = id WHERE 1 = 0"))  # noqa: S608
                    db.session.commit()
            except Exception as exc:
                errors.append(f"{n}: {exc!r}")
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert set(tables) <= set(_stamps())


def test_recent_change_sees_this_process_writes_at_once(app):
    """recent_change reads once a second at most, but never hides this process's own
    commits (the public tour page's cache key)."""
    from app.people.models import Organization
    from app.system.changes import recent_change

    before = recent_change(("organizations",))
    assert recent_change(("organizations",)) == before  # memo: no change, same answer
    db.session.add(Organization(name="Recent Change Org"))
    db.session.commit()
    after = recent_change(("organizations",))
    assert after is not None and (before is None or after > before)
