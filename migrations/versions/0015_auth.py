"""auth: two-step sign-in (TOTP secret, recovery codes), password-reset links, the
per-account failure alert, the version that rotates account-derived links, and contacts'
last contact as staff may know it (from notes that are not sensitive)

Revision ID: 0015_auth
Revises: 0014_import

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_auth'
down_revision = '0014_import'
branch_labels = None
depends_on = None


# Columns are added and dropped in place (ALTER TABLE, which SQLite 3.35+ does for both):
# rebuilding `contacts` would trip its full-text triggers, and `users` is referenced by many.
def user_columns():
    return [
        sa.Column('link_version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('totp_secret', sa.String(length=64), nullable=True),
        sa.Column('totp_pending_secret', sa.String(length=64), nullable=True),
        sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('totp_last_step', sa.Integer(), nullable=True),
        sa.Column('reset_token_hash', sa.String(length=64), nullable=True),
        sa.Column('reset_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failure_alert_at', sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade():
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sqlite_autoincrement=True
    )
    op.create_index('ix_recovery_codes_user_id', 'recovery_codes', ['user_id'], unique=False)

    for column in user_columns():
        op.add_column('users', column)
    op.create_index('ix_users_reset_token_hash', 'users', ['reset_token_hash'], unique=True)

    op.add_column('contacts', sa.Column('last_open_contact_on', sa.Date(), nullable=True))
    op.create_index('ix_contacts_last_open_contact_on', 'contacts', ['last_open_contact_on'],
                    unique=False)
    # Staff's last contact: the latest note that is not sensitive. A contact with no sensitive
    # note keeps the date it had (it may predate the notes, e.g. from the scale demo).
    op.execute(sa.text(
        "UPDATE contacts SET last_open_contact_on = CASE WHEN EXISTS ("
        " SELECT 1 FROM notes n JOIN note_contacts nc ON nc.note_id = n.id"
        " WHERE nc.contact_id = contacts.id AND n.sensitive = :yes)"
        " THEN (SELECT max(n.occurred_on) FROM notes n JOIN note_contacts nc ON nc.note_id = n.id"
        " WHERE nc.contact_id = contacts.id AND n.sensitive = :no)"
        " ELSE last_contact_on END").bindparams(yes=True, no=False))


def downgrade():
    op.drop_index('ix_contacts_last_open_contact_on', table_name='contacts')
    op.drop_column('contacts', 'last_open_contact_on')
    op.drop_index('ix_users_reset_token_hash', table_name='users')
    for column in reversed(user_columns()):
        op.drop_column('users', column.name)
    op.drop_index('ix_recovery_codes_user_id', table_name='recovery_codes')
    op.drop_table('recovery_codes')
