"""Read-only queries of a procedure's page: its duties, its approvals, a procedure of a kind.

The command line shows these as they are stored; the rules that change them live in
``models.procedures.store`` and ``models.approvals``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Approval, Duty, Procedure
from models.procedures import ProcedureKind


def duties_of(session: Session, procedure_id: int) -> list[Duty]:
    """Every duty of a procedure, open or not, in the order they were opened."""
    return list(
        session.scalars(select(Duty).where(Duty.procedure_id == procedure_id).order_by(Duty.id))
    )


def approvals_of(session: Session, procedure_id: int) -> list[Approval]:
    """Every approval (согласование) asked in a procedure, in the order asked."""
    return list(
        session.scalars(
            select(Approval).where(Approval.procedure_id == procedure_id).order_by(Approval.id)
        )
    )


def procedure_of_kind(
    session: Session, registration_number: str, kind: ProcedureKind
) -> Procedure | None:
    """The procedure of ``kind`` registered under ``registration_number``, if any."""
    return session.scalar(
        select(Procedure).where(
            Procedure.registration_number == registration_number.strip(),
            Procedure.kind == kind,
        )
    )
