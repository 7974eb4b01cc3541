"""imip: invitees' answers kept across updates (asked again only when the time or place
moved enough), where an answer came from, and the calendar replies read from the mailbox

Revision ID: 0015_imip
Revises: 0014_import

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_imip'
down_revision = '0014_import'
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


def downgrade():
    for column in reversed(INVITATION_COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE invitations DROP COLUMN {column}")
        else:
            op.drop_column('invitations', column)
