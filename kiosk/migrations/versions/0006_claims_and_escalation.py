"""claims and escalation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 18:42:00
"""

import sqlalchemy as sa
from alembic import op

import kiosk.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", kiosk.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("escalated_at", kiosk.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key("fk_application_claimed_by_staffuser", "staffuser", ["claimed_by"], ["id"])
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column("escalation_level", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint("fk_application_claimed_by_staffuser", type_="foreignkey")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
