"""search: one full-text document per contact (its words and its notes' text)

Revision ID: 0008_search
Revises: 0007_integration
"""

from alembic import op

from app.people.search import DOCS_DROP_SQL, DOCS_SQL

revision = '0008_search'
down_revision = '0007_integration'
branch_labels = None
depends_on = None


def upgrade():
    for sql in DOCS_SQL.get(op.get_bind().dialect.name, []):
        op.execute(sql)


def downgrade():
    for sql in DOCS_DROP_SQL.get(op.get_bind().dialect.name, []):
        op.execute(sql)
