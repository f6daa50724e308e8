"""failed progress look-ups per application number (their lockout)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:54:44
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kiosk.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trackingfailure",
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("counted_until", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", kiosk.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("number"),
    )
    with op.batch_alter_table("trackingfailure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trackingfailure_counted_until"), ["counted_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trackingfailure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trackingfailure_counted_until"))
    op.drop_table("trackingfailure")
