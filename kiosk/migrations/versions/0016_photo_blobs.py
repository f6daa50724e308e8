"""photos kept in the database (PHOTO_STORE = "database")

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kiosk.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photoblob",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("photoblob")
