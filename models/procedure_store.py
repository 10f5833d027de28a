"""Procedures and their duties in the database: registration with a number, duties with due
dates. Idempotent where a flow may replay: a duty is keyed by (procedure, step)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import audit
from models.procedures import (
    LEGACY_KINDS,
    ProcedureKind,
    ProcedureStatus,
    check_transition,
    registration_number,
)
from models.tables import Duty, DutyStatus, Procedure

_ATTEMPTS = 5
CLOSED_BY_ANSWERS = frozenset(
    {ProcedureKind.COORDINATION, ProcedureKind.RELEASE, ProcedureKind.INSTRUCTIONS}
)


def register_procedure(
    session: Session,
    *,
    office_code: str,
    kind: ProcedureKind,
    title: str,
    year: int,
    due_date: dt.date | None = None,
    assignee_id: str | None = None,
    area: str | None = None,
    actor: str = "system",
) -> Procedure:
    """Register a procedure under the next number of its office, kind and year."""
    if kind in LEGACY_KINDS:
        raise ValueError(f"{kind} is not an act of the law in force (CL-155 art. 32)")
    for attempt in range(_ATTEMPTS):
        seq = (
            session.scalar(
                select(func.max(Procedure.seq)).where(
                    Procedure.office_code == office_code,
                    Procedure.kind == kind,
                    Procedure.year == year,
                )
            )
            or 0
        ) + 1
        proc = Procedure(
            office_code=office_code,
            kind=kind,
            year=year,
            seq=seq,
            registration_number=registration_number(office_code, kind, year, seq),
            title=title,
            status=ProcedureStatus.REGISTERED,
            assignee_id=assignee_id,
            area=area,
            due_date=due_date,
        )
        try:
            with session.begin_nested():
                session.add(proc)
            break
        except IntegrityError:  # another registration took this number: take the next
            if attempt == _ATTEMPTS - 1:
                raise
    audit.append(
        session,
        actor=actor,
        action="procedure.registered",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"kind": kind.value, "title": title, "due_date": due_date, "assignee": assignee_id},
    )
    return proc


def set_status(
    session: Session, procedure_id: int, status: ProcedureStatus, actor: str
) -> Procedure:
    proc = session.get_one(Procedure, procedure_id)
    if proc.status is status:
        return proc
    check_transition(proc.status, status)
    before = proc.status
    proc.status = status
    if status is ProcedureStatus.CLOSED:
        proc.closed_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="procedure.status",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"from": before.value, "to": status.value},
    )
    return proc


def open_duty(
    session: Session,
    *,
    procedure_id: int,
    step: str,
    title: str,
    assignee_id: str | None,
    due_date: dt.date | None,
    term_id: str | None = None,
    actor: str = "system",
) -> Duty:
    existing = session.scalar(
        select(Duty).where(Duty.procedure_id == procedure_id, Duty.step == step)
    )
    if existing is not None:
        return existing
    duty = Duty(
        procedure_id=procedure_id,
        step=step,
        title=title,
        assignee_id=assignee_id,
        status=DutyStatus.OPEN,
        term_id=term_id,
        due_date=due_date,
    )
    session.add(duty)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="duty.opened",
        entity_kind="duty",
        entity_id=duty.id,
        payload={
            "procedure_id": procedure_id,
            "step": step,
            "assignee": assignee_id,
            "due_date": due_date,
        },
    )
    return duty


def complete_duty(session: Session, duty_id: int, actor: str) -> Duty:
    duty = session.get_one(Duty, duty_id)
    if duty.status is DutyStatus.DONE:
        return duty
    duty.status = DutyStatus.DONE
    duty.completed_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.append(session, actor=actor, action="duty.done", entity_kind="duty", entity_id=duty.id)
    return duty


def close_when_answered(session: Session, procedure_id: int, actor: str) -> bool:
    """Close a procedure that waits only for answers once none is outstanding: a coordination
    (the bodies' reports) and a release (the facility's confirmation). Every other procedure's
    flow decides what an answer means (e.g. a rejected protest goes to court, CL-155 art.
    39(2))."""
    proc = session.get_one(Procedure, procedure_id)
    if proc.kind not in CLOSED_BY_ANSWERS or proc.status is not ProcedureStatus.AWAITING_ANSWER:
        return False
    outstanding = session.scalar(
        select(func.count())
        .select_from(Duty)
        .where(Duty.procedure_id == procedure_id, Duty.status == DutyStatus.OPEN)
    )
    if outstanding:
        return False
    set_status(session, procedure_id, ProcedureStatus.CLOSED, actor)
    return True
