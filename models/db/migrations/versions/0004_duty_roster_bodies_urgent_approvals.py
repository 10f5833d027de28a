"""duty roster, bodies, urgent approvals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

The duty roster, the register of coordinated bodies, duties a body executes, hour terms and
the authority an approval needs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bodies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("office_code", sa.String(length=20), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("head", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_bodies_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bodies")),
    )
    op.create_table(
        "duty_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_duty_shifts_ordered")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_duty_shifts_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_shifts")),
        sa.UniqueConstraint("staff_id", "start_at", name=op.f("uq_duty_shifts_staff_id_start_at")),
    )
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duty_shifts_start_at_end_at"), ["start_at", "end_at"], unique=False
        )

    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("authority", sa.String(length=16), nullable=False, server_default="signatory")
        )
        batch_op.create_check_constraint(
            op.f("ck_approvals_authority"), "authority IN ('signatory', 'visa', 'on_call')"
        )
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_approvals_status_due_at"), ["status", "due_at"], unique=False
        )

    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_id", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_duties_status_due_at"), ["status", "due_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_duties_body_id_bodies"), "bodies", ["body_id"], ["id"]
        )

    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_column("details")

    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_duties_body_id_bodies"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_duties_status_due_at"))
        batch_op.drop_column("body_id")

    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_status_due_at"))
        batch_op.drop_column("due_at")
        batch_op.drop_constraint(op.f("ck_approvals_authority"), type_="check")
        batch_op.drop_column("authority")

    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_shifts_start_at_end_at"))

    op.drop_table("duty_shifts")
    op.drop_table("bodies")
