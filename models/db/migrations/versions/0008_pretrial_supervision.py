"""supervision of pre-trial investigation: new kinds of procedure and the inbox of records

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

Criminal cases from the Unified Register (ЕРДР), detentions, complaints about the investigating
body (CPC art. 105), the prosecutor's decisions on finished cases, указания and state
prosecution become kinds of procedure. ``inbox_records`` keeps every record from outside exactly
as received, registered or rejected with its reason, before it is announced to Prefect.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BEFORE = (
    "appeal",
    "inspection",
    "protest",
    "submission",
    "order",
    "court_act",
    "coordination",
    "release",
    "suspension_demand",
    "admin_offence",
    "decree",
    "clarification",
    "court_application",
)
NEW = (
    "criminal_case",
    "detention",
    "cpc_complaint",
    "case_decision",
    "instructions",
    "state_prosecution",
)
NAME = "ck_procedures_procedure_kind"


def _replace(kinds: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("procedures", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(op.f(NAME), f"kind IN ({allowed})")


def upgrade() -> None:
    _replace((*BEFORE, *NEW))
    op.create_table(
        "inbox_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "erdr",
                "detention",
                "complaint",
                "case_submitted",
                name="inbox_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "rejected",
                name="inbox_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "stored_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("event_emitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'rejected') = (procedure_id IS NULL)",
            name=op.f("ck_inbox_records_registered_has_procedure"),
        ),
        sa.CheckConstraint(
            "(status = 'rejected') = (rejection_reason IS NOT NULL)",
            name=op.f("ck_inbox_records_rejected_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_inbox_records_procedure_id_procedures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_records")),
        sa.UniqueConstraint("procedure_id", name=op.f("uq_inbox_records_procedure_id")),
    )
    op.create_index(
        op.f("ix_inbox_records_source_status_event_emitted_at"),
        "inbox_records",
        ["source", "status", "event_emitted_at"],
    )
    op.create_index(
        "uq_inbox_records_source_external_id_registered",
        "inbox_records",
        ["source", "external_id"],
        unique=True,
        sqlite_where=sa.text("status = 'registered'"),
        postgresql_where=sa.text("status = 'registered'"),
    )


def downgrade() -> None:
    # Refuse rather than lose the supervision of criminal cases.
    left = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM procedures WHERE kind IN ("
                + ", ".join(f"'{k}'" for k in NEW)
                + ")"
            )
        )
        .scalar()
    )
    if left:
        raise RuntimeError(
            f"{left} procedures belong to the supervision of pre-trial investigation"
        )
    op.drop_index("uq_inbox_records_source_external_id_registered", table_name="inbox_records")
    op.drop_index(
        op.f("ix_inbox_records_source_status_event_emitted_at"), table_name="inbox_records"
    )
    op.drop_table("inbox_records")
    _replace(BEFORE)
