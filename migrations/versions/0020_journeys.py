"""journeys: name indexes for the search-as-you-type pickers, tag indexes, and the likely
duplicates list

Revision ID: 0020_journeys
Revises: 0019_imip

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_journeys'
down_revision = '0019_imip'
branch_labels = None
depends_on = None


# The pickers find a contact by its own words (names, organization, title, emails, phones,
# tags: contacts.search_text), never by its notes, and an organization by its name. SQLite:
# external-content FTS5 tables (the text stays in its table; prefix indexes make a one- to
# three-letter prefix one lookup). PostgreSQL: GIN indexes on the same text's tsvector.
# Named *_fts* so autogenerate leaves them alone.
FTS_SQLITE = [
    "CREATE VIRTUAL TABLE contact_own_fts USING fts5(search_text, content='contacts', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail=none, "
    "prefix='1 2 3')",
    "CREATE TRIGGER contact_own_fts_ai AFTER INSERT ON contacts BEGIN "
    "INSERT INTO contact_own_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER contact_own_fts_ad AFTER DELETE ON contacts BEGIN "
    "INSERT INTO contact_own_fts(contact_own_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER contact_own_fts_au AFTER UPDATE OF search_text ON contacts BEGIN "
    "INSERT INTO contact_own_fts(contact_own_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO contact_own_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO contact_own_fts(contact_own_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE organization_names_fts USING fts5(name, content='organizations', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail=none, "
    "prefix='1 2 3')",
    "CREATE TRIGGER organization_names_fts_ai AFTER INSERT ON organizations BEGIN "
    "INSERT INTO organization_names_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER organization_names_fts_ad AFTER DELETE ON organizations BEGIN "
    "INSERT INTO organization_names_fts(organization_names_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER organization_names_fts_au AFTER UPDATE OF name ON organizations BEGIN "
    "INSERT INTO organization_names_fts(organization_names_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); "
    "INSERT INTO organization_names_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO organization_names_fts(organization_names_fts) VALUES ('rebuild')",
]
FTS_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS organization_names_fts_au",
    "DROP TRIGGER IF EXISTS organization_names_fts_ad",
    "DROP TRIGGER IF EXISTS organization_names_fts_ai",
    "DROP TABLE IF EXISTS organization_names_fts",
    "DROP TRIGGER IF EXISTS contact_own_fts_au",
    "DROP TRIGGER IF EXISTS contact_own_fts_ad",
    "DROP TRIGGER IF EXISTS contact_own_fts_ai",
    "DROP TABLE IF EXISTS contact_own_fts",
]
FTS_POSTGRES = [
    "CREATE INDEX ix_contacts_own_fts ON contacts "
    "USING gin (to_tsvector('simple', search_text))",
    "CREATE INDEX ix_organizations_names_fts ON organizations "
    "USING gin (to_tsvector('simple', name))",
]
FTS_POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_organizations_names_fts",
    "DROP INDEX IF EXISTS ix_contacts_own_fts",
]


def upgrade():
    op.create_table('likely_duplicates',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('low_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('high_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['users.id'], name=op.f('fk_likely_duplicates_dismissed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('kind', 'low_id', 'high_id', name=op.f('pk_likely_duplicates'))
    )
    with op.batch_alter_table('likely_duplicates', schema=None) as batch_op:
        batch_op.create_index('ix_likely_duplicates_high', ['kind', 'high_id'], unique=False)
        batch_op.create_index('ix_likely_duplicates_rank', ['kind', 'dismissed_at', 'score', 'low_id', 'high_id'], unique=False)

    # Plain CREATE INDEX, no batch: a batch copy of contacts would drop its search (0008) and
    # tally (0016) triggers on SQLite.
    # The tag vocabulary (the tags page, suggestions) read from an index, not 50,000 rows.
    op.create_index('ix_contacts_archived_at_tags', 'contacts', ['archived_at', 'tags'],
                    unique=False)
    op.create_index('ix_organizations_archived_at_tags', 'organizations',
                    ['archived_at', 'tags'], unique=False)
    # "Changed since the last look for duplicates", as contacts have (0009).
    op.create_index('ix_organizations_updated_at', 'organizations', ['updated_at'],
                    unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in FTS_SQLITE if sqlite else FTS_POSTGRES:
        op.execute(sql)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in FTS_SQLITE_DROP if sqlite else FTS_POSTGRES_DROP:
        op.execute(sql)
    op.drop_index('ix_organizations_updated_at', table_name='organizations')
    op.drop_index('ix_organizations_archived_at_tags', table_name='organizations')
    op.drop_index('ix_contacts_archived_at_tags', table_name='contacts')

    with op.batch_alter_table('likely_duplicates', schema=None) as batch_op:
        batch_op.drop_index('ix_likely_duplicates_rank')
        batch_op.drop_index('ix_likely_duplicates_high')

    op.drop_table('likely_duplicates')
