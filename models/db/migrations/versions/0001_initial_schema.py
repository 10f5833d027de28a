"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27

All tables of the foundation, and triggers that make the audit log append-only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


_PG_GUARD = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def _append_only_audit_log() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
        op.execute(
            "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log"
            " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log"
            f" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {verb} refused'); END"
        )


def _drop_audit_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("entity_kind", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_log_prev_hash")),
    )
    op.create_table(
        "offices",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name_kk", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_offices")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("office_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "position",
            sa.Enum(
                "district_prosecutor",
                "deputy",
                "senior_assistant",
                "assistant",
                name="position",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("seniority", sa.Integer(), nullable=False),
        sa.Column("clearance", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_staff_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
    )
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "leave",
                "business_trip",
                "sick_leave",
                "training",
                name="absence_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_absences_ordered")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_absences_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_absences_staff_id_start_date"), ["staff_id", "start_date"], unique=False
        )

    op.create_table(
        "acting_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acting_id", sa.String(length=40), nullable=False),
        sa.Column("for_id", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.CheckConstraint("acting_id <> for_id", name=op.f("ck_acting_orders_not_self")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_acting_orders_ordered")),
        sa.ForeignKeyConstraint(
            ["acting_id"], ["staff.id"], name=op.f("fk_acting_orders_acting_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["for_id"], ["staff.id"], name=op.f("fk_acting_orders_for_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acting_orders")),
    )
    with op.batch_alter_table("acting_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_acting_orders_for_id_start_date"), ["for_id", "start_date"], unique=False
        )

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("from_staff_id", sa.String(length=40), nullable=True),
        sa.Column("to_staff_id", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "subject_kind IN ('duty', 'approval')", name=op.f("ck_escalations_subject_kind")
        ),
        sa.CheckConstraint("level >= 1", name=op.f("ck_escalations_level_positive")),
        sa.ForeignKeyConstraint(
            ["from_staff_id"], ["staff.id"], name=op.f("fk_escalations_from_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["to_staff_id"], ["staff.id"], name=op.f("fk_escalations_to_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint(
            "subject_kind",
            "subject_id",
            "level",
            name=op.f("uq_escalations_subject_kind_subject_id_level"),
        ),
    )
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_code", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "appeal",
                "inspection",
                "protest",
                "submission",
                "order",
                "court_act",
                "coordination",
                "release",
                name="procedure_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("registration_number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "in_progress",
                "awaiting_approval",
                "awaiting_answer",
                "suspended",
                "closed",
                "redirected",
                "rejected",
                name="procedure_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.String(length=40), nullable=True),
        sa.Column("area", sa.String(length=40), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column(
            "opened_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flow_run_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_procedures_seq_positive")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_procedures_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_procedures_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
        sa.UniqueConstraint(
            "office_code",
            "kind",
            "year",
            "seq",
            name=op.f("uq_procedures_office_code_kind_year_seq"),
        ),
        sa.UniqueConstraint("registration_number", name=op.f("uq_procedures_registration_number")),
    )
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedures_status_due_date"), ["status", "due_date"], unique=False
        )

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "access_level",
            sa.Enum(
                "public",
                "restricted",
                "secret",
                name="access_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("drafted_by", sa.String(length=40), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_documents_sha256_length")),
        sa.ForeignKeyConstraint(
            ["drafted_by"], ["staff.id"], name=op.f("fk_documents_drafted_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_documents_procedure_id_procedures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_table(
        "duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("assignee_id", sa.String(length=40), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "cancelled",
                name="duty_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("term_id", sa.String(length=60), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("escalation_level >= 0", name=op.f("ck_duties_level_non_negative")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_duties_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_duties_procedure_id_procedures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duties")),
        sa.UniqueConstraint("procedure_id", "step", name=op.f("uq_duties_procedure_id_step")),
    )
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duties_assignee_id_status"), ["assignee_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duties_status_due_date"), ["status", "due_date"], unique=False
        )

    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=80), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("signatory_id", sa.String(length=40), nullable=True),
        sa.Column("drafter_id", sa.String(length=40), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "returned",
                "withdrawn",
                name="approval_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("flow_run_id", sa.String(length=36), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("escalation_level >= 0", name=op.f("ck_approvals_level_non_negative")),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff.id"], name=op.f("fk_approvals_decided_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_approvals_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["drafter_id"], ["staff.id"], name=op.f("fk_approvals_drafter_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_approvals_procedure_id_procedures")
        ),
        sa.ForeignKeyConstraint(
            ["signatory_id"], ["staff.id"], name=op.f("fk_approvals_signatory_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint("procedure_id", "step", name=op.f("uq_approvals_procedure_id_step")),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approvals_status_due_date"), ["status", "due_date"], unique=False
        )

    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("signer_id", sa.String(length=40), nullable=False),
        sa.Column("acting", sa.Boolean(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "signed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"], ["approvals.id"], name=op.f("fk_signatures_approval_id_approvals")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_signatures_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["staff.id"], name=op.f("fk_signatures_signer_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint("approval_id", name=op.f("uq_signatures_approval_id")),
    )
    _append_only_audit_log()


def downgrade() -> None:
    _drop_audit_guard()
    op.drop_table("signatures")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_status_due_date"))

    op.drop_table("approvals")
    with op.batch_alter_table("duties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duties_status_due_date"))
        batch_op.drop_index(batch_op.f("ix_duties_assignee_id_status"))

    op.drop_table("duties")
    op.drop_table("documents")
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedures_status_due_date"))

    op.drop_table("procedures")
    op.drop_table("escalations")
    with op.batch_alter_table("acting_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acting_orders_for_id_start_date"))

    op.drop_table("acting_orders")
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absences_staff_id_start_date"))

    op.drop_table("absences")
    op.drop_table("staff")
    op.drop_table("offices")
    op.drop_table("audit_log")
