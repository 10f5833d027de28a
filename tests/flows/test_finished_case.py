"""The prosecutor's decision on a finished case and the указания through their flows (Prefect
test harness, both databases): the case submitted and stored, studied by the procedural
prosecutor within the code's term, the decision signed by the head or the deputy acting for the
head (CPC art. 193(2)), sent to the court or the body; a return opens one duty of the body per
указание (CPC arts. 192(7), 193(1)(5))."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.decide_finished_case import decide_finished_case
from flows.give_instructions import give_instructions
from flows.record_answer import record_answer
from models.approvals import Decision
from models.db.tables import Document, Duty, DutyStatus, Procedure
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures.case_decisions import Outcome, further_investigation_due
from models.procedures.case_intake import submit_text
from models.procedures.instructions import execution_due
from models.timing.calendar import ALMATY, WorkingCalendar, today
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, decide, resume, wait_for_key, waiting_approval
from tests.office import absent, acting, load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")

COURT = "Бостандыкский районный суд города Алматы"


def submitted(database: Database, form: str, erdr: str = "267511031000123") -> str:
    """A finished case received an hour ago, stored as ``prosecutor cases submit`` stores it."""
    received = dt.datetime.now(ALMATY) - dt.timedelta(hours=1)
    record = {
        "erdr_number": erdr,
        "form": form,
        "body_id": "police",
        "investigator": "следователь СО УП Бостандыкского района Иванов И. И.",
        "received_at": received.isoformat(),
        "accused": "Әбдіғұлов Нұрлан Өтегенұлы",
        "cc_article": "часть 2 статьи 190",
    }
    with sessionmaker(database.engine).begin() as session:
        result = submit_text(session, json.dumps(record, ensure_ascii=False))
    assert result.status == "registered", result.reason
    assert result.registration_number is not None
    return result.registration_number


def run_id_of(database: Database, number: str) -> str:
    def found() -> str | None:
        with Session(database.engine) as session:
            proc = session.scalars(
                select(Procedure).where(Procedure.registration_number == number)
            ).one()
            return proc.flow_run_id

    from tests.flows.waiting import wait_until

    return wait_until(found, what="the study to begin")


def the_document(database: Database, kind: str) -> Document:
    with Session(database.engine) as session:
        return session.scalars(select(Document).where(Document.kind == kind)).one()


def test_completion_report_sent_to_court_within_its_term_by_the_head_cpc_art_302(
    database: Database,
) -> None:
    """CPC art. 302(2): ten сутки from receipt; only the procedural prosecutor decides (another
    assistant is refused and the form asked again); the head signs (CPC art. 193(2)(9)) and
    the case goes to the court with the committal (art. 305(1)); the state prosecution is
    recorded as due (no server here to start it on)."""
    load_demo_office(database.engine)
    number = submitted(database, "completion_report")
    run = FlowInThread(decide_finished_case, case_ref=f"prosecutor.case_decision.{number}")
    flow_run = run_id_of(database, number)
    wait_for_key(flow_run, "study-1")
    resume(flow_run, prosecutor="as-1", outcome="send_to_court", court=COURT)
    wait_for_key(flow_run, "study-2")
    resume(flow_run, prosecutor="as-2", outcome="send_to_court", court=COURT, grounds="")
    decide(waiting_approval(database.engine), "head")
    result = run.join()

    due = (dt.datetime.now(ALMATY) - dt.timedelta(hours=1)).date()
    assert result.sent_to_court is True and result.signer == "head"
    assert result.outcome is Outcome.SEND_TO_COURT and result.instructions is None
    assert result.due_date == WorkingCalendar().on_or_next_working_day(due + dt.timedelta(days=10))
    assert result.prosecution_run is None
    committal = the_document(database, "committal_to_court")
    assert committal.dispatched_at is not None and committal.signatory_id == "head"
    assert f"Кому: {COURT}" in committal.body and "частью первой статьи 305" in committal.body
    assert "Н. Серікбаев" in committal.body
    with Session(database.engine) as session:
        proc = session.scalars(
            select(Procedure).where(Procedure.registration_number == number)
        ).one()
        assert proc.status is ProcedureStatus.CLOSED
        decision = proc.details["decision"]
        assert decision["within_term"] is True and decision["signed_by"] == "head"
        assert decision["source"] == "CPC arts. 302(1)(1), 302-1, 304, 305(1)"
        assert proc.details["state_prosecution"]["due"] is True
        assert not session.scalars(
            select(Procedure).where(Procedure.kind == ProcedureKind.INSTRUCTIONS)
        ).all()


def test_termination_refused_by_the_acting_deputy_opens_the_instruction_duties_cpc_290_192(
    database: Database,
) -> None:
    """The head is away and dep-2 acts for the head: dep-2 signs the refusal to approve the
    termination (CPC art. 290(1)(2)); the case goes back to the body with two указания, each a
    duty of the body due in the one month of CPC art. 192(7)."""
    load_demo_office(database.engine)
    day = today()
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=10))
    acting(
        database.engine, "dep-2", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=10)
    )
    number = submitted(database, "termination_decree")
    run = FlowInThread(decide_finished_case, case_ref=number, language="kk")
    flow_run = run_id_of(database, number)
    wait_for_key(flow_run, "study-1")
    resume(
        flow_run,
        prosecutor="as-2",
        outcome="refuse_termination",
        grounds="куәлар жауап алынбаған",
        instructions=["куәлардан жауап алу", "сот-медициналық сараптама тағайындау"],
    )
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "dep-2"
    decide(approval, "dep-2")
    result = run.join()

    assert result.sent_to_court is False and result.signer == "dep-2"
    assert result.outcome is Outcome.REFUSE_TERMINATION
    refusal = the_document(database, "termination_refusal")
    assert "Аудан прокурорының міндетін атқарушы" in refusal.body
    assert "290-бабы бірінші бөлігінің 2) тармағын" in refusal.body
    expected_due = further_investigation_due(day, WorkingCalendar())
    with Session(database.engine) as session:
        given = session.scalars(
            select(Procedure).where(Procedure.kind == ProcedureKind.INSTRUCTIONS)
        ).one()
        assert result.instructions is not None
        assert result.instructions.registration_number == given.registration_number
        assert len(result.instructions.duty_ids) == 2
        assert given.status is ProcedureStatus.AWAITING_ANSWER
        assert given.details["document_id"] == refusal.id and given.details["case"] == number
        duties = session.scalars(
            select(Duty).where(Duty.procedure_id == given.id).order_by(Duty.step)
        ).all()
        assert [(d.step, d.body_id, d.due_date, d.status) for d in duties] == [
            ("instruction-1", "police", expected_due, DutyStatus.OPEN),
            ("instruction-2", "police", expected_due, DutyStatus.OPEN),
        ]
        assert {d.term_id for d in duties} == {"case_decision.further_investigation"}
        decided = session.scalars(
            select(Procedure).where(Procedure.registration_number == number)
        ).one()
        assert decided.status is ProcedureStatus.CLOSED
        assert decided.details["decision"]["instructions"] == given.registration_number


def test_instructions_given_by_hand_are_tracked_item_by_item_cpc_art_193_1_5(
    database: Database,
) -> None:
    """CPC art. 193(1)(5), 193(4): written указания on a case, signed by the head and sent to the
    body investigating it; each item a duty due in the сутки set; the body's report on an item
    (``record-answer``) closes that item only."""
    load_demo_office(database.engine)
    number = submitted(database, "accelerated_protocol", erdr="267511031000456")
    run = FlowInThread(
        give_instructions,
        case_number=number,
        items=["истребовать заключение эксперта", "допросить потерпевшего"],
        due_days=5,
    )
    decide(waiting_approval(database.engine), "head")
    result = run.join()

    assert result.decision is Decision.APPROVE and result.body_id == "police"
    assert result.due_date == execution_due(today(), WorkingCalendar(), 5)
    document = the_document(database, "instructions")
    assert document.dispatched_at is not None
    assert "Кому: Управление полиции Бостандыкского района" in document.body
    assert "пунктом 5) части первой статьи 193" in document.body
    first, second = result.duty_ids
    assert record_answer(duty_ref=f"prosecutor.duty.{first}", answer="экспертиза истребована")
    with Session(database.engine) as session:
        assert session.get_one(Duty, first).status is DutyStatus.DONE
        assert session.get_one(Duty, second).status is DutyStatus.OPEN
        assert session.get_one(Duty, second).due_date == result.due_date
