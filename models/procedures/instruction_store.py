"""Written указания in the database (CPC art. 193(1)(5)): the case they are given on, and the
procedure of one run's указания found again on a replay. The rules are in
``models/procedures/instructions.py``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Procedure
from models.procedures import ProcedureKind


def case_procedure(
    session: Session, case_number: str, kinds: Iterable[ProcedureKind]
) -> Procedure | None:
    """The procedure of ``kinds`` registered under ``case_number``, or else the newest one whose
    details name ``case_number`` as its ЕРДР number; None when the office has neither."""
    kinds = tuple(kinds)
    proc = session.scalar(
        select(Procedure).where(
            Procedure.registration_number == case_number, Procedure.kind.in_(kinds)
        )
    )
    if proc is not None:
        return proc
    for candidate in session.scalars(
        select(Procedure).where(Procedure.kind.in_(kinds)).order_by(Procedure.id.desc())
    ):
        if (candidate.details or {}).get("erdr_number") == case_number:
            return candidate
    return None


def instructions_of_run(session: Session, title: str, key: str) -> Procedure | None:
    """The указания titled ``title`` registered under the run key ``key``, if any."""
    return next(
        (
            p
            for p in session.scalars(
                select(Procedure).where(
                    Procedure.kind == ProcedureKind.INSTRUCTIONS, Procedure.title == title
                )
            )
            if (p.details or {}).get("key") == key
        ),
        None,
    )
