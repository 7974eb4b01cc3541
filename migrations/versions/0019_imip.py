"""imip: invitees' answers kept across updates (asked again only when the time or place
moved enough), where an answer came from, and the calendar replies read from the mailbox

Revision ID: 0019_imip
Revises: 0018_safety

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_imip'
down_revision = '0018_safety'
branch_labels = None
depends_on = None

INVITATION_COLUMNS = ('answered_via', 'asked_sequence', 'previous_answer')


def upgrade():
    op.add_column('invitations', sa.Column('answered_via', sa.String(length=16), nullable=True))
    op.add_column('invitations', sa.Column('asked_sequence', sa.Integer(), server_default='0',
                                           nullable=False))
    op.add_column('invitations', sa.Column(
        'previous_answer',
        sa.Enum('pending', 'yes', 'maybe', 'no', name='answer', native_enum=False, length=32),
        nullable=True))
    op.create_table(
        'inbound_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('outcome', sa.String(length=32), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
        sqlite_autoincrement=True)
    op.create_index('ix_inbound_messages_processed_at', 'inbound_messages', ['processed_at'])


def downgrade():
    op.drop_index('ix_inbound_messages_processed_at', table_name='inbound_messages')
    op.drop_table('inbound_messages')
    for column in reversed(INVITATION_COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE invitations DROP COLUMN {column}")
        else:
            op.drop_column('invitations', column)
