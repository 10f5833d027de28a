"""Inspections and court acts through flows (Prefect test harness, both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.record_answer import record_answer
from flows.review_court_act import review_court_act
from flows.run_inspection import run_inspection
from models import document_store
from models.calendar import WorkingCalendar, today
from models.deadlines import TermUnit, due_date
from models.tables import AccessLevel, AuditEntry, Document, Duty, Procedure
from tests.conftest import Database
from tests.flows.waiting import (
    FlowInThread,
    decide,
    resume,
    wait_for_key,
    wait_until,
    waiting_approval,
)
from tests.office import absent, acting, load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")


def the(database: Database, kind: str) -> Procedure:
    def found() -> Procedure | None:
        with Session(database.engine) as session:
            return session.scalar(select(Procedure).where(Procedure.kind == kind))

    return wait_until(found, what=f"the {kind}")


def duty(database: Database, proc: Procedure, step: str, wait: bool = True) -> Duty | None:
    """The duty of ``step``; with ``wait``, once the run (in its own thread) has opened it."""

    def found() -> Duty | None:
        with Session(database.engine) as session:
            return session.scalar(
                select(Duty).where(Duty.procedure_id == proc.id, Duty.step == step)
            )

    return wait_until(found, what=f"the duty {step}") if wait else found()


def actions(database: Database) -> list[str]:
    with Session(database.engine) as session:
        return list(session.scalars(select(AuditEntry.action)))


def test_inspection_starts_only_when_registered_and_is_extended_by_the_acting_deputy(
    database: Database,
) -> None:
    """L-81 arts. 7(3), 9, PGO-32 (to be confirmed): registered before the start; 30 days; at
    most 30 more with the Prosecutor General's consent, asked for by the acting deputy while the
    head is away."""
    load_demo_office(database.engine)
    day = today()
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=90))
    acting(
        database.engine, "dep-1", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=90)
    )
    run = FlowInThread(
        run_inspection,
        subject="ТОО «Алматы Су»",
        grounds="обращения граждан о завышении тарифов",
        scope="соблюдение законодательства о естественных монополиях",
        inspectors=["as-1"],
        specialists=["аудитор Каримов А."],
    )
    decide(waiting_approval(database.engine), "dep-1")  # the order, signed by the acting deputy
    proc = the(database, "inspection")
    wait_for_key(proc.flow_run_id, "answer-")
    assert "inspection.started" not in actions(database)  # no start without the registration
    assert duty(database, proc, "inspect", wait=False) is None

    registration = duty(database, proc, "registration")
    record_answer(duty_ref=f"prosecutor.duty.{registration.id}", answer="КПСиСУ рег. № 02-1234")
    wait_for_key(proc.flow_run_id, "report-1")
    assert "inspection.started" in actions(database)
    cal = WorkingCalendar()
    first_due = due_date(day, 30, TermUnit.CALENDAR_DAYS, cal)
    assert duty(database, proc, "inspect").due_date == first_due

    resume(
        proc.flow_run_id,
        inspector="as-1",
        extension_reason="назначена ревизия",
        demands=[{"addressee": "ТОО «Алматы Су»", "what": "тарифные сметы"}],
    )
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "dep-1"
    decide(approval, "dep-1")
    wait_for_key(proc.flow_run_id, "answer-")
    consent = duty(database, proc, "pg-consent-1")
    record_answer(
        duty_ref=f"prosecutor.duty.{consent.id}", answer="согласие ГП № 5", outcome="accepted"
    )
    wait_for_key(proc.flow_run_id, "report-2")
    assert duty(database, proc, "inspect").due_date == due_date(
        first_due, 30, TermUnit.CALENDAR_DAYS, cal
    )
    assert duty(database, proc, "demand-1-1") is not None

    resume(
        proc.flow_run_id,
        inspector="as-1",
        findings="Тарифы завышены.",
        violations="нарушен порядок утверждения тарифов",
        response="submission",
    )
    decide(waiting_approval(database.engine), "dep-1")
    assert run.join()["response"] == "submission"
    assert "inspection.extended" in actions(database) and "inspection.response_decided" in actions(
        database
    )


def test_secret_material_is_refused_to_staff_without_clearance(database: Database) -> None:
    """Regulation cl. 8, obligation 5: secret inspection materials only for staff with clearance;
    the refusal is audited."""
    load_demo_office(database.engine)
    run = FlowInThread(
        run_inspection,
        subject="в/ч 1234",
        grounds="поручение",
        scope="учёт вооружения",
        inspectors=["dep-2"],
        secret=True,
    )
    approval = waiting_approval(database.engine)
    assert "state secret: not shown here" in _description(approval)
    decide(approval, "head")
    proc = the(database, "inspection")
    wait_for_key(proc.flow_run_id, "answer-")
    with sessionmaker(database.engine).begin() as session:
        order = session.scalar(select(Document).where(Document.kind == "inspection_order"))
        assert order.access_level is AccessLevel.SECRET
        assert document_store.read_document(session, order.id, "as-1") is None  # no clearance
        assert document_store.read_document(session, order.id, "dep-1") is not None
    with Session(database.engine) as session:
        refused = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "document.access_refused")
        )
    assert refused is not None and refused.actor == "as-1"
    registration = duty(database, proc, "registration")
    record_answer(duty_ref=f"prosecutor.duty.{registration.id}", answer="рег. № 7")
    wait_for_key(proc.flow_run_id, "report-1")
    resume(proc.flow_run_id, inspector="dep-2", findings="Нарушений нет.", response="none")
    decide(waiting_approval(database.engine), "head")
    assert run.join()["response"] == "none"


def _description(approval: object) -> str:
    from models.approval_store import get_approval
    from models.db import transaction
    from tasks.approvals import approval_description

    with transaction() as session:
        return approval_description(get_approval(session, approval.id), [])  # type: ignore[attr-defined]


def test_court_act_protest_window_ending_on_a_holiday_moves_to_the_next_working_day(
    database: Database,
) -> None:
    """CAO art. 829-4 (to be confirmed): 10 days from receipt of the copy; received on
    11 March 2026, the window would end on 21 March (Nauryz) and so ends on 26 March; the
    assistant's conclusion is due two working days before (19 March)."""
    load_demo_office(database.engine)
    run = FlowInThread(
        review_court_act,
        court_act="постановление суда по делу № 7512-26-00-4/101",
        window="court.administrative_offence_protest",
        received_on=dt.date(2026, 3, 11),
        area="criminal",
    )
    proc = the(database, "court_act")
    assert proc.due_date == dt.date(2026, 3, 26)
    assert duty(database, proc, "conclusion").due_date == dt.date(2026, 3, 19)
    wait_for_key(proc.flow_run_id, "conclusion-1")
    resume(
        proc.flow_run_id,
        assistant="as-2",
        appeal=True,
        act_type="protest",
        grounds="неправильно применён закон",
        request="отменить постановление",
    )
    decide(waiting_approval(database.engine), "head")
    result = run.join()
    assert result["appealed"] is True
    with Session(database.engine) as session:
        protest = session.scalar(select(Document).where(Document.kind == "court_protest"))
    assert "ПРОТЕСТ" in protest.body and "26.03.2026" in protest.body and protest.dispatched_at
