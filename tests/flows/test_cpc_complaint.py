"""The prosecutor's review of a complaint about the investigating body (CPC art. 105), through
the flow in the Prefect test harness on both databases: the extension to 15 сутки notifies the
complainant by a signed notice, the decision is signed for the office and sent, the procedure
closes; an appeal on a CPC topic ends up in the same procedure."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.review_appeal import review_appeal
from flows.review_cpc_complaint import ReviewStatus, review_cpc_complaint
from models.appeals import store as appeal_store
from models.db.tables import AuditEntry, Document, Duty, Procedure
from models.procedures import ProcedureStatus
from models.procedures.cpc_complaints import Outcome, take_in
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit, due_date
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, decide_waiting, resume, wait_for_key, wait_until
from tests.office import absent, load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")

COMPLAINANT = {"kind": "individual", "iin": "850315400015", "last_name": "Сейтқали",
               "first_name": "Әсел"}  # fmt: skip


def submit(database: Database, **over: Any) -> str:
    data: dict[str, Any] = {
        "external_id": "cmp-flow",
        "complainant": COMPLAINANT,
        "contact": {"address": "Алматы, ул. Абая 1"},
        "language": "ru",
        "channel": "post",
        "body_name": "Следственное управление Департамента полиции города Алматы",
        "case_number": "261100031000123",
        "subject": "refusal_to_register",
        "summary": "заявление о мошенничестве не принято и не зарегистрировано",
        "text": "Прошу обязать зарегистрировать моё заявление о мошенничестве в ЕРДР.",
        "received_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        **over,
    }
    with sessionmaker(database.engine).begin() as session:
        result = take_in(session, json.dumps(data, ensure_ascii=False))
    assert result.status == "registered" and result.registration_number, result
    return result.registration_number


def procedure(database: Database, number: str) -> Procedure:
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
    assert proc is not None
    return proc


def run_of(database: Database, number: str) -> str:
    return wait_until(lambda: procedure(database, number).flow_run_id, what="the review to start")


def documents(database: Database, number: str) -> list[Document]:
    proc = procedure(database, number)
    with Session(database.engine) as session:
        return list(
            session.scalars(
                select(Document).where(Document.procedure_id == proc.id).order_by(Document.id)
            )
        )


def test_extension_to_15_sutki_notifies_the_complainant_then_the_refusal_is_sent_cpc_art_105(
    database: Database,
) -> None:
    """CPC art. 105(2): a refusal to register takes 7 сутки; the prosecutor extends it to 15
    сутки for further materials, and the complainant is sent a signed notice with the new date;
    art. 105(3)-(4): the reasoned refusal, signed by the head, is sent with the appeal to the
    investigating judge (art. 106). Only the assigned prosecutor concludes."""
    load_demo_office(database.engine)
    number = submit(database)
    cal = WorkingCalendar()
    run = FlowInThread(review_cpc_complaint, complaint_ref=f"prosecutor.cpc_complaint.{number}")
    run_id = run_of(database, number)
    wait_for_key(run_id, "conclusion-1")
    with Session(database.engine) as session:
        duty = session.scalar(select(Duty).where(Duty.step == "consider"))
    assert duty is not None and duty.assignee_id == "as-2"  # the criminal area's assistant
    seven = procedure(database, number).due_date
    assert duty.term_id == "complaint.investigator" and duty.due_date == seven

    resume(run_id, prosecutor="as-1", outcome="rejected", findings="Чужое заключение.")
    wait_for_key(run_id, "conclusion-2")  # as-1 is not assigned: refused, asked again
    resume(
        run_id,
        prosecutor="as-2",
        extend=True,
        extension_ground="additional_materials",
        extension_reason="истребованы материалы проверки из отдела полиции",
    )
    decide_waiting(run_id, "head")  # the notice
    wait_for_key(run_id, "conclusion-3")
    proc = procedure(database, number)
    received_on = dt.date.fromisoformat(proc.details["received_on"])
    fifteen = due_date(received_on, 15, TermUnit.CALENDAR_DAYS, cal)
    assert seven == due_date(received_on, 7, TermUnit.CALENDAR_DAYS, cal)
    assert proc.due_date == fifteen
    with Session(database.engine) as session:
        duty = session.scalar(select(Duty).where(Duty.step == "consider"))
    assert duty is not None and duty.due_date == fifteen
    assert duty.term_id == "complaint.investigator_extended"
    [notice] = documents(database, number)
    assert notice.kind == "complaint_extension_notice" and notice.dispatched_at is not None
    assert f"продлён до {fifteen:%d.%m.%Y}" in notice.body and "Сейтқали Әсел" in notice.body

    resume(
        run_id,
        prosecutor="as-2",
        extend=True,  # a second extension: refused, the 15 сутки are the whole term
        extension_ground="other_measures",
        extension_reason="ещё материалы",
    )
    wait_for_key(run_id, "conclusion-4")
    resume(
        run_id,
        prosecutor="as-2",
        outcome="rejected",
        findings="Заявление зарегистрировано в ЕРДР 20 ноября; доводы не подтвердились.",
    )
    decide_waiting(run_id, "head")
    result = run.join()
    assert result.status is ReviewStatus.DECIDED
    assert (result.outcome, result.signer, result.extended) == (Outcome.REJECTED, "head", True)
    decision = documents(database, number)[-1]
    assert decision.kind == "complaint_decision" and decision.dispatched_at is not None
    assert "об отказе в удовлетворении жалобы" in decision.body
    assert "в порядке статьи 106" in decision.body and "вышестоящему прокурору" in decision.body
    assert procedure(database, number).status is ProcedureStatus.CLOSED
    with Session(database.engine) as session:
        refused = session.scalars(
            select(AuditEntry.payload).where(
                AuditEntry.action == "cpc_complaint.conclusion_refused"
            )
        ).all()
    assert len(refused) == 2 and "already extended" in refused[1]


def test_appeal_on_a_search_becomes_a_complaint_upheld_under_the_deputy_replacing_the_head(
    database: Database,
) -> None:
    """CL-155 art. 24(9): an appeal on the investigator's actions is registered as a CPC
    complaint and the appeal closed; CPC art. 105(3): upheld with the measures, signed by the
    deputy replacing the absent head (cl. 14-15) and sent."""
    load_demo_office(database.engine)
    absent(database.engine, "head", today() - dt.timedelta(days=1), today() + dt.timedelta(days=30))
    appeal = json.dumps(
        {
            "applicant": COMPLAINANT,
            "contact": {"address": "Алматы, ул. Абая 1"},
            "language": "ru",
            "channel": "e_otinish",
            "topic": "investigator_actions",
            "subject": "Бездействие следователя",
            "text": "Следователь второй месяц не проводит следственные действия по делу.",
            "received_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        },
        ensure_ascii=False,
    )
    with sessionmaker(database.engine).begin() as session:
        taken = appeal_store.intake(session, appeal, "ALM-BST", WorkingCalendar())
    assert taken.registration_number
    review_appeal(appeal_ref=taken.registration_number)
    routed = procedure(database, taken.registration_number)
    number = routed.details["cpc_complaint"]
    assert routed.status is ProcedureStatus.CLOSED and number.startswith("ALM-BST-CMP-")
    assert procedure(database, number).details["term_id"] == "complaint.investigator"

    run = FlowInThread(review_cpc_complaint, complaint_ref=number)
    run_id = run_of(database, number)
    wait_for_key(run_id, "conclusion-1")
    resume(run_id, prosecutor="as-2", outcome="upheld", findings="Доводы подтвердились.")
    wait_for_key(run_id, "conclusion-2")  # upheld without measures: refused (CPC art. 104(3))
    resume(
        run_id,
        prosecutor="as-2",
        outcome="upheld",
        findings="Следственные действия не проводились с 1 октября.",
        remedy="Дать органу досудебного расследования указание провести следственные действия.",
    )
    decide_waiting(run_id, "dep-1")
    result = run.join()
    assert (result.outcome, result.signer, result.extended) == (Outcome.UPHELD, "dep-1", False)
    decision = documents(database, number)[-1]
    assert "ПОСТАНОВЛЕНИЕ об удовлетворении жалобы" in decision.body
    assert "И.о. прокурора района" in decision.body and decision.dispatched_at is not None
    assert procedure(database, number).status is ProcedureStatus.CLOSED
