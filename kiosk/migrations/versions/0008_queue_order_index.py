"""an index in the staff queue's order

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 19:00:00
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_queue_order", ["station_id", "queue_rank", "handling_deadline", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_queue_order")
