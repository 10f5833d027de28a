"""A court act under review in the database: registered once with its appeal window and the
assistant's duty, closed with its outcome (Regulation cl. 7.2, 8 right 3)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import choose_assignee
from models.db.tables import Procedure
from models.office.roster import Roster, Staff
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.court_acts import MARGIN_TERM, CourtAct, ReviewOutcome, conclusion_due
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.vocabulary import Step


def open_review(session: Session, title: str) -> Procedure | None:
    """The review of the act titled ``title`` still open, if any (one per act)."""
    return session.scalar(
        select(Procedure).where(
            Procedure.kind == ProcedureKind.COURT_ACT,
            Procedure.title == title,
            Procedure.status != ProcedureStatus.CLOSED,
        )
    )


def who_concludes(roster: Roster, area: str, assistant: str | None) -> Staff:
    """The state prosecutor who took part in the case (CPC art. 414(2)) or whoever does their
    work today; without one, an assistant of ``area`` by load."""
    named = (
        roster.replacement_for(assistant, today()).staff
        if assistant and assistant in roster.staff
        else None
    )
    return named or choose_assignee(roster, today(), area, {})[0]


def register_review(
    session: Session, act: CourtAct, area: str, assistant: str | None, run_id: str | None
) -> Procedure:
    """Once per act: the window from the event the assistant entered, never from the day the
    office received the act (CPC art. 418(1); CivPC art. 403(3)); the conclusion due a margin
    of working days earlier (office practice)."""
    title = act.title()
    existing = open_review(session, title)
    if existing is not None:
        return existing
    cal = WorkingCalendar()
    end = act.window_end(cal)
    conclude_by = conclusion_due(end, cal, received_on=act.received_on)
    who = who_concludes(read_roster(session), area, assistant)
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
    proc.flow_run_id = run_id
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
        step=Step.CONCLUSION,
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
    return proc


def close_review(session: Session, procedure_id: int, outcome: ReviewOutcome, actor: str) -> None:
    """The review ends: its duties done, the procedure closed, the outcome audited."""
    proc = procedure_store.close_procedure(session, procedure_id, actor)
    audit.append(
        session,
        actor=actor,
        action="court_act.closed",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"outcome": outcome.value},
    )
