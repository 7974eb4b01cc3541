"""search_fast: fts5vocab tables (a search word's prefix matched as the terms it stands for); indexes for the list's orders

Revision ID: 0009_search_fast
Revises: 0008_search
"""

from alembic import op

revision = '0009_search_fast'
down_revision = '0008_search'
branch_labels = None
depends_on = None


# Read-only views of the two contact indexes' term lists (SQLite). Named *_fts_* so
# autogenerate leaves them alone.
VOCAB_SQL = [
    "CREATE VIRTUAL TABLE contact_docs_fts_vocab USING fts5vocab(contact_docs_fts, 'row')",
    "CREATE VIRTUAL TABLE contact_private_fts_vocab USING fts5vocab(contact_private_fts, 'row')",
]
VOCAB_DROP_SQL = [
    "DROP TABLE IF EXISTS contact_docs_fts_vocab",
    "DROP TABLE IF EXISTS contact_private_fts_vocab",
]

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
