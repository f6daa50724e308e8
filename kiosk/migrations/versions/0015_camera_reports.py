"""the kiosk terminals' camera reports in the database, shared by every app server

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kiosk.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "camerareport",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("terminal", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"]),
        sa.PrimaryKeyConstraint("station_id", "terminal"),
    )


def downgrade() -> None:
    op.drop_table("camerareport")
