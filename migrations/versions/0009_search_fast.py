"""search_fast: fts5vocab tables, so a search word's prefix is matched as the terms it stands for

Revision ID: 0009_search_fast
Revises: 0008_search
"""

from alembic import op

from app.people.search import VOCAB_DROP_SQL, VOCAB_SQL

revision = '0009_search_fast'
down_revision = '0008_search'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for sql in VOCAB_SQL:
            op.execute(sql)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for sql in VOCAB_DROP_SQL:
            op.execute(sql)
