"""audit names: ids never reused (AUTOINCREMENT on SQLite); audit entries keep the name they were about

Revision ID: 0010_audit_names
Revises: 0009_search_fast

Without AUTOINCREMENT, SQLite gives the next row the id of the last one deleted, so "Merged
contact #27" in the audit trail came to name somebody else. PostgreSQL sequences never hand
out an id twice: there this only adds the column.
"""

import re
from graphlib import TopologicalSorter

from alembic import op
import sqlalchemy as sa

revision = '0010_audit_names'
down_revision = '0009_search_fast'
branch_labels = None
depends_on = None

# FTS5 keeps each index in these ordinary tables, which are its own business.
FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild(bind, _with_autoincrement)
        _keep_named_ids_taken(bind)
    op.add_column('audit_events', sa.Column('object_label', sa.String(length=200), nullable=True))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE audit_events DROP COLUMN object_label")
        _rebuild(bind, _without_autoincrement)
    else:
        op.drop_column('audit_events', 'object_label')


def _with_autoincrement(table, sql, key):
    """`sql` (a CREATE TABLE as SQLAlchemy writes it) with its integer key `key` made
    AUTOINCREMENT; the primary key constraint keeps its name, moved onto the column (the
    only place SQLite accepts AUTOINCREMENT)."""
    if key is None or "AUTOINCREMENT" in sql.upper():
        return sql
    column = f"\n\t{key} INTEGER NOT NULL, "
    constraint = re.search(rf", \n\tCONSTRAINT (\w+) PRIMARY KEY \({key}\)", sql)
    if sql.count(column) != 1 or constraint is None:
        raise RuntimeError(f"{table}: its CREATE TABLE is not as expected; not rebuilt: {sql!r}")
    sql = sql[:constraint.start()] + sql[constraint.end():]
    return sql.replace(column, f"\n\t{key} INTEGER NOT NULL CONSTRAINT {constraint[1]} "
                               "PRIMARY KEY AUTOINCREMENT, ")


def _without_autoincrement(table, sql, key):
    """The inverse: the primary key constraint back in its place, first of the table's
    constraints after the last column."""
    column = re.search(rf"\n\t{key} INTEGER NOT NULL CONSTRAINT (\w+) PRIMARY KEY "
                       r"AUTOINCREMENT, ", sql) if key else None
    if column is None:
        return sql
    sql = sql.replace(column[0], f"\n\t{key} INTEGER NOT NULL, ")
    at = sql.find(", \n\tCONSTRAINT ")
    at = at if at >= 0 else sql.rindex("\n)")
    return sql[:at] + f", \n\tCONSTRAINT {column[1]} PRIMARY KEY ({key})" + sql[at:]


def _rebuild(bind, rewrite):
    """Make every ordinary table again from `rewrite(table, its CREATE TABLE, its integer
    key or None)`, keeping every row, id, index and trigger exactly as they were.

    SQLite can't alter a table's key in place. Foreign keys stay on (SQLite ignores turning
    them off inside a transaction, and the migration runs in one), and dropping a table
    others refer to would fire their ON DELETE actions. So, parents first, each table is
    renamed away (SQLite points the old copies of its children at the renamed one), made
    again from its original statement and filled; the old copies are dropped at the end,
    children first, when nothing new refers to them, so no ON DELETE action ever fires.
    """
    def run(sql):
        return bind.exec_driver_sql(sql)

    broken = run("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rows refer to rows that don't exist (table, rowid, parent): "
                           f"{[tuple(row[:3]) for row in broken[:10]]}; fix them first")
    master = run("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").all()
    virtual = {name for type_, name, _, sql in master
               if type_ == "table" and sql.upper().startswith("CREATE VIRTUAL")}
    shadows = {f"{name}_{suffix}" for name in virtual for suffix in FTS5_SHADOWS}
    tables = {name: sql for type_, name, _, sql in master
              if type_ == "table" and name not in virtual | shadows
              and not name.startswith("sqlite_") and name != "alembic_version"}
    indexes = [sql for type_, _, table, sql in master if type_ == "index" and table in tables
               and sql is not None]  # None: the index a UNIQUE constraint makes itself
    triggers = [(name, sql) for type_, name, _, sql in master if type_ == "trigger"]

    keys, parents = {}, {}
    for table in tables:
        key = [row for row in run(f'PRAGMA table_info("{table}")') if row[5]]
        keys[table] = key[0][1] if len(key) == 1 and key[0][2].upper() == "INTEGER" else None
        parents[table] = {row[2] for row in run(f'PRAGMA foreign_key_list("{table}")')}
        parents[table].discard(table)
    order = [t for t in TopologicalSorter(parents).static_order() if t in tables]

    for name, _ in triggers:
        run(f'DROP TRIGGER "{name}"')
    for table in order:
        new_sql = rewrite(table, tables[table], keys[table])
        run(f'ALTER TABLE "{table}" RENAME TO "_old_{table}"')
        run(new_sql)
        columns = ", ".join(f'"{row[1]}"' for row in run(f'PRAGMA table_info("{table}")'))
        run(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "_old_{table}"')
    for table in reversed(order):
        run(f'DROP TABLE "_old_{table}"')
    for sql in indexes:
        run(sql)
    for _, sql in triggers:
        run(sql)
    broken = run("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the rebuild broke foreign keys: {broken[:10]}")


def _keep_named_ids_taken(bind):
    """An id the audit trail names is never handed out again, even where its row was
    deleted before this migration (SQLite only remembers ids still in the table)."""
    tables = bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND sql LIKE '%AUTOINCREMENT%'").scalars().all()
    for table in tables:
        named = bind.execute(sa.text("SELECT max(object_id) FROM audit_events "
                                     "WHERE object_type = :table"), {"table": table}).scalar()
        if named is None:
            continue
        taken = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :table"),
                             {"table": table}).scalar()
        if taken is None:
            bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)"),
                         {"table": table, "seq": named})
        elif taken < named:
            bind.execute(sa.text("UPDATE sqlite_sequence SET seq = :seq WHERE name = :table"),
                         {"table": table, "seq": named})
