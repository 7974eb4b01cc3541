"""bench: pages that cost the page, not the table — contact tallies kept by triggers, indexes
for an organization's people, media contacts, the keep-in-touch classes, stance changes and
the public feed's cache key

Revision ID: 0016_bench
Revises: 0015_auth

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_bench'
down_revision = '0015_auth'
branch_labels = None
depends_on = None

_ACTIVE_COUNTS = ("SELECT stance, influence, count(*) FROM contacts WHERE archived_at IS NULL "
                  "GROUP BY stance, influence")

# SQLite: row triggers. A change that moves no contact between (stance, influence, active)
# writes nothing.
_SQLITE = [
    "CREATE TRIGGER contact_tallies_ai AFTER INSERT ON contacts WHEN new.archived_at IS NULL "
    "BEGIN INSERT INTO contact_tallies (stance, influence, n) VALUES (new.stance, new.influence, 1) "
    "ON CONFLICT (stance, influence) DO UPDATE SET n = n + 1; END",
    "CREATE TRIGGER contact_tallies_ad AFTER DELETE ON contacts WHEN old.archived_at IS NULL "
    "BEGIN UPDATE contact_tallies SET n = n - 1 "
    "WHERE stance = old.stance AND influence = old.influence; END",
    "CREATE TRIGGER contact_tallies_au AFTER UPDATE OF stance, influence, archived_at ON contacts "
    "WHEN old.stance IS NOT new.stance OR old.influence IS NOT new.influence "
    "OR (old.archived_at IS NULL) <> (new.archived_at IS NULL) BEGIN "
    "UPDATE contact_tallies SET n = n - 1 WHERE old.archived_at IS NULL "
    "AND stance = old.stance AND influence = old.influence; "
    "INSERT INTO contact_tallies (stance, influence, n) "
    "SELECT new.stance, new.influence, 1 WHERE new.archived_at IS NULL "
    "ON CONFLICT (stance, influence) DO UPDATE SET n = n + 1; END",
]

# PostgreSQL: statement triggers over the transition tables (a bulk insert of 500,000 rows
# is one upsert per cell, not 500,000). Net changes only, in a fixed order, so concurrent
# saves that don't move a contact between cells take no lock on the tallies, and those that
# do always lock the cells in the same order (no deadlock).
_PG_FUNCTION = """
CREATE FUNCTION contact_tallies_apply() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO contact_tallies (stance, influence, n)
    SELECT stance, influence, count(*) FROM new_rows WHERE archived_at IS NULL
    GROUP BY stance, influence ORDER BY stance, influence
    ON CONFLICT (stance, influence) DO UPDATE SET n = contact_tallies.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO contact_tallies (stance, influence, n)
    SELECT stance, influence, -count(*) FROM old_rows WHERE archived_at IS NULL
    GROUP BY stance, influence ORDER BY stance, influence
    ON CONFLICT (stance, influence) DO UPDATE SET n = contact_tallies.n + excluded.n;
  ELSE
    INSERT INTO contact_tallies (stance, influence, n)
    SELECT stance, influence, sum(d) FROM (
      SELECT stance, influence, -1 AS d FROM old_rows WHERE archived_at IS NULL
      UNION ALL
      SELECT stance, influence, 1 AS d FROM new_rows WHERE archived_at IS NULL) AS moved
    GROUP BY stance, influence HAVING sum(d) <> 0 ORDER BY stance, influence
    ON CONFLICT (stance, influence) DO UPDATE SET n = contact_tallies.n + excluded.n;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
_PG = [
    _PG_FUNCTION,
    "CREATE TRIGGER contact_tallies_ai AFTER INSERT ON contacts REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_tallies_apply()",
    "CREATE TRIGGER contact_tallies_au AFTER UPDATE ON contacts REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_tallies_apply()",
    "CREATE TRIGGER contact_tallies_ad AFTER DELETE ON contacts REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_tallies_apply()",
]


def upgrade():
    op.create_table('contact_tallies',
    sa.Column('stance', sa.Enum('champion', 'ally', 'neutral', 'skeptic', 'challenger', 'unknown', name='stance', native_enum=False, length=32), nullable=False),
    sa.Column('influence', sa.Enum('low', 'medium', 'high', name='influence', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('stance', 'influence', name=op.f('pk_contact_tallies'))
    )
    op.execute(f"INSERT INTO contact_tallies (stance, influence, n) {_ACTIVE_COUNTS}")
    for statement in _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)

    # Plain CREATE/DROP INDEX (no batch): a batch copy of contacts would drop its triggers.
    op.drop_index('ix_contacts_organization_id', table_name='contacts')
    op.create_index('ix_contacts_organization_id_archived_at_sort_name', 'contacts', ['organization_id', 'archived_at', 'sort_name'], unique=False)
    op.create_index('ix_contacts_is_media_archived_at_sort_name', 'contacts', ['is_media', 'archived_at', 'sort_name'], unique=False)
    op.create_index('ix_contacts_is_media_archived_at_stance_last_contact_on', 'contacts', ['is_media', 'archived_at', 'stance', 'last_contact_on'], unique=False)
    # The same classes as staff see them (last contact from notes that are not sensitive).
    op.create_index('ix_contacts_is_media_archived_at_stance_last_open_contact_on', 'contacts', ['is_media', 'archived_at', 'stance', 'last_open_contact_on'], unique=False)
    op.create_index('ix_contacts_archived_at_keep_in_touch_days', 'contacts', ['archived_at', 'keep_in_touch_days'], unique=False)
    op.create_index('ix_events_public_feed', 'events', ['is_public', 'ends_at', 'updated_at', 'sequence'], unique=False)
    op.create_index('ix_stance_changes_changed_at', 'stance_changes', ['at'], unique=False, sqlite_where=sa.text('from_stance IS NOT NULL'), postgresql_where=sa.text('from_stance IS NOT NULL'))


def downgrade():
    op.drop_index('ix_stance_changes_changed_at', table_name='stance_changes')
    op.drop_index('ix_events_public_feed', table_name='events')
    op.drop_index('ix_contacts_archived_at_keep_in_touch_days', table_name='contacts')
    op.drop_index('ix_contacts_is_media_archived_at_stance_last_open_contact_on', table_name='contacts')
    op.drop_index('ix_contacts_is_media_archived_at_stance_last_contact_on', table_name='contacts')
    op.drop_index('ix_contacts_is_media_archived_at_sort_name', table_name='contacts')
    op.drop_index('ix_contacts_organization_id_archived_at_sort_name', table_name='contacts')
    op.create_index('ix_contacts_organization_id', 'contacts', ['organization_id'], unique=False)
    for name in ("contact_tallies_ai", "contact_tallies_au", "contact_tallies_ad"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON contacts")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS contact_tallies_apply()")
    op.drop_table('contact_tallies')
