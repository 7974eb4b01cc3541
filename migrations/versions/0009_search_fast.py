"""search_fast: fts5vocab tables (a search word's prefix matched as the terms it stands for); indexes for the list's orders

Revision ID: 0009_search_fast
Revises: 0008_search
"""

from alembic import op

from app.people.search import VOCAB_DROP_SQL, VOCAB_SQL

revision = '0009_search_fast'
down_revision = '0008_search'
branch_labels = None
depends_on = None


INDEXES = [("ix_contacts_archived_at_sort_name", ["archived_at", "sort_name"]),
           ("ix_contacts_stance_sort_name", ["stance", "sort_name"]),
           ("ix_contacts_updated_at", ["updated_at"])]


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, "contacts", columns)
    if op.get_bind().dialect.name == "sqlite":
        for sql in VOCAB_SQL:
            op.execute(sql)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for sql in VOCAB_DROP_SQL:
            op.execute(sql)
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="contacts")
