"""tours: requests wait for the visitor to confirm their email (and hold nothing until
then), per-visitor seat limits by address, automatic confirmation after a random delay, and
visitors' changes kept for the liaison's digest

Revision ID: 0013_tours_confirm
Revises: 0012_places

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_tours_confirm'
down_revision = '0012_places'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visitor_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visitor_changes')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('visitor_changes', schema=None) as batch_op:
        batch_op.create_index('ix_visitor_changes_at', ['at'], unique=False)

    with op.batch_alter_table('tour_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('auto_confirm_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_tour_bookings_ip_hash'), ['ip_hash'], unique=False)

    # Bookings made before this step had no email to confirm: count them as confirmed, so
    # their calendar entries are withdrawn when they are cancelled or declined.
    op.execute("UPDATE tour_bookings SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table('tour_bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tour_bookings_ip_hash'))
        batch_op.drop_column('auto_confirm_at')
        batch_op.drop_column('email_confirmed_at')
        batch_op.drop_column('ip_hash')

    with op.batch_alter_table('visitor_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_visitor_changes_at')

    op.drop_table('visitor_changes')
