"""Steps of an act of prosecutorial response: register, deliver, await the addressee, escalate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field
from sqlalchemy import select

from models import audit, procedure_store
from models.calendar import WorkingCalendar, today
from models.db import transaction
from models.deadlines import TermUnit, due_date
from models.procedures import ProcedureStatus
from models.responses import PROCEDURE_OF, TERM_OF, Act, consideration_due, hearing_result_due
from models.roster_store import office_code, read_roster
from models.sql import insert_ignoring_duplicates
from models.tables import Duty, Escalation, Procedure


@dataclass(frozen=True, slots=True)
class ResponseCase:
    procedure_id: int
    registration_number: str
    act: Act
    responsible: str


class CourtDecision(RunInput):
    """Решение о дальнейших мерах / Одан арғы шаралар туралы шешім (the head or acting deputy)."""

    decided_by: str = Field(description="your staff id")
    apply_to_court: bool = Field(description="take the matter to court (L-81 art. 30(2))")
    comment: str | None = None


@task(name="register-response", cache_policy=NO_CACHE)
def register_response(
    act: Act, reference: str, addressee: str, responsible: str | None, details: dict[str, Any]
) -> ResponseCase:
    """Register the act once per (act, reference)."""
    title = f"{act.value}: {reference}"[:300]
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(Procedure.kind == PROCEDURE_OF[act], Procedure.title == title)
        )
        if proc is None:
            roster = read_roster(session)
            who = responsible or (
                roster.signatory_on(today()).staff.id
                if roster.signatory_on(today()).staff
                else None
            )
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=PROCEDURE_OF[act],
                title=title,
                year=today().year,
                assignee_id=who,
                actor=who or "system",
            )
            context = FlowRunContext.get()
            proc.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
            proc.details = {"addressee": addressee, **details}
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.IN_PROGRESS, who or "system"
            )
        return ResponseCase(proc.id, proc.registration_number, act, proc.assignee_id or "")


@task(name="await-addressee", cache_policy=NO_CACHE)
def open_consideration(
    case: ResponseCase,
    longer_days: int | None,
    step: str = "consideration",
    hearing: dt.date | None = None,
) -> int:
    """The addressee's term starts at delivery: one duty to watch it (answered by an event)."""
    cal = WorkingCalendar()
    due = (
        hearing_result_due(hearing, cal)
        if hearing
        else consideration_due(case.act, today(), cal, longer_days)
    )
    with transaction() as session:
        duty = procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step=step,
            title=f"Answer of the addressee to {case.registration_number}"
            if not hearing
            else f"Result of the hearing of {case.registration_number}",
            assignee_id=case.responsible or None,
            due_date=due,
            term_id="submission.result_report" if hearing else TERM_OF[case.act],
            actor=case.responsible or "system",
        )
        proc = session.get_one(Procedure, case.procedure_id)
        proc.due_date = due
        if proc.status is not ProcedureStatus.AWAITING_ANSWER:
            procedure_store.set_status(
                session,
                case.procedure_id,
                ProcedureStatus.AWAITING_ANSWER,
                case.responsible or "system",
            )
        return duty.id


@task(name="escalate-refusal", cache_policy=NO_CACHE)
def escalate_refusal(case: ResponseCase, duty_id: int, outcome: str) -> str | None:
    """Silence or refusal goes to the head (or the person replacing the head): recorded once."""
    on = today()
    with transaction() as session:
        head = read_roster(session).signatory_on(on).staff
        target = head.id if head else None
        stmt = (
            insert_ignoring_duplicates(session, Escalation)
            .values(
                subject_kind="duty",
                subject_id=duty_id,
                level=1,
                from_staff_id=case.responsible or None,
                to_staff_id=target,
                reason=f"the addressee's answer: {outcome}",
                on_date=on,
            )
            .on_conflict_do_nothing(index_elements=["subject_kind", "subject_id", "level"])
        )
        session.execute(stmt)
        audit.append(
            session,
            actor=case.responsible or "system",
            action="response.escalated",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"outcome": outcome, "to": target},
        )
        return target


@task(name="close-response", cache_policy=NO_CACHE)
def close_response(case: ResponseCase, outcome: str, court: bool, decided_by: str) -> None:
    with transaction() as session:
        if court:
            procedure_store.open_duty(
                session,
                procedure_id=case.procedure_id,
                step="court-application",
                title=f"Apply to court: {case.registration_number}",
                assignee_id=case.responsible or None,
                due_date=due_date(today(), 10, TermUnit.WORKING_DAYS, WorkingCalendar()),
                actor=decided_by,
            )
        for duty in session.scalars(
            select(Duty).where(
                Duty.procedure_id == case.procedure_id, Duty.step != "court-application"
            )
        ):
            if duty.status.value == "open":
                procedure_store.complete_duty(session, duty.id, decided_by)
        proc = session.get_one(Procedure, case.procedure_id)
        proc.details = {**(proc.details or {}), "outcome": outcome, "court": court}
        if proc.status is not ProcedureStatus.CLOSED:
            procedure_store.set_status(
                session, case.procedure_id, ProcedureStatus.CLOSED, decided_by
            )
        audit.append(
            session,
            actor=decided_by,
            action="response.closed",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"outcome": outcome, "court": court},
        )


@task(name="may-decide", cache_policy=NO_CACHE)
def may_decide(staff_id: str) -> bool:
    with transaction() as session:
        return read_roster(session).may_sign(staff_id, today())
