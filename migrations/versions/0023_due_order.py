"""due order: on PostgreSQL, each keep-in-touch class in its order, so "due for contact" reads
its page and stops

Revision ID: 0023_due_order
Revises: 0022_list_orders

"Due for contact" asks each class of contacts (a stance, media or not, not archived) for its
longest-waiting first. SQLite walks (is_media, archived_at, stance, last_contact_on) in that
order. PostgreSQL doesn't count `archived_at IS NULL` as fixing a column the way an equality
does, so the order after it wasn't the index's to give: it read every contact of a busy last
contact date and sorted them (686 rows for a page of 25 at 500,000 contacts). These partial
indexes hold active contacts only, with the id that breaks ties. PostgreSQL only ("_pg_" in
the name: app/database.py include_name keeps them out of autogenerate).
"""
from alembic import op


revision = '0023_due_order'
down_revision = '0022_list_orders'
branch_labels = None
depends_on = None

CLASS_ORDERS = {
    "ix_contacts_pg_due_last_contact_on": "last_contact_on",
    "ix_contacts_pg_due_last_open_contact_on": "last_open_contact_on",
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, column in CLASS_ORDERS.items():
            op.execute(f"CREATE INDEX {name} ON contacts (is_media, stance, {column}, id) "
                       "WHERE archived_at IS NULL")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in CLASS_ORDERS:
            op.execute(f"DROP INDEX {name}")
