"""approval decisions and notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Every decision on an approval (accepted or refused), notifications, visas, the reminder
date of approvals and the dispatch of documents.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("recipient_id", sa.String(length=40), nullable=True),
        sa.Column("external_recipient", sa.String(length=80), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(recipient_id IS NULL) <> (external_recipient IS NULL)",
            name=op.f("ck_notifications_one_recipient"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["staff.id"], name=op.f("fk_notifications_recipient_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_recipient_id_created_at"),
            ["recipient_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "approval_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=True),
        sa.Column("signer_id", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve', 'reject', 'return')",
            name=op.f("ck_approval_decisions_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_approval_decisions_approval_id_approvals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_decisions")),
        sa.UniqueConstraint(
            "approval_id", "attempt", name=op.f("uq_approval_decisions_approval_id_attempt")
        ),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("visa_by", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_approvals_visa_by_staff"), "staff", ["visa_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_approvals_visa_by_staff"), type_="foreignkey")
        batch_op.drop_column("visa_by")
        batch_op.drop_column("reminded_on")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("dispatched_at")

    op.drop_table("approval_decisions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_recipient_id_created_at"))

    op.drop_table("notifications")
