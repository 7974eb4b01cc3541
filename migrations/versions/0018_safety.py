"""safety: a version on contacts and organizations (edit conflicts), and when each table
last changed (calendar feeds' Last-Modified)

Revision ID: 0018_safety
Revises: 0017_ux

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_safety'
down_revision = '0017_ux'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_changes',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_changes'))
    )
    # Plain ALTER TABLE on both databases: a batch rebuild of contacts on SQLite would drop
    # the full-text triggers that point at it.
    for table in ('contacts', 'organizations'):
        op.add_column(table, sa.Column('version', sa.Integer(), server_default='1',
                                       nullable=False))


def downgrade():
    for table in ('organizations', 'contacts'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN version')
        else:
            op.drop_column(table, 'version')
    op.drop_table('data_changes')
