"""places: the community map — service sites, blocks and areas with dated notes, places,
and events placed at a place

Revision ID: 0012_places
Revises: 0011_coalitions

Written out in full (no app code imported).
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_places'
down_revision = '0011_coalitions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.Column('hours_url', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_sites')),
    sqlite_autoincrement=True
    )
    op.create_table('map_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('block', 'area', name='areakind', native_enum=False, length=16), nullable=False),
    sa.Column('private', sa.Boolean(), nullable=False),
    sa.Column('ring', sa.JSON(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('min_lng', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('max_lng', sa.Float(), nullable=False),
    sa.Column('center_lat', sa.Float(), nullable=False),
    sa.Column('center_lng', sa.Float(), nullable=False),
    sa.Column('area_m2', sa.Float(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_map_areas_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['service_sites.id'], name=op.f('fk_map_areas_site_id_service_sites'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_map_areas')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('map_areas', schema=None) as batch_op:
        batch_op.create_index('ix_map_areas_bbox', ['min_lat', 'max_lat', 'min_lng', 'max_lng'], unique=False)
        batch_op.create_index('ix_map_areas_distance_m', ['distance_m'], unique=False)

    op.create_table('map_area_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('walked', 'changed', 'issue', name='notekind', native_enum=False, length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['map_areas.id'], name=op.f('fk_map_area_notes_area_id_map_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_map_area_notes_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_map_area_notes')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('map_area_notes', schema=None) as batch_op:
        batch_op.create_index('ix_map_area_notes_area_id_noted_on', ['area_id', 'noted_on'], unique=False)

    op.create_table('places',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.Enum('school', 'faith', 'business', 'community', 'clinic', 'pharmacy', 'park', 'transit', 'government', 'law_enforcement', 'participant_area', 'issue', 'other', name='category', native_enum=False, length=32), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('issue_open', sa.Boolean(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['map_areas.id'], name=op.f('fk_places_area_id_map_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_places_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_places_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_places_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['service_sites.id'], name=op.f('fk_places_site_id_service_sites'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_places')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.create_index('ix_places_area_id', ['area_id'], unique=False)
        batch_op.create_index('ix_places_category', ['category'], unique=False)
        batch_op.create_index('ix_places_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_places_distance_m', ['distance_m'], unique=False)
        batch_op.create_index('ix_places_issue_open', ['issue_open'], unique=False)
        batch_op.create_index('ix_places_lat_lng', ['lat', 'lng'], unique=False)
        batch_op.create_index('ix_places_organization_id', ['organization_id'], unique=False)

    op.create_table('place_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_place_events_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_events_place_id_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_place_events_event_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('place_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_events_place_id'), ['place_id'], unique=False)



def downgrade():
    with op.batch_alter_table('place_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_events_place_id'))

    op.drop_table('place_events')
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_index('ix_places_organization_id')
        batch_op.drop_index('ix_places_lat_lng')
        batch_op.drop_index('ix_places_issue_open')
        batch_op.drop_index('ix_places_distance_m')
        batch_op.drop_index('ix_places_contact_id')
        batch_op.drop_index('ix_places_category')
        batch_op.drop_index('ix_places_area_id')

    op.drop_table('places')
    with op.batch_alter_table('map_area_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_map_area_notes_area_id_noted_on')

    op.drop_table('map_area_notes')
    with op.batch_alter_table('map_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_map_areas_distance_m')
        batch_op.drop_index('ix_map_areas_bbox')

    op.drop_table('map_areas')
    op.drop_table('service_sites')
