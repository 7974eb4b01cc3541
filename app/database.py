"""Database engine tuning: SQLite pragmas and write transactions that lock up front."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask import current_app, has_request_context, request
from sqlalchemy import DateTime, Enum, TypeDecorator, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session

# Column defaults and older callers know the clock's `now` by this name.
from app.settings.clock import now as utcnow  # noqa: F401

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_engine(engine: Engine) -> None:
    """Give every SQLite connection WAL, foreign keys and a patient busy timeout; turn off
    PostgreSQL's JIT compiler.

    PostgreSQL compiles a query to machine code when its estimated cost passes a threshold,
    which the estimates for a page's LIMITed query over 500,000 contacts do: the compiling
    took 300 ms of a 470 ms picker search that then read 200 rows. Our queries are short
    (a page of rows), where JIT only adds its own cost.

    pysqlite's own transaction handling begins lazily and deferred, so a transaction that
    reads and then writes can fail with "database is locked" when another writer got there
    first. We take over BEGIN: requests that may write (anything but GET/HEAD/OPTIONS, and
    GET views marked `@writes`) start with BEGIN IMMEDIATE, taking the write lock before the
    first read, so concurrent writers queue instead of failing or overselling. Work outside a
    request (CLI, workers) begins deferred unless it asks with `begin_write`. Under test, a
    GET view that writes without its mark fails at the write, so the crawl of every page
    finds one the day it is written.
    """
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _no_jit(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET jit = off")
            dbapi_connection.commit()  # a SET in a transaction rolled back is undone
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate")
        reading_view = False
        if immediate is None:
            immediate = has_request_context() and _request_writes()
            reading_view = has_request_context() and not immediate and _dispatching()
        conn.info["reading_view"] = reading_view
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _no_unmarked_writes(conn, _cursor, statement, _params, _context, _executemany):
        if conn.info.get("reading_view") and statement.lstrip()[:6].upper() in _WRITES \
                and current_app.testing:
            raise RuntimeError(
                f"{request.method} {request.endpoint} writes in a transaction that began as a "
                "read: mark the view @writes (app/database.py), or a concurrent commit makes "
                "its write fail with 'database is locked'")


_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLAC"})
DISPATCHING = "liaison.dispatching"


def writes(view):
    """Mark a GET view that writes (an audit record of what it showed, an export's record):
    its transaction takes SQLite's write lock up front, as a POST's does. Without it, the
    write comes after the page's reads and fails at once if anyone committed in between."""
    view.writes = True
    return view


def _request_writes() -> bool:
    if request.method not in _SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes", False))


def _dispatching() -> bool:
    """True in a request the app is serving (not a test's request context around a call)."""
    return bool(request.environ.get(DISPATCHING))


def begin_write(session) -> None:
    """Start a write transaction: BEGIN IMMEDIATE on SQLite, so it waits for the write lock
    up front (busy_timeout) instead of failing later, when a read turns into a write after
    someone else committed (SQLite refuses that upgrade at once, whatever the timeout). Work
    outside a request calls it at the start of each unit of work that reads, then writes: a
    periodic job, a purger, a recorded command, one inbound message. A transaction still
    open is committed first (it holds reads, or the last unit's work)."""
    current = session() if isinstance(session, scoped_session) else session
    if current.in_transaction():
        current.commit()
    session.connection(execution_options={"sqlite_immediate": True})


def lock_row(session, model, row_id: int) -> None:
    """Hold `model`'s row `row_id` until the transaction ends, so a read-check-write on it
    (a version compared before saving, who is already invited) can't interleave with
    another's. PostgreSQL: SELECT … FOR UPDATE; SQLite: a request that may write already
    holds the database's write lock (BEGIN IMMEDIATE), and FOR UPDATE renders as nothing."""
    key = model.__mapper__.primary_key[0]
    session.execute(select(key).where(key == row_id).with_for_update())


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite and PostgreSQL alike.

    SQLite has no time zone type and hands back naive values; we store UTC and re-attach it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timestamps as aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def render_item(type_: str, obj, autogen_context):
    """Alembic hook: migrations spell our UTCDateTime as the plain type it stores as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Alembic hook: full-text index objects (FTS5 tables, GIN indexes) and PostgreSQL-only
    indexes ("_pg_" in the name: NULLS FIRST orders, which SQLite cannot declare) are managed
    by hand-written migration steps, so autogenerate and `flask db check` leave them alone."""
    return not (name and ("_fts" in name or "_pg_" in name) and type_ in ("table", "index"))


def str_enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    """A Python enum stored as its string value (a VARCHAR, the same on every database),
    refusing strings that are not one of its values."""
    return Enum(cls, native_enum=False, length=length, validate_strings=True)
