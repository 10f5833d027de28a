"""Steps of the review of a court act not yet in force: register it with its appeal window,
check who concludes, close it. The rules are in ``models/procedures/court_acts.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field

from models.appeals import may_report
from models.db import transaction
from models.db.tables import Procedure
from models.office.roster_store import read_roster
from models.procedures import court_act_store
from models.procedures.court_acts import CourtAct, ReviewOutcome
from models.timing.calendar import today
from tasks.step import step


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


@step
def register_court_act(act: CourtAct, area: str, assistant: str | None = None) -> CourtCase:
    """Once per act: the window from the event the assistant entered, never from the day the
    office received the act (CPC art. 418(1); CivPC art. 403(3)); the conclusion due a margin of
    working days earlier (office practice). ``assistant``: the prosecutor who took part in the
    case (the state prosecutor, who brings the petition: CPC art. 414(2)), or whoever does
    their work today; without one, an assistant of the area by load."""
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else None
    with transaction() as session:
        return _case(court_act_store.register_review(session, act, area, assistant, run_id))


@step
def may_conclude(case: CourtCase, staff_id: str) -> bool:
    with transaction() as session:
        return may_report(read_roster(session), today(), case.assistant, staff_id)


@step
def close_court_act(case: CourtCase, outcome: ReviewOutcome, actor: str) -> None:
    with transaction() as session:
        court_act_store.close_review(session, case.procedure_id, outcome, actor)
