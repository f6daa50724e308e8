"""a temporary ID application is linked to the same person's pending main application

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-04 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("main_application_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_main_application_id"), ["main_application_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_application_main_application_id", "application", ["main_application_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint("fk_application_main_application_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_application_main_application_id"))
        batch_op.drop_column("main_application_id")
