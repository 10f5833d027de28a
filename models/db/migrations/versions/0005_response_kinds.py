"""acts of response: demand to suspend, administrative-offence proceedings; answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Two more kinds of procedure, and the answer a duty received from outside. The kind is a CHECK
constraint (not a native enum), so it is replaced; on SQLite the table is copied by batch mode.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
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
)
AFTER = (*BEFORE, "suspension_demand", "admin_offence")
NAME = "ck_procedures_procedure_kind"


def _replace(kinds: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("procedures", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(op.f(NAME), f"kind IN ({allowed})")


def upgrade() -> None:
    _replace(AFTER)
    with op.batch_alter_table("duties") as batch_op:
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("duties") as batch_op:
        batch_op.drop_column("answer")
    _replace(BEFORE)
