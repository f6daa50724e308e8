"""why an application was refused, as a code the citizen's pages and messages explain

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

REFUSAL_REASONS = ("identity", "duplicate", "not_eligible", "materials", "other")


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refusal_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    # Cases refused before: the code is the start of the refusal's audit reason ("code" or "code: note").
    connection = op.get_bind()
    refusals = connection.execute(
        sa.text(
            "SELECT application_id, reason FROM auditevent WHERE action = 'reject' AND application_id IS NOT NULL"
            " ORDER BY id"
        )
    ).all()
    for application_id, reason in refusals:
        code = reason.split(":", 1)[0].strip()
        connection.execute(
            sa.text("UPDATE application SET refusal_reason = :code WHERE id = :id"),
            {"code": code if code in REFUSAL_REASONS else "other", "id": application_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("refusal_reason")
