"""Every table's row count and checksum: what the fault and backup drills compare."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.extensions import db


def table_prints(conn: Connection, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """{table: "rows:sha256"} for every table of ours but `skip`, rows in key order (audit
    trail and change stamps included), read through the models' column types."""
    prints = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
        prints[table.name] = f"{len(rows)}:{hashlib.sha256(repr(rows).encode()).hexdigest()}"
    return prints


def database_prints(skip: tuple[str, ...] = ()) -> dict[str, str]:
    """table_prints of the app's database as committed now."""
    db.session.commit()
    with db.engine.connect() as conn:
        return table_prints(conn, skip)
