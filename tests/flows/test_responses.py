"""Acts of prosecutorial response through flows (Prefect test harness, both databases): a protest
whose addressee never answers is escalated once on the day after its term; a rejected submission
ends with the escalation recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.check_deadlines import check_deadlines
from flows.issue_response import issue_protest, issue_submission
from flows.record_answer import record_answer
from models.calendar import WorkingCalendar, today
from models.procedures import ProcedureStatus
from models.tables import Document, Duty, Escalation, Procedure
from tests.conftest import Database
from tests.flows.waiting import (
    FlowInThread,
    decide,
    resume,
    wait_for_key,
    wait_until,
    waiting_approval,
)
from tests.office import load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")
ACT = {
    "addressee": "Аким Бостандыкского района",
    "act_name": "Решение акима района от 01.11.2026 № 15",
    "violation": "ограничен доступ граждан к общественной территории без законных оснований",
    "demands": "отменить решение",
}


def procedure_of(database: Database, kind: str) -> Procedure:
    def found() -> Procedure | None:
        with Session(database.engine) as session:
            return session.scalar(select(Procedure).where(Procedure.kind == kind))

    return wait_until(found, what=f"the {kind} to be registered")


def consideration(database: Database, proc: Procedure) -> Duty:
    with Session(database.engine) as session:
        return session.scalar(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "consideration")
        )


def test_protest_without_answer_is_escalated_once_the_day_after_its_term(
    database: Database,
) -> None:
    """L-81 art. 24 (to be confirmed): the addressee considers a protest within 10 calendar days;
    silence goes to the head the day after, once, and then to court if the head so decides."""
    load_demo_office(database.engine)
    run = FlowInThread(issue_protest, reference="akimat-15", responsible="as-1", **ACT)
    decide(waiting_approval(database.engine), "head")
    proc = procedure_of(database, "protest")
    wait_for_key(proc.flow_run_id, "answer-")
    duty = consideration(database, proc)
    cal = WorkingCalendar()
    assert duty.due_date == cal.on_or_next_working_day(today() + dt.timedelta(days=10))
    assert check_deadlines(on=duty.due_date)["escalated"] == 0  # still within the term
    day_after = cal.next_working_day(duty.due_date)
    assert (
        check_deadlines(on=day_after)["escalated"],
        check_deadlines(on=day_after)["escalated"],
    ) == (1, 0)

    resume(proc.flow_run_id, text="", outcome="silence", decided_by="head")
    wait_for_key(proc.flow_run_id, "court-1")
    resume(proc.flow_run_id, decided_by="head", apply_to_court=True, comment="в суд")
    result = run.join()
    assert result == {
        "registration_number": proc.registration_number,
        "outcome": "silence",
        "court": True,
    }
    with Session(database.engine) as session:
        closed = session.get_one(Procedure, proc.id)
        court = session.scalar(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "court-application")
        )
        protest = session.scalar(select(Document).where(Document.kind == "protest"))
    assert closed.status is ProcedureStatus.CLOSED and closed.details["outcome"] == "silence"
    assert court is not None and court.status.value == "open"
    assert protest is not None and "ПРОТЕСТ" in protest.body and protest.dispatched_at


def test_rejected_submission_ends_with_the_escalation_recorded(database: Database) -> None:
    load_demo_office(database.engine)
    run = FlowInThread(issue_submission, reference="school-7", responsible="as-1", **ACT)
    decide(waiting_approval(database.engine), "head")
    proc = procedure_of(database, "submission")
    wait_for_key(proc.flow_run_id, "answer-")
    duty = consideration(database, proc)
    assert record_answer(
        duty_ref=f"prosecutor.duty.{duty.id}", answer="Представление отклонено", outcome="rejected"
    )
    wait_for_key(proc.flow_run_id, "court-1")
    with Session(database.engine) as session:
        [escalation] = session.scalars(select(Escalation)).all()
    assert (escalation.subject_id, escalation.to_staff_id) == (duty.id, "head")
    assert "rejected" in escalation.reason
    resume(proc.flow_run_id, decided_by="dep-1", apply_to_court=False)  # not the signatory today
    wait_for_key(proc.flow_run_id, "court-2")
    resume(proc.flow_run_id, decided_by="head", apply_to_court=False, comment="достаточно")
    assert run.join() == {
        "registration_number": proc.registration_number,
        "outcome": "rejected",
        "court": False,
    }
