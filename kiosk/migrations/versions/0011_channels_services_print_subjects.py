"""home-visit places, bookings spanning several slots, print jobs for bookings and rounds

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_visit_capacity", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("booked_home_visit", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_check_constraint(
            "slot_home_visit_within_booked", "booked_home_visit >= 0 AND booked_online + booked_home_visit <= booked"
        )

    op.create_table(
        "bookingslot",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"]),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"]),
        sa.PrimaryKeyConstraint("booking_id", "slot_id"),
    )
    with op.batch_alter_table("bookingslot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookingslot_slot_id"), ["slot_id"], unique=False)

    with op.batch_alter_table("printjob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("station_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("officer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("round_date", sa.Date(), nullable=True))
    # Every print job so far was an application's receipt.
    op.execute(
        "UPDATE printjob SET station_id = (SELECT station_id FROM application WHERE application.id = printjob.application_id)"
    )
    with op.batch_alter_table("printjob", schema=None) as batch_op:
        batch_op.alter_column("station_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("application_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key("fk_printjob_station_id_station", "station", ["station_id"], ["id"])
        batch_op.create_foreign_key("fk_printjob_booking_id_booking", "booking", ["booking_id"], ["id"])
        batch_op.create_foreign_key("fk_printjob_officer_id_staffuser", "staffuser", ["officer_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_printjob_station_id"), ["station_id"], unique=False)
        batch_op.create_index("ix_printjob_booking", ["booking_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM printjob WHERE application_id IS NULL")
    with op.batch_alter_table("printjob", schema=None) as batch_op:
        batch_op.drop_index("ix_printjob_booking")
        batch_op.drop_index(batch_op.f("ix_printjob_station_id"))
        batch_op.drop_constraint("fk_printjob_officer_id_staffuser", type_="foreignkey")
        batch_op.drop_constraint("fk_printjob_booking_id_booking", type_="foreignkey")
        batch_op.drop_constraint("fk_printjob_station_id_station", type_="foreignkey")
        batch_op.alter_column("application_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("round_date")
        batch_op.drop_column("officer_id")
        batch_op.drop_column("booking_id")
        batch_op.drop_column("station_id")

    with op.batch_alter_table("bookingslot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookingslot_slot_id"))
    op.drop_table("bookingslot")

    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_constraint("slot_home_visit_within_booked", type_="check")
        batch_op.drop_column("booked_home_visit")
        batch_op.drop_column("home_visit_capacity")
