"""electronic digital signatures: staff IINs, the CMS kept with decisions and signatures

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27

A staff member's IIN names the holder of their EDS (ЭЦП) certificate. Every decision on an
approval and every signature keeps the detached CMS given, with the certificate's IIN and
SHA-256, so ``documents verify`` can check it again later. ``read_challenges`` are the one-time
challenges signed to read a secret document.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SIGNED = ("approval_decisions", "signatures")


def upgrade() -> None:
    with op.batch_alter_table("staff", recreate="auto") as batch_op:
        batch_op.add_column(sa.Column("iin", sa.String(length=12), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_staff_iin"), ["iin"])
    for table in SIGNED:
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            batch_op.add_column(sa.Column("cms", sa.LargeBinary(), nullable=True))
            batch_op.add_column(sa.Column("signer_iin", sa.String(length=12), nullable=True))
            batch_op.add_column(sa.Column("cert_sha256", sa.String(length=64), nullable=True))
    op.create_table(
        "read_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reader_id", sa.String(length=40), nullable=True),
        sa.Column("cms", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_read_challenges_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_challenges")),
        sa.UniqueConstraint("nonce", name=op.f("uq_read_challenges_nonce")),
    )


def downgrade() -> None:
    op.drop_table("read_challenges")
    for table in SIGNED:
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            batch_op.drop_column("cert_sha256")
            batch_op.drop_column("signer_iin")
            batch_op.drop_column("cms")
    with op.batch_alter_table("staff", recreate="auto") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_iin"), type_="unique")
        batch_op.drop_column("iin")
