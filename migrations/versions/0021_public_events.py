"""public events: a slug for each event's public page, accessibility notes, registration
on the public page, and registrations with their waitlist

Revision ID: 0021_public_events
Revises: 0020_journeys

Written out in full (no app code imported). Existing events get slugs made from their titles
(ASCII, lower case, words joined by hyphens, unique, "registered" and "registration"
reserved), the way the app makes them today.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0021_public_events'
down_revision = '0020_journeys'
branch_labels = None
depends_on = None

RESERVED = {"registered", "registration"}


def _slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:60].strip("-") or "event"


def _backfill_slugs():
    conn = op.get_bind()
    events = sa.table("events", sa.column("id", sa.Integer()), sa.column("title", sa.String()),
                      sa.column("slug", sa.String()))
    taken = set()
    for row in conn.execute(sa.select(events.c.id, events.c.title).order_by(events.c.id)):
        base = slug = _slugify(row.title)
        n = 2
        while slug in taken or slug in RESERVED:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        conn.execute(events.update().where(events.c.id == row.id).values(slug=slug))


def upgrade():
    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waitlisted', 'offered', 'cancelled', 'declined', 'lapsed', name='registrationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('affiliation', sa.String(length=200), nullable=True),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('accessibility', sa.Text(), nullable=True),
    sa.Column('contact_consent', sa.Boolean(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('token_nonce', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('screening', sa.JSON(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('address_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance', sa.Enum('unknown', 'attended', 'no_show', name='attendance', native_enum=False, length=32), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('anonymized_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_event_registrations_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_registrations_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_event_registrations_token_hash')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_event_registrations_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_event_registrations_email', ['email'], unique=False)
        batch_op.create_index('ix_event_registrations_event_status', ['event_id', 'status'], unique=False)

    # Plain ADD COLUMN, never a batch rebuild: on SQLite rebuilding `events` would drop it,
    # and its invitations, hosts and registrations with it (ON DELETE CASCADE).
    op.add_column('events', sa.Column('slug', sa.String(length=120), server_default='', nullable=False))
    op.add_column('events', sa.Column('accessibility', sa.Text(), server_default='', nullable=False))
    op.add_column('events', sa.Column('registration_open', sa.Boolean(), server_default=sa.false(), nullable=False))
    _backfill_slugs()
    if op.get_bind().dialect.name != "sqlite":  # SQLite can't drop a default in place
        op.alter_column('events', 'slug', server_default=None, existing_type=sa.String(length=120))
    op.create_index('uq_events_slug', 'events', ['slug'], unique=True)


def downgrade():
    op.drop_index('uq_events_slug', table_name='events')
    for column in ('registration_open', 'accessibility', 'slug'):
        if op.get_bind().dialect.name == "sqlite":  # (no batch rebuild: see upgrade)
            op.execute(f"ALTER TABLE events DROP COLUMN {column}")
        else:
            op.drop_column('events', column)

    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_event_registrations_event_status')
        batch_op.drop_index('ix_event_registrations_email')
        batch_op.drop_index('ix_event_registrations_contact_id')

    op.drop_table('event_registrations')
