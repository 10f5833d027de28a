"""registration counters: one row per office, kind of procedure and year

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

Registration numbers were the highest number plus one, retried on a clash: concurrent intake
ran out of retries (PostgreSQL) or out of the lock (SQLite) and lost appeals. Each office, kind
and year now counts in ``registration_counters``, a row locked while a number is given, seeded
here from the numbers already given.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_counters",
        sa.Column("office_code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"],
            ["offices.code"],
            name=op.f("fk_registration_counters_office_code_offices"),
        ),
        sa.PrimaryKeyConstraint(
            "office_code", "kind", "year", name=op.f("pk_registration_counters")
        ),
    )
    op.execute(
        "INSERT INTO registration_counters (office_code, kind, year, last_seq)"
        " SELECT office_code, kind, year, max(seq) FROM procedures"
        " GROUP BY office_code, kind, year"
    )


def downgrade() -> None:
    # Nothing is lost: the numbers given stay on the procedures the counters were seeded from.
    op.drop_table("registration_counters")
