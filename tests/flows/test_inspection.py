"""Inspections of compliance with the law through the flow (Prefect test harness, both
databases): CL-155 arts. 18, 19, 26(3), 37(1)(6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import flows.run_inspection as flow_module
import tasks.inspections as task_module
from flows.record_answer import record_answer
from flows.run_inspection import run_inspection
from models.db.tables import AccessLevel, AuditEntry, Document, Duty, Procedure
from models.procedures.inspections import (
    CONSENT_SETTING,
    Acknowledgement,
    DecidedResponse,
    InspectionRefused,
)
from models.records import document_store
from models.settings import get_settings
from models.timing.calendar import WorkingCalendar, today
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
D = dt.date
AGREED = {"by": "prosecutor_general", "form": "agreement", "reference": "№ 2-15/77 от 30.10.2026"}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """The inspection's own days (start, suspension, resumption) on a date the test sets."""
    day = [today()]
    for module in (flow_module, task_module):
        monkeypatch.setattr(module, "today", lambda: day[0])

    def set_day(new: dt.date) -> None:
        day[0] = new

    return set_day


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    emitted: list[dict[str, Any]] = []
    monkeypatch.setattr(flow_module, "emit_event", lambda **kw: emitted.append(kw))
    yield emitted


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


def audited(database: Database, action: str) -> list[AuditEntry]:
    with Session(database.engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def document(database: Database, kind: str) -> Document:
    with Session(database.engine) as session:
        return session.scalars(
            select(Document).where(Document.kind == kind).order_by(Document.id.desc())
        ).first()


def registered(database: Database, proc: Procedure) -> None:
    wait_for_key(proc.flow_run_id, "answer-")
    registration = duty(database, proc, "registration")
    record_answer(duty_ref=f"prosecutor.duty.{registration.id}", answer="КПСиСУ рег. № 02-1234")


def test_private_business_refused_without_instruction_or_agreement_cl155_art18_2(
    database: Database,
) -> None:
    """CL-155 art. 18(2), last paragraph: a subject of private business only on the instruction
    of, or by agreement with, the President or the Prosecutor General; nothing is registered."""
    load_demo_office(database.engine)
    with pytest.raises(InspectionRefused, match="private business"):
        run_inspection(
            subject="ТОО «Алматы Су»",
            ground="unlimited_circle",
            facts="обращения граждан о завышении тарифов",
            scope="тарифы",
            inspectors=["as-1"],
            private_business=True,
        )
    with Session(database.engine) as session:
        assert session.scalar(select(Procedure)) is None


def test_inspection_from_2_nov_2026_runs_30_working_days_extended_only_on_explicit_consent(
    database: Database, clock: Callable[[dt.date], None], events: list[dict[str, Any]]
) -> None:
    """CL-155 arts. 18(2), 18(4), 19(1)(1), 19(2)(3), 26(3), 37(1)(6): the постановление names the
    ground, the agreement and the inspectors by name and position; no start before the
    registration; started 2 November 2026 it ends on the 30th working day (14 December); a
    demand's term under 3 working days is refused; an answer with no outcome extends nothing,
    an explicit consent adds 30 working days; the справка is acknowledged and closes it."""
    load_demo_office(database.engine)
    start = D(2026, 11, 2)
    clock(start)
    day = today()
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=90))
    acting(
        database.engine, "dep-1", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=90)
    )
    run = FlowInThread(
        run_inspection,
        subject="ТОО «Алматы Су»",
        ground="unlimited_circle",
        facts="обращения граждан о завышении тарифов",
        scope="соблюдение законодательства о естественных монополиях",
        inspectors=["as-1", "sa-1"],
        private_business=True,
        authorisation=AGREED,
        specialists=["аудитор Каримов А."],
    )
    decide(waiting_approval(database.engine), "dep-1")  # signed by the acting deputy
    order = document(database, "inspection_order").body
    assert "статьями 17 и 18, подпунктом 6) пункта 1 статьи 37" in order
    assert "помощник прокурора района Қасымов Ерлан Маратұлы" in order
    assert "старший помощник прокурора района Жұмабаева Динара Сәбитқызы" in order
    assert "as-1" not in order and "Положени" not in order and "Уважаем" not in order
    assert "неограниченного круга лиц" in order and "№ 2-15/77" in order
    proc = the(database, "inspection")
    wait_for_key(proc.flow_run_id, "answer-")
    assert "inspection.started" not in actions(database)  # CL-155 art. 18(4)
    assert duty(database, proc, "inspect", wait=False) is None

    registered(database, proc)
    wait_for_key(proc.flow_run_id, "report-1")
    cal = WorkingCalendar()
    assert duty(database, proc, "inspect").due_date == D(2026, 12, 14)
    assert cal.working_days_between(start, D(2026, 12, 14)) == 30

    # CL-155 art. 26(3): a term of 2 working days is refused, the whole report with it
    demand = {"addressee": "ТОО «Алматы Су»", "what": "тарифные сметы"}
    resume(proc.flow_run_id, inspector="as-1", demands=[{**demand, "term_days": 2}])
    wait_for_key(proc.flow_run_id, "report-2")
    assert duty(database, proc, "demand-1-1", wait=False) is None
    assert "26(3)" in str(audited(database, "inspection.report_refused")[0].payload)

    resume(
        proc.flow_run_id,
        inspector="as-1",
        demands=[{**demand, "term_days": 3}],
        extension_reason="значительный объём проверки",
    )
    approval = waiting_approval(database.engine)
    request = document(database, "extension_request").body
    assert "Генеральному Прокурору" in request and "рабочих дней" in request
    assert duty(database, proc, "demand-2-1").due_date == D(2026, 11, 5)
    decide(approval, "dep-1")
    wait_for_key(proc.flow_run_id, "answer-")
    consent = duty(database, proc, "pg-consent-1")
    record_answer(duty_ref=f"prosecutor.duty.{consent.id}", answer="рассмотрено")  # no outcome
    wait_for_key(proc.flow_run_id, "report-3")
    assert duty(database, proc, "inspect").due_date == D(2026, 12, 14)  # not extended
    assert "inspection.extension_not_given" in actions(database)

    resume(proc.flow_run_id, inspector="as-1", extension_reason="истребованы материалы")
    decide(waiting_approval(database.engine, 0), "dep-1")
    wait_for_key(proc.flow_run_id, "answer-")
    consent = duty(database, proc, "pg-consent-2")
    record_answer(
        duty_ref=f"prosecutor.duty.{consent.id}", answer="согласие ГП № 5", outcome="accepted"
    )
    wait_for_key(proc.flow_run_id, "report-4")
    extended = duty(database, proc, "inspect").due_date
    assert cal.working_days_between(D(2026, 12, 14), extended) == 30

    resume(
        proc.flow_run_id,
        inspector="as-1",
        findings="Тарифы завышены.",
        violations="нарушен порядок утверждения тарифов",
        act_name="приказ ТОО № 15 от 01.09.2026 об утверждении тарифов",
        response="submission",
    )
    decide(waiting_approval(database.engine), "dep-1")
    wait_for_key(proc.flow_run_id, "acknowledgement-")
    certificate = document(database, "inspection_certificate")
    assert "СПРАВКА" in certificate.body and "подпункт 3) пункта 2 статьи 19" in certificate.body
    assert certificate.dispatched_at is not None
    assert duty(database, proc, "certificate-acknowledgement-4").status.value == "open"
    assert "inspection.response_decided" not in actions(database)  # not closed before
    wait_for_key(proc.flow_run_id, "acknowledgement-4-1")
    resume(proc.flow_run_id, inspector="as-1", acknowledgement="refused", note="отказ от подписи")
    result = run.join()
    assert (result.started, result.response, result.certificate) == (
        True,
        DecidedResponse.SUBMISSION,
        Acknowledgement.REFUSED,
    )
    assert duty(database, proc, "certificate-acknowledgement-4").status.value == "done"
    with Session(database.engine) as session:
        assert session.get_one(Procedure, proc.id).status.value == "closed"
    (event,) = events
    assert event["event"] == "prosecutor.response.decided"
    assert event["payload"]["act"] == "submission"
    assert event["payload"]["act_name"] == "приказ ТОО № 15 от 01.09.2026 об утверждении тарифов"
    assert event["payload"]["addressee"] == "ТОО «Алматы Су»"


def test_suspension_stops_the_clock_and_extension_without_consent_when_set_cl155_art18_4(
    database: Database,
    clock: Callable[[dt.date], None],
    events: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CL-155 art. 18(4): suspended for an expert examination on 13 November, resumed on
    1 December, the 21 working days left run from the resumption (to 31 December); where the
    setting says no consent is needed (PG order No. 32, to be confirmed), the signed
    постановление on the extension is the decision."""
    monkeypatch.setenv(CONSENT_SETTING, "false")
    get_settings.cache_clear()  # the database fixture clears it again at the end
    load_demo_office(database.engine)
    clock(D(2026, 11, 2))
    run = FlowInThread(
        run_inspection,
        subject="Отдел занятости района",
        ground="minors",
        facts="неназначение пособий на детей",
        scope="назначение пособий",
        inspectors=["as-3"],
    )
    decide(waiting_approval(database.engine), "head")
    proc = the(database, "inspection")
    registered(database, proc)
    wait_for_key(proc.flow_run_id, "report-1")
    clock(D(2026, 11, 13))
    resume(proc.flow_run_id, inspector="as-3", suspension="expert_examination")
    wait_for_key(proc.flow_run_id, "report-2")
    assert duty(database, proc, "inspect").due_date is None  # the clock stops
    clock(D(2026, 12, 1))
    resume(proc.flow_run_id, inspector="as-3", resumed=True)
    wait_for_key(proc.flow_run_id, "report-3")
    assert duty(database, proc, "inspect").due_date == D(2026, 12, 31)

    resume(
        proc.flow_run_id,
        inspector="as-3",
        extension_reason="истребованы материалы",
        extension_days=10,
    )
    decide(waiting_approval(database.engine), "head")
    wait_for_key(proc.flow_run_id, "report-4")
    decree = document(database, "extension_request")
    assert "ПОСТАНОВЛЕНИЕ о продлении" in decree.body and decree.dispatched_at is not None
    new_due = duty(database, proc, "inspect").due_date
    assert WorkingCalendar().working_days_between(D(2026, 12, 31), new_due) == 10

    resume(proc.flow_run_id, inspector="as-3", findings="Нарушений нет.", response="none")
    decide(waiting_approval(database.engine), "head")
    wait_for_key(proc.flow_run_id, "acknowledgement-")
    resume(proc.flow_run_id, inspector="as-3", acknowledgement="received")
    result = run.join()
    assert (result.response, result.certificate) == (
        DecidedResponse.NONE,
        Acknowledgement.RECEIVED,
    )
    assert events == []  # no act decided


def test_secret_material_is_refused_to_staff_without_clearance(database: Database) -> None:
    """Secret inspection materials only for staff with clearance; the refusal is audited."""
    load_demo_office(database.engine)
    run = FlowInThread(
        run_inspection,
        subject="в/ч 1234",
        ground="prosecutor_general_instruction",
        facts="поручение",
        scope="учёт вооружения",
        inspectors=["dep-2"],
        authorisation={"by": "prosecutor_general", "form": "instruction", "reference": "№ 9"},
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
    registered(database, proc)
    wait_for_key(proc.flow_run_id, "report-1")
    # CL-155 art. 33(1): a protest names the act it contests, else the report is refused
    resume(proc.flow_run_id, inspector="dep-2", findings="Приказ незаконен.", response="protest")
    wait_for_key(proc.flow_run_id, "report-2")
    assert "33(1)" in str(audited(database, "inspection.report_refused")[0].payload)
    resume(proc.flow_run_id, inspector="dep-2", findings="Нарушений нет.", response="none")
    decide(waiting_approval(database.engine), "head")
    wait_for_key(proc.flow_run_id, "acknowledgement-")
    resume(proc.flow_run_id, inspector="dep-2", acknowledgement="received")
    assert run.join().response is DecidedResponse.NONE


def _description(approval: object) -> str:
    from models.approvals.store import get_approval
    from models.db import transaction
    from tasks.approvals import approval_description

    with transaction() as session:
        return approval_description(get_approval(session, approval.id), [])  # type: ignore[attr-defined]
