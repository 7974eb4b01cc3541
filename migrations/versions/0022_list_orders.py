"""list orders: indexes that give the notes list's order and the contact list's "recently
changed" and "longest since contact" orders exactly, so a page stops after its rows on
PostgreSQL too

Revision ID: 0022_list_orders
Revises: 0021_public_events

The notes list orders by date, then id (newest first), and "recently changed" by updated_at,
then id: their indexes now hold both (a busy day's notes share a date, contacts saved in one
import share a time, and PostgreSQL sorted all of them to find a page). "Longest since contact"
puts the never-contacted first: SQLite's ascending index already does (NULL sorts first
there); PostgreSQL's puts NULL last, so it gets indexes made NULLS FIRST, which SQLite cannot
declare. Those two are managed here only (app/database.py include_name: "_pg_" in the name).
"""
from alembic import op


revision = '0022_list_orders'
down_revision = '0021_public_events'
branch_labels = None
depends_on = None

NULLS_FIRST = {
    "ix_contacts_pg_last_contact_on_id": "last_contact_on",
    "ix_contacts_pg_last_open_contact_on_id": "last_open_contact_on",
}


def upgrade():
    op.drop_index('ix_notes_occurred_on', table_name='notes')
    op.drop_index('ix_notes_sensitive_occurred_on', table_name='notes')
    op.create_index('ix_notes_occurred_on_id', 'notes', ['occurred_on', 'id'], unique=False)
    op.create_index('ix_notes_sensitive_occurred_on_id', 'notes',
                    ['sensitive', 'occurred_on', 'id'], unique=False)
    op.drop_index('ix_contacts_updated_at', table_name='contacts')
    op.create_index('ix_contacts_updated_at_id', 'contacts', ['updated_at', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for name, column in NULLS_FIRST.items():
            op.execute(f"CREATE INDEX {name} ON contacts ({column} NULLS FIRST, id)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in NULLS_FIRST:
            op.execute(f"DROP INDEX {name}")
    op.drop_index('ix_contacts_updated_at_id', table_name='contacts')
    op.create_index('ix_contacts_updated_at', 'contacts', ['updated_at'], unique=False)
    op.drop_index('ix_notes_sensitive_occurred_on_id', table_name='notes')
    op.drop_index('ix_notes_occurred_on_id', table_name='notes')
    op.create_index('ix_notes_sensitive_occurred_on', 'notes', ['sensitive', 'occurred_on'],
                    unique=False)
    op.create_index('ix_notes_occurred_on', 'notes', ['occurred_on'], unique=False)
