"""acts of CL-155 art. 32: decrees, clarifications, court applications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

The kinds of procedure follow the acts of the law in force. ``order`` (предписание) and
``suspension_demand`` of the repealed law stay allowed in the table so that procedures
registered before are read as they were; the application registers no new ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
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
)
AFTER = (*BEFORE, "decree", "clarification", "court_application")
NAME = "ck_procedures_procedure_kind"


def _replace(kinds: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("procedures", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(op.f(NAME), f"kind IN ({allowed})")


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    # Refuse rather than lose procedures that only the new kinds can hold.
    left = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM procedures"
                " WHERE kind IN ('decree', 'clarification', 'court_application')"
            )
        )
        .scalar()
    )
    if left:
        raise RuntimeError(f"{left} procedures are decrees, clarifications or court applications")
    _replace(BEFORE)
