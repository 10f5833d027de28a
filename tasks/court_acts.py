"""Steps of the review of a court act not yet in force: register it with its appeal window,
check who concludes, close it. The rules are in ``models/procedures/court_acts.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field
from sqlalchemy import select

from models.appeals import choose_assignee, may_report
from models.db import transaction
from models.db.tables import Duty, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.court_acts import MARGIN_TERM, CourtAct, conclusion_due
from models.records import audit
from models.timing.calendar import WorkingCalendar, today


@dataclass(frozen=True, slots=True)
class CourtCase:
    procedure_id: int
    registration_number: str
    window_end: dt.date
    conclusion_due: dt.date
    assistant: str


class Conclusion(RunInput):
    """Заключение помощника / Көмекшінің қорытындысы: whether the prosecutor brings an
    апелляционное ходатайство (CL-155 art. 38), and its content."""

    assistant: str = Field(description="your staff id")
    appeal: bool = Field(description="bring an апелляционное ходатайство against the act")
    scope: str | None = Field(
        None,
        max_length=2000,
        description="the part of the act to review; empty: in full "
        "(CPC art. 423(1)(4); CivPC art. 404(1)(5))",
    )
    grounds: str = Field(
        "",
        max_length=10000,
        description="why the act is unlawful or unfounded, which laws were breached "
        "(CPC art. 423(1)(5); CivPC art. 404(1)(4); CoAO art. 833(1)(4))",
    )
    request: str = Field("", max_length=5000, description="what the appellate court is asked to do")
    attachments: list[str] = Field(
        default_factory=list, description="documents attached (CPC art. 423(1)(7))"
    )


def _case(proc: Procedure) -> CourtCase:
    d = proc.details or {}
    return CourtCase(
        proc.id,
        proc.registration_number,
        dt.date.fromisoformat(d["window_end"]),
        dt.date.fromisoformat(d["conclusion_due"]),
        proc.assignee_id or "",
    )


@task(name="register-court-act", cache_policy=NO_CACHE)
def register_court_act(act: CourtAct, area: str, assistant: str | None = None) -> CourtCase:
    """Once per act: the window from the event the assistant entered, never from the day the
    office received the act (CPC art. 418(1); CivPC art. 403(3)); the conclusion due a margin of
    working days earlier (office practice). ``assistant``: the prosecutor who took part in the
    case (the state prosecutor, who brings the petition: CPC art. 414(2)), or whoever does
    their work today; without one, an assistant of the area by load."""
    title = act.title()
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(
                Procedure.kind == ProcedureKind.COURT_ACT,
                Procedure.title == title,
                Procedure.status != ProcedureStatus.CLOSED,
            )
        )
        if proc is not None:
            return _case(proc)
        cal = WorkingCalendar()
        end = act.window_end(cal)
        conclude_by = conclusion_due(end, cal, received_on=act.received_on)
        roster = read_roster(session)
        who = (
            roster.replacement_for(assistant, today()).staff
            if assistant and assistant in roster.staff
            else None
        ) or choose_assignee(roster, today(), area, {})[0]
        proc = procedure_store.register_procedure(
            session,
            office_code=office_code(session),
            kind=ProcedureKind.COURT_ACT,
            title=title,
            year=act.received_on.year,
            due_date=end,
            assignee_id=who.id,
            area=area,
            actor=who.id,
        )
        context = FlowRunContext.get()
        proc.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
        proc.details = {
            **act.model_dump(mode="json"),
            "term_id": act.rule.term_id,
            "window_source": act.rule.source,
            "window_end": end.isoformat(),
            "conclusion_due": conclude_by.isoformat(),
        }
        procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, who.id)
        procedure_store.open_duty(
            session,
            procedure_id=proc.id,
            step="conclusion",
            title=f"Conclusion on case No. {act.case_number}"[:300],
            assignee_id=who.id,
            due_date=conclude_by,
            term_id=MARGIN_TERM,
            actor=who.id,
        )
        audit.append(
            session,
            actor=who.id,
            action="court_act.window",
            entity_kind="procedure",
            entity_id=proc.registration_number,
            payload={
                "window_starts_on": act.window_starts_on.isoformat(),
                "received_on": act.received_on.isoformat(),
                "window_end": end.isoformat(),
                "source": act.rule.source,
            },
        )
        return _case(proc)


@task(name="may-conclude", cache_policy=NO_CACHE)
def may_conclude(case: CourtCase, staff_id: str) -> bool:
    with transaction() as session:
        return may_report(read_roster(session), today(), case.assistant, staff_id)


@task(name="close-court-act", cache_policy=NO_CACHE)
def close_court_act(case: CourtCase, outcome: str, actor: str) -> None:
    with transaction() as session:
        for duty in session.scalars(select(Duty).where(Duty.procedure_id == case.procedure_id)):
            if duty.status.value == "open":
                procedure_store.complete_duty(session, duty.id, actor)
        procedure_store.set_status(session, case.procedure_id, ProcedureStatus.CLOSED, actor)
        audit.append(
            session,
            actor=actor,
            action="court_act.closed",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"outcome": outcome},
        )
