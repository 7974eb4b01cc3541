"""The migrations build every table the models declare, run down and up again, are frozen
(none imports the app), and carry the data of a database made at any earlier revision to
head; on SQLite no table hands out an id twice."""

from __future__ import annotations

import ast
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import check, downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, base_config

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
REVISIONS = [s.revision for s in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the kind under test (on PostgreSQL a throwaway database, so the
    session's schema is never touched)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    name = f"liaison_scratch_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def scratch_app(tmp_path, scratch_url):
    app = create_app(base_config(tmp_path, scratch_url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(tmp_path, scratch_url):
    app = create_app(base_config(tmp_path, scratch_url))
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        check()  # exits non-zero (failing the test) if models and migrations disagree
        db.engine.dispose()


def test_audit_trail_is_append_only_in_the_database(app):
    from app.audit.services import record

    record("test.event", "something happened")
    db.session.commit()
    for statement in ("UPDATE audit_events SET summary = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text(statement))
        db.session.rollback()


# --- frozen ------------------------------------------------------------------------------


def test_no_migration_imports_the_app():
    """What a migration does is fixed the day it is written: the SQL it needs lives in the
    file, so editing app code can't change what an old migration does."""
    offenders = []
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""] if node.level == 0 else ["(relative)"]
            else:
                continue
            offenders += [f"{path.name}: {m}" for m in modules
                          if m == "app" or m.startswith("app.") or m == "(relative)"]
    assert len(REVISIONS) >= 10
    assert offenders == []


# --- data made at every revision reaches head ----------------------------------------------

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)
# An id the audit trail names whose row is long gone (deleted before the upgrade).
GONE_CONTACT = 41


def _insert(conn, table: str, **values) -> int | None:
    """INSERT one row with plain SQL (the models are at head; the table may not be)."""
    types = {datetime: sa.DateTime(timezone=True), date: sa.Date(), bool: sa.Boolean(),
             dict: sa.JSON(), list: sa.JSON(), bytes: sa.LargeBinary()}
    columns = [sa.column(k, types.get(type(v))) for k, v in values.items()]
    target = sa.table(table, sa.column("id", sa.Integer()), *columns)
    statement = sa.insert(target).values(**values)
    if table in ("settings", "note_contacts", "note_organizations", "coalition_notes",
                 "coalition_commitments", "coalition_events"):
        conn.execute(statement)
        return None
    return conn.execute(statement.returning(target.c.id)).scalar_one()


def _event_slug(conn) -> dict:
    """An event's slug, once events have one (public events: a NOT NULL unique column)."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("events")}
    return {"slug": "spring-open-house"} if "slug" in columns else {}


def _seed(conn, revision: str) -> dict:
    """Representative rows for every table that exists at `revision`; returns their ids."""
    at = REVISIONS.index(revision)

    def since(rev: str) -> bool:
        return at >= REVISIONS.index(rev)

    ids: dict = {}
    ids["user"] = _insert(
        conn, "users", email="ada@example.org", name="Ada Admin", role="admin", active=True,
        password_hash="x", must_change_password=False, session_version=1, created_at=NOW)
    _insert(conn, "settings", key="migration_probe", value={"kept": True})
    _insert(conn, "sign_in_failures", at=NOW, ip="192.0.2.1", account="someone")
    ids["audit"] = _insert(
        conn, "audit_events", at=NOW, actor_id=ids["user"], actor_name="Ada Admin",
        action="contact.delete", object_type="contacts", object_id=GONE_CONTACT,
        summary=f"Deleted contact #{GONE_CONTACT} for good")
    if not since("0002"):
        return ids
    user = ids["user"]
    ids["org"] = _insert(
        conn, "organizations", name="Harbor Clinic", type="clinic", tags="", owner_id=user,
        do_not_contact=False, created_at=NOW, updated_at=NOW)
    ids["import"] = _insert(conn, "contact_imports", filename="people.csv", rows=[],
                            created_by_id=user, created_at=NOW, created_count=1)
    ids["contact"] = _insert(
        conn, "contacts", first_name="Quilla", last_name="Marchetti",
        sort_name="marchetti quilla", organization_id=ids["org"], tags="ally",
        owner_id=user, do_not_contact=False, stance="ally", influence="high", is_media=False,
        search_text="quilla marchetti harbor clinic ally quilla@example.org 5553020415",
        import_id=ids["import"], created_at=NOW, updated_at=NOW)
    contact = ids["contact"]
    _insert(conn, "contact_emails", contact_id=contact, email="quilla@example.org")
    _insert(conn, "contact_phones", contact_id=contact, number="+15553020415")
    ids["note"] = _insert(
        conn, "notes", occurred_on=TODAY, channel="meeting", summary="Coffee with Quilla",
        body="She brought zucchini bread", body_format="plain", sensitive=False,
        author_id=user, created_at=NOW, updated_at=NOW)
    ids["private_note"] = _insert(
        conn, "notes", occurred_on=TODAY, channel="call", summary="A private call",
        body="about the xylophone", body_format="plain", sensitive=True, author_id=user,
        created_at=NOW, updated_at=NOW)
    for note in (ids["note"], ids["private_note"]):
        _insert(conn, "note_contacts", note_id=note, contact_id=contact)
    _insert(conn, "note_organizations", note_id=ids["note"], organization_id=ids["org"])
    ids["commitment"] = _insert(
        conn, "commitments", what="Send the annual report", contact_id=contact,
        organization_id=ids["org"], owner_id=user, due_on=TODAY, status="open",
        created_by_id=user, created_at=NOW)
    _insert(conn, "stance_changes", contact_id=contact, at=NOW, by_id=user, to_stance="ally",
            to_influence="high", reason="Spoke up at council")
    if since("0003_outbox"):
        _insert(conn, "outbox", message_id="<probe@example.org>", kind="invite",
                sender="liaison@example.org", recipient="quilla@example.org",
                subject="You're invited", raw=b"Subject: You're invited\r\n\r\nHi",
                status="queued", attempts=0, next_attempt_at=NOW, created_at=NOW)
    if since("0004_events"):
        ids["event"] = _insert(
            conn, "events", uid="probe@liaison", sequence=0, title="Spring open house",
            kind="open_house", starts_at=NOW, ends_at=NOW + timedelta(hours=2),
            location="The clinic", address="1 Main St", address_invitees_only=False,
            description="", is_public=True, status="scheduled", created_by_id=user,
            created_at=NOW, updated_at=NOW, **_event_slug(conn))
        _insert(conn, "event_hosts", event_id=ids["event"], contact_id=contact, role="speaker")
        _insert(conn, "invitations", event_id=ids["event"], contact_id=contact,
                name="Quilla Marchetti", email="quilla@example.org", nonce="n", token_hash="h",
                answer="yes", attendance="unknown", invited_at=NOW, invited_by_id=user)
        _insert(conn, "event_digests", user_id=user, day=TODAY, sent_at=NOW)
    if "event_registrations" in sa.inspect(conn).get_table_names():
        _insert(conn, "event_registrations", event_id=ids["event"], status="registered",
                name="Robin Neighbor", email="robin@example.org", group_size=2,
                contact_consent=True, contact_id=contact, token_nonce="n", token_hash="r",
                screening=[], held=False, blocked=False, attendance="unknown",
                created_at=NOW, updated_at=NOW)
    if since("0005_press"):
        ids["spokesperson"] = _insert(
            conn, "press_spokespeople", uid=str(uuid.uuid4()), slug="sam", name="Sam Speaker",
            title="", pronouns="", languages="", phone="", email="", bio="", notes="",
            position=1, active=True, away=False, created_at=NOW, updated_at=NOW)
        ids["inquiry"] = _insert(
            conn, "press_inquiries", journalist_name="Jo Reporter",
            journalist_email="jo@example.org", journalist_phone="", outlet="Gazette",
            contact_id=contact, topic="Funding", deadline=NOW, status="new",
            attribution="on_record", spokesperson_id=ids["spokesperson"], response_notes="",
            created_at=NOW, updated_at=NOW)
        _insert(conn, "press_rota", spokesperson_id=ids["spokesperson"], starts_on=TODAY,
                ends_on=TODAY, created_at=NOW)
        _insert(conn, "press_statements", title="On funding", issued_on=TODAY, body="We",
                published=True, created_at=NOW, updated_at=NOW)
        _insert(conn, "press_coverage", outlet="Gazette", published_on=TODAY, headline="H",
                url="https://example.org/a", tone="positive", quoted="", created_at=NOW)
        _insert(conn, "press_kit", title="Fact sheet", stored_name="k1.pdf",
                download_name="facts.pdf", content_type="application/pdf", size=10, position=1,
                created_at=NOW)
        _insert(conn, "press_page", boilerplate="B", hours="9-5", response_time="a day",
                after_hours="", review_interval_days=90, version=1, updated_at=NOW)
    if since("0006_tours"):
        slot = _insert(conn, "tour_slots", starts_at=NOW, ends_at=NOW + timedelta(hours=1))
        ids["booking"] = _insert(
            conn, "tour_bookings", slot_id=slot, status="confirmed", name="Pat Visitor",
            email="pat@example.org", group_size=2, contact_consent=True, token_nonce="n",
            token_hash="t", screening={}, held=False, sequence=0, created_at=NOW)
        _insert(conn, "tour_screens", kind="email", value="x@example.org", action="hold",
                created_at=NOW)
        _insert(conn, "tour_rate_hits", key="k", at=NOW)
    if since("0007_integration"):
        conn.execute(sa.text("UPDATE organizations SET stance = 'ally'"))
        conn.execute(sa.text("UPDATE tour_bookings SET contact_id = :c"), {"c": contact})
        _insert(conn, "organization_stance_changes", organization_id=ids["org"], at=NOW,
                by_id=user, to_stance="ally", reason="Joined the coalition")
    if since("0011_coalitions"):
        ids["coalition"] = _insert(
            conn, "coalitions", name="Harbor Coalition", kind="coalition", scope="local",
            website="", meeting_cadence="", description="", organization_id=ids["org"],
            created_at=NOW, updated_at=NOW)
        _insert(conn, "coalition_members", coalition_id=ids["coalition"],
                organization_id=ids["org"], contact_id=contact, role="chair", created_at=NOW)
        _insert(conn, "coalition_memberships", coalition_id=ids["coalition"], role="member",
                representative_id=user, renewal_on=TODAY, lapse_reason="", dues_cents=5000,
                dues_period="year", created_at=NOW, updated_at=NOW)
        _insert(conn, "coalition_deadlines", coalition_id=ids["coalition"], title="Abstract",
                kind="abstract", due_on=TODAY, notes="", created_at=NOW)
        value = conn.execute(sa.text("SELECT min(id) FROM program_values")).scalar()
        for column, target in (("coalition_id", ids["coalition"]), ("organization_id", ids["org"])):
            _insert(conn, "value_alignments", value_id=value, rating="aligned", evidence="Said so",
                    observed_on=TODAY, updated_at=NOW, **{column: target})
        for table, column, target in (("coalition_notes", "note_id", ids["note"]),
                                      ("coalition_commitments", "commitment_id", ids["commitment"]),
                                      ("coalition_events", "event_id", ids["event"])):
            _insert(conn, table, coalition_id=ids["coalition"], **{column: target})
    return ids


def _counts(conn) -> dict[str, int]:
    names = [n for n in sa.inspect(conn).get_table_names()
             if n in db.metadata.tables  # our tables, not the search index's
             and n != "data_changes"]  # bookkeeping that grows as the seed commits
    return {n: conn.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}  # noqa: S608


def _links(conn, contact: int) -> dict[str, int]:
    """How many rows of each table point at the contact (as far as the schema has links)."""
    tables = sa.inspect(conn).get_table_names()
    return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t} WHERE contact_id = :c"),  # noqa: S608
                            {"c": contact}).scalar()
            for t in tables if t in db.metadata.tables
            and "contact_id" in {c["name"] for c in sa.inspect(conn).get_columns(t)}}


@pytest.mark.parametrize("revision", REVISIONS)
def test_data_from_every_revision_survives_the_upgrade_to_head(scratch_app, revision):
    from app.people.search import contact_ids_matching

    upgrade(revision=revision)
    with db.engine.begin() as conn:
        ids = _seed(conn, revision)
        before = _counts(conn)
        links = _links(conn, ids["contact"]) if "contact" in ids else {}
    upgrade()

    with db.engine.connect() as conn:
        after = _counts(conn)
        assert {n: after[n] for n in before} == before  # nothing lost, nothing cascaded away
        row = conn.execute(sa.text("SELECT object_id, summary FROM audit_events WHERE id = :i"),
                           {"i": ids["audit"]}).one()
        assert row == (GONE_CONTACT, f"Deleted contact #{GONE_CONTACT} for good")
        setting = conn.execute(sa.text("SELECT value FROM settings WHERE key = 'migration_probe'")
                               .columns(value=sa.JSON()))
        assert setting.scalar() == {"kept": True}
        if "contact" in ids:
            contact = ids["contact"]
            linked = conn.execute(sa.text(
                "SELECT c.first_name, o.name, e.email, p.number, c.import_id FROM contacts c "
                "JOIN organizations o ON o.id = c.organization_id "
                "JOIN contact_emails e ON e.contact_id = c.id "
                "JOIN contact_phones p ON p.contact_id = c.id WHERE c.id = :c"),
                {"c": contact}).one()
            assert linked == ("Quilla", "Harbor Clinic", "quilla@example.org", "+15553020415",
                              ids["import"])
            now_linked = _links(conn, contact)
            assert {t: now_linked[t] for t in links} == links
    if "contact" in ids:
        for words, sensitive, found in [("marchetti", False, True), ("quil harb", False, True),
                                        ("zucchini", False, True), ("xylophone", False, False),
                                        ("xylophone", True, True)]:
            matched = set(db.session.scalars(contact_ids_matching(words, sensitive)))
            assert (ids["contact"] in matched) is found, (words, sensitive)
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET summary = 'rewritten'"))
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as conn:
            if "note" in ids:  # the notes index still agrees with its rows
                conn.exec_driver_sql("INSERT INTO notes_fts(notes_fts) VALUES ('integrity-check')")
            if REVISIONS.index(revision) < REVISIONS.index("0010_audit_names"):
                # The upgrade reserved the ids the trail names, even of rows long gone.
                new = _insert(conn, "contacts", first_name="New", last_name="", sort_name="new",
                              tags="", do_not_contact=False, stance="unknown",
                              influence="medium", is_media=False, search_text="new",
                              created_at=NOW, updated_at=NOW)
                assert new > GONE_CONTACT


# --- SQLite: AUTOINCREMENT everywhere, and nothing else changed ---------------------------


def _integer_keyed(table: sa.Table) -> bool:
    key = list(table.primary_key.columns)
    return len(key) == 1 and isinstance(key[0].type, sa.Integer)


def _sqlite_schema(conn) -> dict:
    """Everything SQLite knows about the schema, table by table, through its pragmas."""
    schema = {}
    master = conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").all()
    for type_, name, _, sql in master:
        entry = {"sql": sql}
        if type_ == "table" and not sql.startswith("CREATE VIRTUAL"):
            for pragma in ("table_info", "foreign_key_list", "index_list"):
                entry[pragma] = [tuple(r) for r in conn.exec_driver_sql(
                    f'PRAGMA {pragma}("{name}")')]
            entry["indexes"] = {r[1]: [tuple(i) for i in conn.exec_driver_sql(
                f'PRAGMA index_xinfo("{r[1]}")')] for r in entry["index_list"]}
        schema[(type_, name)] = entry
    return schema


@pytest.mark.sqlite_only
def test_the_rebuild_changes_nothing_but_autoincrement(scratch_app):
    previous = REVISIONS[REVISIONS.index("0010_audit_names") - 1]
    upgrade(revision=previous)
    with db.engine.connect() as conn:
        before = _sqlite_schema(conn)
    upgrade(revision="0010_audit_names")
    with db.engine.connect() as conn:
        after = _sqlite_schema(conn)
    downgrade(revision=previous)
    with db.engine.connect() as conn:
        again = _sqlite_schema(conn)

    assert set(after) - set(before) == {("table", "sqlite_sequence")}
    assert set(before) - set(after) == set()
    autoincrement = {name for (type_, name), e in after.items()
                     if type_ == "table" and "AUTOINCREMENT" in e["sql"]}
    # Tables later migrations add are made with AUTOINCREMENT by those migrations (below).
    assert autoincrement == {t.name for t in db.metadata.sorted_tables
                             if _integer_keyed(t) and ("table", t.name) in before}
    for key, entry in before.items():
        changed = {k for k in entry if entry[k] != after[key][k]}
        if key == ("table", "audit_events"):
            assert after[key]["table_info"][:-1] == entry["table_info"]
            assert after[key]["table_info"][-1][1:3] == ("object_label", "VARCHAR(200)")
            changed -= {"table_info"}
        # The key's constraint moves onto its column, keeping its name; nothing else moves.
        assert changed <= ({"sql"} if key[1] in autoincrement else set()), key
    # And back down, the very same statements as before.
    assert {k: e["sql"] for k, e in again.items() if k[1] != "sqlite_sequence"} == {
        k: e["sql"] for k, e in before.items()}
    upgrade()
    with db.engine.connect() as conn:
        head = _sqlite_schema(conn)
    assert {t.name for t in db.metadata.sorted_tables if _integer_keyed(t)} == {
        name for (type_, name), e in head.items()
        if type_ == "table" and "AUTOINCREMENT" in e["sql"]}


def test_every_integer_key_is_autoincrement_in_the_models():
    """A table added tomorrow gets it too (app.extensions): autogenerate writes it into the
    table's migration."""
    tables = [t for t in db.metadata.sorted_tables if _integer_keyed(t)]
    assert len(tables) > 20
    assert [t.name for t in tables if not t.dialect_options["sqlite"]["autoincrement"]] == []


def _filler(column: sa.Column):
    """A value any NOT NULL column of this type accepts (links may point nowhere: the test
    runs with foreign keys off)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return 0
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return "2026-01-01 00:00:00.000000"
    if isinstance(kind, sa.Date):
        return "2026-01-01"
    if isinstance(kind, sa.JSON):
        return "{}"
    if isinstance(kind, sa.LargeBinary):
        return b""
    return "x"


@pytest.mark.sqlite_only
def test_no_table_hands_out_an_id_twice(app, database_url):
    """For every table keyed by an integer: add a row, delete it, add another: the new row's
    id is larger (without AUTOINCREMENT SQLite hands out the deleted one again)."""
    conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # (outside the transaction, or it's ignored)
        conn.execute("PRAGMA ignore_check_constraints = ON")  # filler rows needn't make sense
        conn.execute("BEGIN")
        conn.execute("DROP TRIGGER audit_events_no_delete")  # rolled back below
        tables = [t for t in db.metadata.sorted_tables if _integer_keyed(t)]
        for table in tables:
            (key,) = table.primary_key.columns
            columns = [c for c in table.columns if not c.nullable and c is not key
                       and c.server_default is None]
            sql = (f'INSERT INTO "{table.name}" ({", ".join(c.name for c in columns)}) '  # noqa: S608
                   f'VALUES ({", ".join("?" * len(columns))})')
            values = [_filler(c) for c in columns]
            first = conn.execute(sql, values).lastrowid
            conn.execute(f'DELETE FROM "{table.name}" WHERE {key.name} = ?', (first,))  # noqa: S608
            second = conn.execute(sql, values).lastrowid
            assert second > first, table.name
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert "audit_events" in {t.name for t in tables}
