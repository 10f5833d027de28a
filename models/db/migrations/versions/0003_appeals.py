"""appeals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Appeals as received (registered or rejected with the reason) and the signatory a document
names.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "rejected",
                name="appeal_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.String(length=12), nullable=True),
        sa.Column("applicant_name", sa.String(length=300), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("topic", sa.String(length=60), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "stored_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("event_emitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_flow_run_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint(
            "(status = 'rejected') = (procedure_id IS NULL)",
            name=op.f("ck_appeals_registered_has_procedure"),
        ),
        sa.CheckConstraint(
            "(status = 'rejected') = (rejection_reason IS NOT NULL)",
            name=op.f("ck_appeals_rejected_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_appeals_procedure_id_procedures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("procedure_id", name=op.f("uq_appeals_procedure_id")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(
            "uq_appeals_external_id_registered",
            ["external_id"],
            unique=True,
            sqlite_where=sa.text("status = 'registered'"),
            postgresql_where=sa.text("status = 'registered'"),
        )
        batch_op.create_index(
            batch_op.f("ix_appeals_applicant_id_text_sha256"),
            ["applicant_id", "text_sha256"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_appeals_status_review_flow_run_id"),
            ["status", "review_flow_run_id"],
            unique=False,
        )

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signatory_id", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_signatory_id_staff"), "staff", ["signatory_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_documents_signatory_id_staff"), type_="foreignkey")
        batch_op.drop_column("signatory_id")

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index("uq_appeals_external_id_registered")
        batch_op.drop_index(batch_op.f("ix_appeals_status_review_flow_run_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_applicant_id_text_sha256"))

    op.drop_table("appeals")
