"""Review of a court act (Regulation cl. 7.2, 8 right 3): an assistant's conclusion, then a
petition (ходатайство) or protest signed and filed before the statutory appeal window closes.
The window's end is a hard deadline: the conclusion is due two working days before it, so the
deadline check escalates early."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field
from sqlalchemy import select

from models import audit, procedure_store
from models.appeals import choose_assignee, may_report
from models.approvals import Decision
from models.calendar import ALMATY, WorkingCalendar, today
from models.db import transaction
from models.deadlines import TermUnit, due_date
from models.procedures import ProcedureKind, ProcedureStatus
from models.roster_store import office_code, read_roster
from models.tables import Duty, Procedure
from models.terms import default_terms
from tasks.documents import dispatch_document
from tasks.procedure_page import finished
from tasks.signing import signed_document
from tasks.waiting import wait_for

WINDOWS = ("court.criminal_appeal", "court.civil_appeal", "court.administrative_offence_protest")


@dataclass(frozen=True, slots=True)
class CourtCase:
    procedure_id: int
    registration_number: str
    window_end: dt.date
    assistant: str


class Conclusion(RunInput):
    """Заключение помощника / Көмекшінің қорытындысы."""

    assistant: str = Field(description="your staff id")
    appeal: bool = Field(description="the act should be appealed")
    act_type: Literal["petition", "protest"] = "protest"
    grounds: str = Field("", max_length=10000)
    request: str = Field("", max_length=5000, description="what the court is asked to do")


@task(name="register-court-act", cache_policy=NO_CACHE)
def register_court_act(court_act: str, window: str, received_on: dt.date, area: str) -> CourtCase:
    """The appeal window from the terms table; a window ending on a day off ends on the next
    working day (CC art. 175; the procedure codes have the same rule)."""
    if window not in WINDOWS:
        raise ValueError(f"unknown appeal window {window!r}: one of {', '.join(WINDOWS)}")
    if received_on > dt.datetime.now(ALMATY).date():
        raise ValueError("a court act cannot be received in the future")
    cal = WorkingCalendar()
    window_end = default_terms().due(window, received_on, cal)
    margin = default_terms().get("court.review_margin").term or 2
    conclusion_due = window_end
    for _ in range(margin):  # working days before the end of the window
        conclusion_due -= dt.timedelta(days=1)
        while not cal.is_working_day(conclusion_due):
            conclusion_due -= dt.timedelta(days=1)
    title = f"Court act: {court_act}"[:300]
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(
                Procedure.kind == ProcedureKind.COURT_ACT, Procedure.title == title
            )
        )
        if proc is None:
            who = choose_assignee(read_roster(session), today(), area, {})[0]
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=ProcedureKind.COURT_ACT,
                title=title,
                year=received_on.year,
                due_date=window_end,
                assignee_id=who.id,
                area=area,
                actor=who.id,
            )
            context = FlowRunContext.get()
            proc.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
            proc.details = {
                "court_act": court_act,
                "window": window,
                "received_on": received_on.isoformat(),
            }
            procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, who.id)
            procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="conclusion",
                title=f"Conclusion on {court_act}"[:300],
                assignee_id=who.id,
                due_date=conclusion_due,
                term_id="court.review_margin",
                actor=who.id,
            )
        return CourtCase(
            proc.id, proc.registration_number, proc.due_date or window_end, proc.assignee_id or ""
        )


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


@flow(name="review-court-act", flow_run_name="court-act-{court_act}")
def review_court_act(
    court_act: str, window: str, received_on: dt.date, area: str = "criminal", language: str = "ru"
) -> dict[str, Any]:
    logger = get_run_logger()
    case = register_court_act(court_act, window, received_on, area)
    attempt = 0
    while True:
        attempt += 1
        conclusion = wait_for(
            Conclusion,
            f"## {court_act}\n\nThe appeal window closes on **{case.window_end:%d.%m.%Y}**.",
            f"conclusion-{attempt}",
            page=(case.procedure_id, "conclusion of the assistant"),
        )
        if not may_conclude(case, conclusion.assistant):
            logger.warning(
                "%s may not conclude on %s", conclusion.assistant, case.registration_number
            )
            continue
        if not conclusion.appeal:
            close_court_act(case, "no grounds to appeal", conclusion.assistant)
            return finished(
                case.procedure_id,
                "no grounds to appeal",
                {
                    "registration_number": case.registration_number,
                    "window_end": case.window_end,
                    "appealed": False,
                },
            )
        document_id, signed = signed_document(
            case.procedure_id,
            kind="court_protest",
            language=language,
            title="Протест / ходатайство на судебный акт",
            step=f"appeal-{attempt}",
            due_date=min(
                case.window_end, due_date(today(), 1, TermUnit.WORKING_DAYS, WorkingCalendar())
            ),
            drafted_by=conclusion.assistant,
            fields={
                "addressee_name": "Суд",
                "addressee_address": None,
                "court_act": court_act,
                "act_type": conclusion.act_type,
                "grounds": conclusion.grounds,
                "request": conclusion.request,
                "window_end": f"{case.window_end:%d.%m.%Y}",
            },
        )
        if signed.decision == Decision.APPROVE:
            dispatch_document(document_id, actor=signed.signer_id, channel="court")
            close_court_act(case, f"{conclusion.act_type} filed", signed.signer_id)
            return finished(
                case.procedure_id,
                "appealed",
                {
                    "registration_number": case.registration_number,
                    "window_end": case.window_end,
                    "appealed": True,
                },
            )
