"""A criminal case under supervision through the supervise_criminal_case flow (Prefect test
harness, both databases): the procedural prosecutor by area, presence and load (CPC art. 193);
the term of the investigation and the start notice watched; a request to extend the term signed
by the deputy acting for the head on leave (CPC art. 192(4); Regulation cl. 14-15), and one
beyond the district prosecutor's three months referred to the regional office."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.receive_erdr import ErdrIntake, receive_erdr
from flows.supervise_criminal_case import WatchEnd, supervise_criminal_case
from models.db.tables import Document, Duty, DutyStatus, Notification, Procedure
from models.procedures import ProcedureStatus, erdr_intake
from models.procedures.criminal_cases import InvestigationForm, district_limit, investigation_due
from models.timing.calendar import ALMATY, WorkingCalendar, today
from models.timing.terms import default_terms
from tests.conftest import Database
from tests.db.test_erdr_intake import record
from tests.flows.waiting import (
    FlowInThread,
    decide,
    resume,
    wait_for_key,
    wait_until,
    waiting_approval,
)
from tests.office import OFFICE, absent, acting, load_demo_office, procedure_with_duty

pytestmark = pytest.mark.usefixtures("prefect_harness")

REGISTERED = (dt.datetime.now(ALMATY) - dt.timedelta(days=20)).replace(microsecond=0)


def register_case(form: InvestigationForm) -> str:
    """A case registered in ЕРДР 20 days ago, through the intake, as the trigger would see it."""
    raw = json.dumps(
        {
            "external_id": "erdr-flow-1",
            "erdr_number": "261100000000077",
            "registered_at": REGISTERED.isoformat(),
            "cc_article": "190 ч.2",
            "form": form.value,
            "body": "Управление полиции Бостандыкского района",
            "investigator": "Сейітов Бақытжан Ерланұлы",
            "summary": "мошенничество",
            "office_code": OFFICE,
        },
        ensure_ascii=False,
    )
    summary = erdr_intake.store_all([("test", raw)])
    assert summary.registered == 1, summary.records
    return summary.records[0]["registration_number"]


def started(database: Database, number: str) -> tuple[FlowInThread, Procedure]:
    run = FlowInThread(supervise_criminal_case, case_ref=f"prosecutor.criminal_case.{number}")

    def claimed() -> Procedure | None:
        with Session(database.engine) as session:
            proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
            return proc if proc is not None and proc.flow_run_id and proc.assignee_id else None

    return run, wait_until(claimed, what="the case taken under supervision")


def duties(database: Database, proc: Procedure) -> dict[str, Duty]:
    with Session(database.engine) as session:
        rows = session.scalars(select(Duty).where(Duty.procedure_id == proc.id)).all()
    return {d.step: d for d in rows}


def event(run_id: str, n: int, **given: Any) -> None:
    wait_for_key(run_id, f"case-event-{n}")
    resume(run_id, **given)


def test_assigned_by_area_and_load_beyond_three_months_referred_then_finished(
    database: Database,
) -> None:
    """CPC art. 193: of the criminal area the deputy with no open duties is chosen over the
    assistant with two (an assistant of another area never). The term's due date and the
    notice's hour are duties (CPC arts. 192(2), 196(1)). A request beyond three months is not
    granted here (CPC art. 192(4) para. 3): no decision, the term unchanged, the regional office
    told. The finished case closes the watch for decide-finished-case."""
    load_demo_office(database.engine)
    with Session(database.engine) as session, session.begin():
        for step in ("a", "b"):
            procedure_with_duty(session, assignee="as-2", due=today(), step=step)
    number = register_case(InvestigationForm.INVESTIGATION)
    run, proc = started(database, number)
    assert proc.assignee_id == "dep-2"
    due = investigation_due(
        InvestigationForm.INVESTIGATION, REGISTERED, WorkingCalendar(), default_terms()
    )
    steps = duties(database, proc)
    assert steps["investigation-term"].due_date == due == proc.due_date
    assert steps["investigation-term"].assignee_id == "dep-2"
    notice_at = steps["notice-start"].due_at
    assert notice_at is not None
    assert notice_at.replace(tzinfo=notice_at.tzinfo or dt.UTC) == REGISTERED + dt.timedelta(
        hours=24
    )

    limit = district_limit(REGISTERED, WorkingCalendar(), default_terms())
    event(proc.flow_run_id, 1, event="notice_received", prosecutor="dep-2")
    event(
        proc.flow_run_id,
        2,
        event="extension_request",
        prosecutor="dep-2",
        requested_until=(limit + dt.timedelta(days=10)).isoformat(),
        reasoning="назначены судебные экспертизы",
    )
    event(proc.flow_run_id, 3, event="finished", prosecutor="dep-2", outcome="протокол обвинения")
    result = run.join()
    assert result.end is WatchEnd.FINISHED and result.next_flow == "decide-finished-case"
    assert result.extensions == ()
    with Session(database.engine) as session:
        closed = session.get_one(Procedure, proc.id)
        assert closed.status is ProcedureStatus.CLOSED and closed.due_date == due
        assert not session.scalars(select(Document).where(Document.procedure_id == proc.id)).all()
        told = session.scalars(
            select(Notification).where(Notification.kind == "extension_referred")
        ).one()
    assert told.recipient_id is None and "192(4)" in told.message
    assert all(d.status is DutyStatus.DONE for d in duties(database, proc).values())


def test_extension_signed_by_the_deputy_acting_for_the_head_moves_the_term(
    database: Database,
) -> None:
    """CPC art. 192(4) para. 2: within three months the district prosecutor extends; the head
    is on leave, so the deputy acting for the head signs (Regulation cl. 14-15). The signed
    постановление is sent to the body and the term's duty takes the new last day."""
    load_demo_office(database.engine)
    day = today()
    absent(database.engine, "head", day, day + dt.timedelta(days=7))
    acting(database.engine, "dep-1", "head", day, day + dt.timedelta(days=7))
    number = register_case(InvestigationForm.INQUIRY)
    run, proc = started(database, number)
    assert proc.assignee_id == "as-2"
    until = district_limit(REGISTERED, WorkingCalendar(), default_terms())
    event(
        proc.flow_run_id,
        1,
        event="extension_request",
        prosecutor="as-2",
        requested_until=until.isoformat(),
        ground="complexity",
        reasoning="назначены судебно-бухгалтерская и почерковедческая экспертизы",
        request_date=day.isoformat(),
    )
    decide(waiting_approval(database.engine), "dep-1")
    event(proc.flow_run_id, 2, event="finished", prosecutor="as-2", outcome="отчёт")
    result = run.join()
    assert result.extensions == (until,)
    with Session(database.engine) as session:
        doc = session.scalars(select(Document).where(Document.procedure_id == proc.id)).one()
        extended = session.get_one(Procedure, proc.id)
    assert doc.kind == "pretrial_extension" and doc.signatory_id == "dep-1"
    assert doc.dispatched_at is not None
    assert "И.о. прокурора района" in doc.body and "статьи 192" in doc.body
    assert extended.due_date == until
    assert duties(database, proc)["investigation-term"].due_date == until
    assert extended.details["extensions"][0]["signer"] == "dep-1"


def test_receive_erdr_stores_the_inbox_and_publishes_counts(
    database: Database, tmp_path: Path
) -> None:
    """The scheduled intake (CPC art. 179(1): the investigation starts with the registration in
    ЕРДР) stores each record of the inbox once and keeps a rejected one with the reason."""
    load_demo_office(database.engine)
    (tmp_path / "batch.jsonl").write_text(
        record(1) + "\n" + record(2, office_code="AST-ESL") + "\n", encoding="utf-8"
    )
    counts = receive_erdr(folder=str(tmp_path))
    assert counts == ErdrIntake(registered=1, duplicates=0, rejected=1, announced=0)
    assert receive_erdr(folder=str(tmp_path)).registered == 0  # the file was read once
