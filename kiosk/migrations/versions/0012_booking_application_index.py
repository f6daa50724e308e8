"""an index on the application a booking belongs to (home visits, the retention purge)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 21:40:00
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_application_id"), ["application_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_application_id"))
