"""The runs the office's database records for its open procedures, and their restarts."""

from __future__ import annotations

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from models.db.tables import AppealRow, Duty, DutyStatus, Procedure
from models.procedures import OPEN_STATUSES
from models.records import audit
from models.sweeps.run_recovery import OpenRun


def open_runs(session: Session) -> list[OpenRun]:
    """Every open procedure with a recorded run, and the answers stored for it (one query):
    an answered duty is a wait at ``answer-<duty id>`` the run may still be parked at."""
    rows = session.execute(
        select(
            Procedure.id,
            Procedure.kind,
            Procedure.registration_number,
            Procedure.flow_run_id,
            Procedure.status,
            Duty.id,
        )
        .outerjoin(
            Duty,
            and_(
                Duty.procedure_id == Procedure.id,
                Duty.status == DutyStatus.DONE,
                Duty.answer.is_not(None),
            ),
        )
        .where(Procedure.status.in_(OPEN_STATUSES), Procedure.flow_run_id.is_not(None))
        .order_by(Procedure.id, Duty.id)
    ).all()
    found: dict[int, OpenRun] = {}
    answered: dict[int, set[str]] = {}
    for proc_id, kind, number, run_id, status, duty_id in rows:
        found.setdefault(proc_id, OpenRun(proc_id, kind, number, run_id, status))
        if duty_id is not None:
            answered.setdefault(proc_id, set()).add(f"answer-{duty_id}")
    return [
        OpenRun(
            run.procedure_id,
            run.kind,
            run.registration_number,
            run.flow_run_id,
            run.status,
            frozenset(answered.get(run.procedure_id, ())),
        )
        for run in found.values()
    ]


def record_restart(
    session: Session, procedure_id: int, old_run_id: str, new_run_id: str, reason: str
) -> bool:
    """Name ``new_run_id`` the procedure's run in place of ``old_run_id`` and audit it
    (``procedure.run_restarted``); False, changing nothing, when the procedure no longer
    records ``old_run_id`` (another reconcile restarted it first)."""
    moved = session.execute(
        update(Procedure)
        .where(Procedure.id == procedure_id, Procedure.flow_run_id == old_run_id)
        .values(flow_run_id=new_run_id, version=Procedure.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return False
    # an appeal's review names its run on the appeal too: the fresh run must find itself there
    session.execute(
        update(AppealRow)
        .where(AppealRow.procedure_id == procedure_id, AppealRow.review_flow_run_id == old_run_id)
        .values(review_flow_run_id=new_run_id)
        .execution_options(synchronize_session=False)
    )
    number = session.scalar(
        select(Procedure.registration_number).where(Procedure.id == procedure_id)
    )
    audit.append(
        session,
        actor="reconcile",
        action="procedure.run_restarted",
        entity_kind="procedure",
        entity_id=number or procedure_id,
        payload={"old_flow_run_id": old_run_id, "new_flow_run_id": new_run_id, "reason": reason},
    )
    return True
