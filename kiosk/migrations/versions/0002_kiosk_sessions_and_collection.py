"""kiosk sessions and collection details

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 17:54:14.209139
"""

import secrets

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kiosk.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosksession",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("updated_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postal_fee_yuan", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "collection", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default="station"
            )
        )
        batch_op.add_column(sa.Column("photo_at_window", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("track_token", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_track_token"), ["track_token"], unique=False)

    # Every existing application gets its own secret for the progress link.
    application = sa.table("application", sa.column("id", sa.Integer), sa.column("track_token", sa.String))
    connection = op.get_bind()
    for (application_id,) in connection.execute(sa.select(application.c.id)).all():
        connection.execute(
            application.update().where(application.c.id == application_id).values(track_token=secrets.token_urlsafe(12))
        )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column("track_token", existing_type=sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False)
        batch_op.alter_column("postal_fee_yuan", server_default=None)
        batch_op.alter_column("collection", server_default=None)
        batch_op.alter_column("photo_at_window", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_track_token"))
        batch_op.drop_column("track_token")
        batch_op.drop_column("photo_at_window")
        batch_op.drop_column("collection")
        batch_op.drop_column("postal_fee_yuan")

    op.drop_table("kiosksession")
