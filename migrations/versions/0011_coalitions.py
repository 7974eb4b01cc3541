"""coalitions: the program's values, coalitions and bodies, their members, our membership,
deadlines, values alignment, and the notes, commitments and events linked to a coalition

Revision ID: 0011_coalitions
Revises: 0010_audit_names

The program's values start as the field guidance's twelve (admins edit them under Settings).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_coalitions'
down_revision = '0010_audit_names'
branch_labels = None
depends_on = None


# The field guidance's values, as the list starts (written here, not read from the app, so
# this migration does the same thing whatever the code says later).
GUIDANCE_VALUES = (
    "Compassion",
    "Non-judgment of people and their behavior",
    "Reducing shame, bias and stigma",
    "Science and peer-reviewed evidence",
    "Recognizing trauma and cultural barriers (racism, sexism, classism)",
    "Cultural humility",
    "Equity",
    "Service",
    "Personal autonomy",
    "Meaningful empowerment",
    "Transparency",
    "Shared responsibility",
)


def upgrade():
    op.create_table('program_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_values')),
    sa.UniqueConstraint('name', name=op.f('uq_program_values_name')),
    sqlite_autoincrement=True
    )
    values = sa.table('program_values', sa.column('name', sa.String()),
                      sa.column('position', sa.Integer()), sa.column('active', sa.Boolean()))
    op.bulk_insert(values, [{'name': name, 'position': (i + 1) * 10, 'active': True}
                            for i, name in enumerate(GUIDANCE_VALUES)])
    op.create_table('coalitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('coalition', 'professional_association', 'national_network', 'working_group', 'movement_organization', name='kind', native_enum=False, length=32), nullable=False),
    sa.Column('scope', sa.Enum('local', 'regional', 'state', 'national', 'international', name='scope', native_enum=False, length=16), nullable=False),
    sa.Column('sphere', sa.Enum('government', 'social_services', 'professional', 'movement', 'media', 'neighbors', 'faith', name='sphere', native_enum=False, length=32), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('meeting_cadence', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_coalitions_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coalitions')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('coalitions', schema=None) as batch_op:
        batch_op.create_index('ix_coalitions_name', ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_coalitions_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_coalitions_sphere', ['sphere'], unique=False)

    op.create_table('coalition_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coalition_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('abstract', 'nomination', 'sign_on', 'report', 'other', name='deadlinekind', native_enum=False, length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('done', 'skipped', name='outcome', native_enum=False, length=16), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], name=op.f('fk_coalition_deadlines_coalition_id_coalitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coalition_deadlines')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('coalition_deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_coalition_deadlines_coalition_id', ['coalition_id'], unique=False)
        batch_op.create_index('ix_coalition_deadlines_outcome_due_on', ['outcome', 'due_on'], unique=False)

    op.create_table('coalition_events',
    sa.Column('coalition_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], name=op.f('fk_coalition_events_coalition_id_coalitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_coalition_events_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coalition_id', 'event_id', name=op.f('pk_coalition_events'))
    )
    with op.batch_alter_table('coalition_events', schema=None) as batch_op:
        batch_op.create_index('ix_coalition_events_event_id', ['event_id'], unique=False)

    op.create_table('coalition_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coalition_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=120), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], name=op.f('fk_coalition_members_coalition_id_coalitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_coalition_members_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_coalition_members_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coalition_members')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('coalition_members', schema=None) as batch_op:
        batch_op.create_index('ix_coalition_members_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_coalition_members_organization_id', ['organization_id'], unique=False)
        batch_op.create_index('uq_coalition_members_coalition_org', ['coalition_id', 'organization_id'], unique=True)

    op.create_table('coalition_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coalition_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'lead', 'observer', 'prospective', 'former', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('dues_cents', sa.Integer(), nullable=True),
    sa.Column('dues_period', sa.Enum('year', 'quarter', 'month', 'one_time', name='duesperiod', native_enum=False, length=16), nullable=True),
    sa.Column('paid_through', sa.Date(), nullable=True),
    sa.Column('renewal_on', sa.Date(), nullable=True),
    sa.Column('renewed_on', sa.Date(), nullable=True),
    sa.Column('lapsed_on', sa.Date(), nullable=True),
    sa.Column('lapse_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], name=op.f('fk_coalition_memberships_coalition_id_coalitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['representative_id'], ['users.id'], name=op.f('fk_coalition_memberships_representative_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coalition_memberships')),
    sa.UniqueConstraint('coalition_id', name=op.f('uq_coalition_memberships_coalition_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('coalition_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_coalition_memberships_renewal_on', ['renewal_on'], unique=False)
        batch_op.create_index('ix_coalition_memberships_representative_id', ['representative_id'], unique=False)

    op.create_table('coalition_notes',
    sa.Column('coalition_id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], name=op.f('fk_coalition_notes_coalition_id_coalitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_coalition_notes_note_id_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coalition_id', 'note_id', name=op.f('pk_coalition_notes'))
    )
    with op.batch_alter_table('coalition_notes', schema=None) as batch_op:
        batch_op.create_index('ix_coalition_notes_note_id', ['note_id'], unique=False)

    op.create_table('value_alignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value_id', sa.Integer(), nullable=False),
    sa.Column('coalition_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Enum('aligned', 'partly', 'conflicts', 'unknown', name='rating', native_enum=False, length=16), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(coalition_id IS NULL) <> (organization_id IS NULL)', name=op.f('ck_value_alignments_one_partner')),
    sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], name=op.f('fk_value_alignments_coalition_id_coalitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_value_alignments_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_value_alignments_updated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['value_id'], ['program_values.id'], name=op.f('fk_value_alignments_value_id_program_values'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_alignments')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('value_alignments', schema=None) as batch_op:
        batch_op.create_index('ix_value_alignments_value_id', ['value_id'], unique=False)
        batch_op.create_index('uq_value_alignments_coalition_value', ['coalition_id', 'value_id'], unique=True)
        batch_op.create_index('uq_value_alignments_organization_value', ['organization_id', 'value_id'], unique=True)

    op.create_table('coalition_commitments',
    sa.Column('coalition_id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coalition_id'], ['coalitions.id'], name=op.f('fk_coalition_commitments_coalition_id_coalitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_coalition_commitments_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coalition_id', 'commitment_id', name=op.f('pk_coalition_commitments'))
    )
    with op.batch_alter_table('coalition_commitments', schema=None) as batch_op:
        batch_op.create_index('ix_coalition_commitments_commitment_id', ['commitment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('coalition_commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_coalition_commitments_commitment_id')

    op.drop_table('coalition_commitments')
    with op.batch_alter_table('value_alignments', schema=None) as batch_op:
        batch_op.drop_index('uq_value_alignments_organization_value')
        batch_op.drop_index('uq_value_alignments_coalition_value')
        batch_op.drop_index('ix_value_alignments_value_id')

    op.drop_table('value_alignments')
    with op.batch_alter_table('coalition_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_coalition_notes_note_id')

    op.drop_table('coalition_notes')
    with op.batch_alter_table('coalition_memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_coalition_memberships_representative_id')
        batch_op.drop_index('ix_coalition_memberships_renewal_on')

    op.drop_table('coalition_memberships')
    with op.batch_alter_table('coalition_members', schema=None) as batch_op:
        batch_op.drop_index('uq_coalition_members_coalition_org')
        batch_op.drop_index('ix_coalition_members_organization_id')
        batch_op.drop_index('ix_coalition_members_contact_id')

    op.drop_table('coalition_members')
    with op.batch_alter_table('coalition_events', schema=None) as batch_op:
        batch_op.drop_index('ix_coalition_events_event_id')

    op.drop_table('coalition_events')
    with op.batch_alter_table('coalition_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_coalition_deadlines_outcome_due_on')
        batch_op.drop_index('ix_coalition_deadlines_coalition_id')

    op.drop_table('coalition_deadlines')
    with op.batch_alter_table('coalitions', schema=None) as batch_op:
        batch_op.drop_index('ix_coalitions_sphere')
        batch_op.drop_index(batch_op.f('ix_coalitions_organization_id'))
        batch_op.drop_index('ix_coalitions_name')

    op.drop_table('coalitions')
    op.drop_table('program_values')
