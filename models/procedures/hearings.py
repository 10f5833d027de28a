"""The office's hearing calendar (график судебных заседаний): the hearings of its state
prosecutions, picked by the hearing duties' indexed due dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Duty, Procedure, StaffRow
from models.procedures import ProcedureKind
from models.procedures.state_prosecution import hearing_state
from models.vocabulary import Step, keyed

# every hearing duty is keyed by its number: hearing-1, hearing-2, ...
HEARING_STEPS = keyed(Step.HEARING, "%")


def hearing_calendar(
    session: Session,
    start: dt.date | None = None,
    end: dt.date | None = None,
    procedure_id: int | None = None,
) -> list[dict[str, Any]]:
    """The hearings of the office's state prosecutions from ``start`` to ``end`` inclusive (or
    of one procedure), by day and time: date, time, court, courtroom, case number, state
    prosecutor, what became of it, and the prosecution's number."""
    query = (
        select(Duty, Procedure, StaffRow.name)
        .join(Procedure, Duty.procedure_id == Procedure.id)
        .outerjoin(StaffRow, StaffRow.id == Procedure.assignee_id)
        .where(
            Procedure.kind == ProcedureKind.STATE_PROSECUTION,
            Duty.step.like(HEARING_STEPS),
        )
    )
    if start is not None:
        query = query.where(Duty.due_date >= start)
    if end is not None:
        query = query.where(Duty.due_date <= end)
    if procedure_id is not None:
        query = query.where(Duty.procedure_id == procedure_id)
    rows = [_hearing(duty, proc, name) for duty, proc, name in session.execute(query).all()]
    return sorted(rows, key=lambda r: (r["date"], r["time"] or "", r["registration_number"]))


def _hearing(duty: Duty, proc: Procedure, prosecutor: str | None) -> dict[str, Any]:
    details = proc.details or {}
    hearing = (details.get("hearings") or {}).get(duty.step) or {}
    return {
        "date": duty.due_date.isoformat() if duty.due_date else None,
        "time": (hearing.get("at") or "")[:5] or None,
        "court": hearing.get("court_ru"),
        "courtroom": hearing.get("courtroom"),
        "case_number": details.get("court_case_number") or details.get("erdr_number"),
        "state_prosecutor": prosecutor,
        "status": hearing_state(duty.status.value, hearing.get("adjourned")),
        "registration_number": proc.registration_number,
    }
