"""import: remembered column mappings, and a contact's name prefix, suffix and background

Revision ID: 0014_import
Revises: 0013_tours_confirm

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_import'
down_revision = '0013_tours_confirm'
branch_labels = None
depends_on = None

CONTACT_COLUMNS = ('name_prefix', 'name_suffix', 'background')


def upgrade():
    op.create_table('import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('headers_hash', sa.String(length=64), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    sa.UniqueConstraint('headers_hash', name=op.f('uq_import_mappings_headers_hash')),
    sqlite_autoincrement=True
    )
    # Plain ADD COLUMN (no batch copy): contacts carries the search triggers.
    op.add_column('contacts', sa.Column('name_prefix', sa.String(length=40), nullable=True))
    op.add_column('contacts', sa.Column('name_suffix', sa.String(length=40), nullable=True))
    op.add_column('contacts', sa.Column('background', sa.Text(), nullable=True))


def downgrade():
    for column in reversed(CONTACT_COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            # SQLite's own DROP COLUMN, not a batch copy that would lose the triggers.
            op.execute(f"ALTER TABLE contacts DROP COLUMN {column}")
        else:
            op.drop_column('contacts', column)
    op.drop_table('import_mappings')
