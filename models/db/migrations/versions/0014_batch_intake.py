"""batch intake and the write-light sweep

The daily sweep reads overdue work by (status, escalation level, due date): work already at
its level for the day lies outside the ranges it reads, so a same-day rerun reads nothing.
On PostgreSQL the tables the sweep updates every day keep free room in each page (fill
factor), so a row updated in place (reminded_on, a HOT update) stays on its page.

Revision ID: 0014
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

SWEPT = ("duties", "approvals")
FILL_FACTOR = 85  # percent of a page filled by inserts; the rest for same-page updates


def upgrade() -> None:
    for table in SWEPT:
        op.create_index(
            op.f(f"ix_{table}_status_escalation_level_due_date"),
            table,
            ["status", "escalation_level", "due_date"],
        )
        if op.get_bind().dialect.name == "postgresql":  # SQLite has no fill factor
            op.execute(f"ALTER TABLE {table} SET (fillfactor = {FILL_FACTOR})")


def downgrade() -> None:
    for table in SWEPT:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
        op.drop_index(op.f(f"ix_{table}_status_escalation_level_due_date"), table_name=table)
