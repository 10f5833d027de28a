"""register of outgoing documents; letterhead contacts; the issued text and its PDF

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

Each signed document gets its own outgoing number per office and year, counted in
``outgoing_counters`` (one row per office and year, locked while a number is given). The office
and its staff gain the phone and e-mail printed on the letterhead and in the executor's footer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DOCUMENT_COLUMNS = (
    "outgoing_seq",
    "outgoing_number",
    "outgoing_date",
    "issued_body",
    "issued_sha256",
    "pdf",
    "pdf_sha256",
)


def upgrade() -> None:
    with op.batch_alter_table("offices") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=120), nullable=True))
    with op.batch_alter_table("staff") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=50), nullable=True))
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("outgoing_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outgoing_number", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("outgoing_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("issued_body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("issued_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("pdf", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("pdf_sha256", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_documents_outgoing_number"), ["outgoing_number"])
    op.create_table(
        "outgoing_counters",
        sa.Column("office_code", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"],
            ["offices.code"],
            name=op.f("fk_outgoing_counters_office_code_offices"),
        ),
        sa.PrimaryKeyConstraint("office_code", "year", name=op.f("pk_outgoing_counters")),
    )


def downgrade() -> None:
    # Refuse rather than lose the register: numbered documents were sent under those numbers.
    given = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM documents WHERE outgoing_number IS NOT NULL"))
        .scalar()
    )
    if given:
        raise RuntimeError(f"{given} documents carry outgoing numbers")
    op.drop_table("outgoing_counters")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_constraint(op.f("uq_documents_outgoing_number"), type_="unique")
        for column in reversed(DOCUMENT_COLUMNS):
            batch_op.drop_column(column)
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("offices") as batch_op:
        batch_op.drop_column("email")
        batch_op.drop_column("phone")
