"""home visits

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 19:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kiosk.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("visit_date", sa.Date(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("recorded_at", kiosk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.ForeignKeyConstraint(["officer_id"], ["staffuser.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_visit_date"), ["visit_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_visit_date"))
        batch_op.drop_index(batch_op.f("ix_visit_officer_id"))
    op.drop_table("visit")
