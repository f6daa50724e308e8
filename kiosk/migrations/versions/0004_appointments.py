"""appointments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 18:20:20.537051
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import kiosk.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("online_capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("booked_online", sa.Integer(), nullable=False),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="slot_within_capacity"),
        sa.CheckConstraint("booked_online >= 0 AND booked_online <= booked", name="slot_online_within_booked"),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_id", "starts_at"),
    )
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_local_day"), ["local_day"], unique=False)

    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kiosk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_id_number"), ["id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(
            "ux_booking_person_day",
            ["station_id", "id_number", "local_day"],
            unique=True,
            sqlite_where=sa.text("state = 'booked'"),
            postgresql_where=sa.text("state = 'booked'"),
        )

    with op.batch_alter_table("calendarday", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra_sessions", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("calendarday", schema=None) as batch_op:
        batch_op.drop_column("extra_sessions")

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_booking_person_day",
            sqlite_where=sa.text("state = 'booked'"),
            postgresql_where=sa.text("state = 'booked'"),
        )
        batch_op.drop_index(batch_op.f("ix_booking_slot_id"))
        batch_op.drop_index(batch_op.f("ix_booking_id_number"))

    op.drop_table("booking")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_local_day"))

    op.drop_table("slot")
