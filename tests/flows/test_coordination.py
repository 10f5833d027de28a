"""Coordination of law-enforcement bodies (Regulation cl. 6.3, 7.4) through flows in the Prefect
test harness, on both databases: the agenda approved by the acting deputy while the head is away;
a resolution with three bodies where one reports late and is escalated once with a letter to its
head; the item closes when every body has reported."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.check_deadlines import check_deadlines
from flows.coordinate_law_enforcement import coordinate_law_enforcement, escalate_to_body
from flows.record_answer import record_answer
from models.db.tables import (
    AuditEntry,
    Document,
    Duty,
    Escalation,
    Notification,
    Procedure,
    Signature,
)
from models.procedures import ProcedureStatus
from models.procedures.coordination import AGENDA_TERM, agenda_due
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit
from models.timing.terms import default_terms
from tests.conftest import Database
from tests.flows.waiting import (
    FlowInThread,
    decide,
    decide_waiting,
    pause_key,
    resume,
    wait_for_key,
    wait_until,
    waiting_approval,
)
from tests.office import absent, acting, load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")
BODIES = ["police", "anticorruption", "akimat"]


def run_id(database: Database) -> str:
    def found() -> str | None:
        with Session(database.engine) as session:
            return session.scalar(
                select(Procedure.flow_run_id).where(Procedure.kind == "coordination")
            )

    return wait_until(found, what="the meeting's procedure") or ""


def test_meeting_with_three_bodies_one_late(database: Database) -> None:
    load_demo_office(database.engine)
    cal = WorkingCalendar()
    day = today()
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=60))
    acting(
        database.engine, "dep-2", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=60)
    )
    meeting_date = cal.on_or_next_working_day(day + dt.timedelta(days=7))
    item_due = cal.on_or_next_working_day(meeting_date + dt.timedelta(days=14))
    run = FlowInThread(coordinate_law_enforcement, meeting_date=meeting_date)

    # the responsible assistant (law-enforcement area) prepares the agenda
    rid = run_id(database)
    wait_for_key(rid, "agenda-1")
    resume(
        rid,
        assistant="as-3",
        items=["О состоянии правопорядка в районе", "О профилактике мошенничества"],
    )
    wait_for_key(rid, "approval-")
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "dep-2"  # the head is on leave: the acting deputy approves
    decide_waiting(rid, "dep-2")

    wait_for_key(rid, "resolution-1")
    resume(
        rid,
        recorded_by="as-3",
        items=[
            {
                "text": "Провести совместные рейды",
                "bodies": BODIES,
                "due_date": item_due.isoformat(),
            }
        ],
    )
    wait_for_key(rid, "approval-")
    decide_waiting(rid, "dep-2")
    result = run.join()
    assert result.duties == 3 and result.agenda_items == 2
    assert pause_key(rid) is None

    with Session(database.engine) as session:
        duties = {
            d.body_id: d for d in session.scalars(select(Duty).where(Duty.body_id.is_not(None)))
        }
        agenda = session.scalar(select(Document).where(Document.kind == "agenda"))
        signer = session.scalar(
            select(Signature.signer_id).where(Signature.document_id == agenda.id)
        )
    assert set(duties) == set(BODIES) and all(d.due_date == item_due for d in duties.values())
    assert signer == "dep-2" and "И.о. прокурора района" in agenda.body

    # reminders reach the bodies before the due date
    check_deadlines(on=cal.on_or_next_working_day(item_due - dt.timedelta(days=1)))
    with Session(database.engine) as session:
        reminded = set(
            session.scalars(
                select(Notification.external_recipient).where(Notification.kind == "reminder")
            )
        )
    assert {f"body:{b}" for b in BODIES} <= reminded

    # two bodies report in time, the akimat does not
    for body in ("police", "anticorruption"):
        assert (
            record_answer(duty_ref=f"prosecutor.duty.{duties[body].id}", answer="исполнено") is True
        )
    late_day = cal.next_working_day(item_due)
    first, second = check_deadlines(on=late_day), check_deadlines(on=late_day)
    assert first.body_items_overdue == (duties["akimat"].id,)
    assert first.escalated == 1 and second.escalated == 0  # escalated once
    with Session(database.engine) as session:
        [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.subject_id == duties["akimat"].id

    # the letter to the akimat's head, signed by the acting deputy and sent
    letter_run = FlowInThread(escalate_to_body, duty_ref=f"prosecutor.duty.{duties['akimat'].id}")
    letter_approval = wait_until(
        lambda: (a := waiting_approval(database.engine)).step.startswith("body-letter") and a,
        what="the letter to wait for signature",
    )
    decide(letter_approval, "dep-2")
    sent = letter_run.join()
    assert sent.decision == "approve" and sent.sent and sent.duty_id == duties["akimat"].id
    with Session(database.engine) as session:
        letter = session.scalar(select(Document).where(Document.kind == "body_letter"))
    assert letter is not None and "Жанатов Дәурен Асқарұлы" in letter.body and letter.dispatched_at

    # the akimat reports late: the item and the meeting close
    record_answer(
        duty_ref=f"prosecutor.duty.{duties['akimat'].id}", answer="исполнено с опозданием"
    )
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure).where(Procedure.kind == "coordination"))
        closed_items = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "coordination.item_closed")
        ).all()
    assert proc.status is ProcedureStatus.CLOSED and len(closed_items) == 1


@pytest.mark.parametrize(
    ("meeting", "due"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 2, 27)),  # Monday: the Friday before
        (dt.date(2026, 3, 4), dt.date(2026, 3, 2)),  # Wednesday: Sunday 1 March moves to Monday
        (dt.date(2026, 3, 26), dt.date(2026, 3, 26)),  # 23 March is Nauryz: the next working
        # day after it is the meeting day itself
    ],
)
def test_agenda_due_three_calendar_days_before_the_meeting(meeting: dt.date, due: dt.date) -> None:
    """The office's term for the agenda (row coordination.agenda, office practice): 3 calendar
    days before the meeting, a day off moved to the next working day, capped at the meeting."""
    row = default_terms().get(AGENDA_TERM)
    assert (row.term, row.unit, row.status) == (3, TermUnit.CALENDAR_DAYS, "office_practice")
    assert agenda_due(meeting, WorkingCalendar()) == due
