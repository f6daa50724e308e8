"""who receives a posted card, and what becomes of the old card

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 18:45:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_OLD_CARD_TYPES = "('renewal_expiry', 'renewal_change', 'damaged')"


def upgrade() -> None:
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "old_card_handover", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="none"
            )
        )
    # Cases made before: a card collected at the station took the old card at collection; a posted
    # one had it handed in at the window.
    op.execute(
        "UPDATE application SET old_card_handover = CASE WHEN collection = 'post' THEN 'at_acceptance' "
        f"ELSE 'at_collection' END WHERE app_type IN {_OLD_CARD_TYPES}"
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column("old_card_handover", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("old_card_handover")
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.drop_column("recipient_name")
