"""print jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 18:22:53.037798
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kiosk.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "printjob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("printer", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("progress_url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("backend_job", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("printjob", schema=None) as batch_op:
        batch_op.create_index("ix_printjob_application_kind", ["application_id", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_printjob_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("printjob", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_printjob_state"))
        batch_op.drop_index("ix_printjob_application_kind")

    op.drop_table("printjob")
