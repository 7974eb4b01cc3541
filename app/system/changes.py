"""When each table last changed: what a calendar feed's `Last-Modified` is made of.

Every transaction that writes a table (INSERT, UPDATE or DELETE, through the ORM, a bulk
statement or raw SQL) stamps that table's row in `data_changes` as it commits, in the same
transaction: a rolled-back change stamps nothing, and a committed one can never be missed.
Watching the statements on the connection (rather than the ORM's unit of work) also sees
bulk updates, link tables and full-text indexes.

Stamps are written at commit time, all of a transaction's in one statement, sorted by table
name, so two writers on PostgreSQL take the stamp rows in one order and never deadlock;
each stamp keeps the later of its old and new time (GREATEST), so it never moves back.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from sqlalchemy import String, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db, dialect

# Tables whose writes stamp nothing: the stamps themselves, the migration marker and the
# append-only audit trail (written when a sensitive note is read: a GET must not write).
UNTRACKED = frozenset({"data_changes", "alembic_version", "audit_events"})
# A stamp younger than this may still be joined by a change in the same second (HTTP dates
# have one-second resolution) or by a slower writer's commit: not yet a safe validator.
SETTLE = timedelta(seconds=2)
TRACK_OPTION = "liaison_track_changes"

_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"
    r"(?:\"?\w+\"?\.)?\"?(\w+)\"?",
    re.IGNORECASE,
)
_TOUCHED = "liaison_touched_tables"
# Commits this process has stamped (see recent_change): its own writes show at once.
_local_commits = 0
# How long recent_change trusts a stamp it read while this process wrote nothing: another
# process's change may show that much later on a page built from it.
RECENT_SECONDS = 1.0
_recent: dict[tuple[str, ...], tuple[int, float, datetime | None]] = {}
_READY = "liaison_stamps_table"


class DataChange(db.Model):
    """The last moment a table's rows changed (written as the changing transaction commits)."""

    __tablename__ = "data_changes"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


def written_table(statement: str) -> str | None:
    """The table an INSERT, UPDATE or DELETE writes; None for anything else."""
    match = _WRITE.match(statement)
    return match.group(1).lower() if match else None


def untracked(connection: Connection) -> Connection:
    """A connection whose writes stamp nothing: migrations (the table may not exist yet)
    and test fixtures that empty the database."""
    return connection.execution_options(**{TRACK_OPTION: False})


def track(engine: Engine) -> None:
    """Watch `engine`'s write statements and stamp the tables they wrote as they commit."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn, _cursor, statement, _params, _context, _executemany):
        table = written_table(statement)
        if table and table not in UNTRACKED and conn.get_execution_options().get(
                TRACK_OPTION, True):
            conn.info.setdefault(_TOUCHED, set()).add(table)

    @event.listens_for(engine, "commit")
    def _stamp(conn):
        global _local_commits
        touched = conn.info.pop(_TOUCHED, None)
        if touched and _have_table(conn):
            _write_stamps(conn, sorted(touched))
            _local_commits += 1

    @event.listens_for(engine, "rollback")
    def _forget(conn):
        conn.info.pop(_TOUCHED, None)


def _have_table(conn: Connection) -> bool:
    """Whether the stamps' table exists (remembered per connection once it does). A
    database not yet upgraded to migration 0016 has nothing that reads stamps either."""
    if not conn.info.get(_READY):
        conn.info[_READY] = inspect(conn).has_table(DataChange.__tablename__)
    return conn.info[_READY]


def _write_stamps(conn: Connection, names: list[str]) -> None:
    table = DataChange.__table__
    if conn.dialect.name == "postgresql":
        # The database's clock, read after the row lock is granted: a writer that waited
        # for another's stamp never stamps an earlier time than the one it waited for.
        stmt = postgresql.insert(table).values(
            [{"name": n, "changed_at": func.clock_timestamp()} for n in names])
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"changed_at": func.greatest(table.c.changed_at, stmt.excluded.changed_at)})
    else:
        # SQLite: this transaction holds the database's only write lock, and the app's
        # clock is the database's (same machine).
        now = utcnow()
        stmt = sqlite.insert(table).values([{"name": n, "changed_at": now} for n in names])
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"changed_at": func.max(table.c.changed_at, stmt.excluded.changed_at)})
    conn.execute(stmt)


def touch_all() -> None:
    """Stamp every table as changed now, in the session's transaction (the caller commits):
    after a restore the data may be older than what clients last saw, and their saved
    Last-Modified must not call it unchanged."""
    names = sorted(t.name for t in db.metadata.sorted_tables if t.name not in UNTRACKED)
    _write_stamps(db.session.connection(), names)


def last_change(tables: tuple[str, ...] | None = None) -> tuple[datetime | None, datetime]:
    """When any of `tables` (None: any table) last changed, and the database's clock now
    (the clock that stamped it). One statement."""
    latest = func.max(DataChange.changed_at)
    query = select(latest)
    if tables is not None:
        query = query.where(DataChange.name.in_(tables))
    if dialect() == "postgresql":
        stamp, now = db.session.execute(query.add_columns(func.clock_timestamp())).one()
        return stamp, now
    stamp = db.session.scalar(query)
    # SQLite hands back the stored text for an aggregate: parse it as the column would.
    if isinstance(stamp, str):
        stamp = UTCDateTime().process_result_value(datetime.fromisoformat(stamp), None)
    return stamp, utcnow()


def recent_change(tables: tuple[str, ...]) -> datetime | None:
    """When any of `tables` last changed, read from the database at most once a second per
    process while this process writes nothing (its own commits are seen at once): for the
    cache key of a public page every visitor hits, where a change made by another worker
    may show up to RECENT_SECONDS late and sparing each hit a database round trip matters."""
    seen = _recent.get(tables)
    now = time.monotonic()
    if seen is not None and seen[0] == _local_commits and now - seen[1] < RECENT_SECONDS:
        return seen[2]
    commits = _local_commits
    stamp, _ = last_change(tables)
    _recent[tables] = (commits, now, stamp)
    return stamp
