"""State prosecution through the support_prosecution flow (Prefect test harness, both
databases): the state prosecutor assigned, the hearings on the calendar, the verdict starting
the review of the court act within its window."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from flows.support_prosecution import support_prosecution
from models.db.tables import Duty, DutyStatus, Procedure
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.timing.calendar import today
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, resume, wait_for_key, wait_until
from tests.office import OFFICE, load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")

COURT = {
    "court_name_ru": "Бостандыкский районный суд города Алматы",
    "court_name_kk": "Алматы қаласы Бостандық аудандық соты",
}
APPELLATE = {
    "appellate_court_ru": "судебную коллегию по уголовным делам Алматинского городского суда",
    "appellate_court_kk": "Алматы қалалық сотының қылмыстық істер жөніндегі сот алқасына",
}
runner = CliRunner()


def case_sent_to_court(database: Database, **details: Any) -> str:
    """The decision that sent the case to court (built by decide-finished-case)."""
    with sessionmaker(database.engine).begin() as session:
        proc = procedure_store.register_procedure(
            session,
            office_code=OFFICE,
            kind=ProcedureKind.CASE_DECISION,
            title="Finished case sent to court",
            year=today().year,
            area="criminal",
        )
        proc.details = {"erdr_number": "262375031000123", **details}
        return proc.registration_number


def prosecution(database: Database) -> Procedure:
    def found() -> Procedure | None:
        with Session(database.engine) as session:
            return session.scalar(
                select(Procedure).where(
                    Procedure.kind == ProcedureKind.STATE_PROSECUTION,
                    Procedure.flow_run_id.is_not(None),
                )
            )

    return wait_until(found, what="the state prosecution")


def hearing_duties(database: Database, proc: Procedure) -> dict[str, Duty]:
    with Session(database.engine) as session:
        return {
            d.step: d
            for d in session.scalars(
                select(Duty).where(Duty.procedure_id == proc.id, Duty.step.like("hearing-%"))
            )
        }


def test_hearings_on_the_calendar_and_the_verdict_starts_the_review_cpc_art_418_1(
    database: Database,
) -> None:
    """CPC art. 58(1): the state prosecutor is the criminal area's assistant present (Петренко);
    the court not named by the decision is asked first; a hearing goes on the calendar as a duty
    due on its day and shows in `prosecution hearings`; an adjournment (CPC art. 341(1)) puts
    the next day on; someone else's entry is refused; the verdict (CPC art. 402) closes the
    prosecution and the review starts with the window from the pronouncement (CPC art.
    418(1))."""
    load_demo_office(database.engine)
    number = case_sent_to_court(database)
    run = FlowInThread(support_prosecution, case_ref=f"prosecutor.case_decision.{number}")
    proc = prosecution(database)
    assert proc.assignee_id == "as-2" and proc.area == "criminal"
    run_id = proc.flow_run_id
    assert run_id
    day, next_day = today(), today() + dt.timedelta(days=7)

    wait_for_key(run_id, "court")
    resume(run_id, **COURT)
    wait_for_key(run_id, "entry-1")
    resume(
        run_id,
        state_prosecutor="as-2",
        entry="hearing_scheduled",
        hearing_on=day.isoformat(),
        hearing_time="10:30",
        courtroom="4",
        court_case_number="7512-26-00-1/101",
    )
    wait_for_key(run_id, "entry-2")
    first = hearing_duties(database, proc)["hearing-1"]
    assert (first.due_date, first.assignee_id, first.status) == (day, "as-2", DutyStatus.OPEN)

    shown = runner.invoke(
        app, ["prosecution", "hearings", "--from", day.isoformat(), "--to", day.isoformat()]
    )
    assert shown.exit_code == 0, shown.output
    line = shown.stdout.strip()
    assert line.startswith(f"{day:%d.%m.%Y} 10:30  Бостандыкский районный суд города Алматы")
    assert "No. 7512-26-00-1/101" in line and "Петренко Ольга Игоревна" in line

    resume(
        run_id,
        state_prosecutor="as-2",
        entry="hearing_adjourned",
        reason="неявка свидетеля обвинения",
        hearing_on=next_day.isoformat(),
        hearing_time="15:00",
    )
    wait_for_key(run_id, "entry-3")
    duties = hearing_duties(database, proc)
    assert duties["hearing-1"].status == DutyStatus.CANCELLED
    assert duties["hearing-2"].due_date == next_day

    verdict = {
        "entry": "verdict_pronounced",
        "verdict_kind": "conviction",
        "pronounced_on": day.isoformat(),
        **APPELLATE,
    }
    resume(run_id, state_prosecutor="as-1", **verdict)  # not the state prosecutor
    wait_for_key(run_id, "entry-4")
    resume(run_id, state_prosecutor="as-2", **verdict)
    result = run.join()

    assert result.state_prosecutor == "as-2"
    review = result.review_parameters
    assert review["window_kind"] == "criminal_verdict"
    assert review["window_starts_on"] == review["act_date"] == day.isoformat()
    assert review["case_number"] == "7512-26-00-1/101"
    assert review["court_name_ru"] == COURT["court_name_ru"] and review["area"] == "criminal"
    assert result.review_flow_run_id is None  # no server configured: parameters returned
    with Session(database.engine) as session:
        closed = session.get_one(Procedure, proc.id)
        assert closed.status == ProcedureStatus.CLOSED
        entries = closed.details["entries"]
        assert "as-1 is not the state prosecutor" in entries["entry-3"]["refused"]
    assert hearing_duties(database, proc)["hearing-2"].status == DutyStatus.CANCELLED

    listed = runner.invoke(
        app,
        [
            "prosecution",
            "hearings",
            "--from",
            day.isoformat(),
            "--to",
            next_day.isoformat(),
            "--json",
        ],
    )
    assert [r["status"] for r in json.loads(listed.stdout)] == ["adjourned", "dropped"]


def test_convict_in_custody_the_review_still_runs_from_the_pronouncement_cpc_art_418_1(
    database: Database,
) -> None:
    """CPC art. 418(1): the delivery of the copy starts the window of the convict in custody,
    not the prosecutor's: the review starts from the pronouncement, and the convict's window
    from the delivery is recorded. A verdict dated before the first hearing is refused."""
    load_demo_office(database.engine)
    number = case_sent_to_court(database, **COURT)
    run = FlowInThread(support_prosecution, case_ref=number)
    proc = prosecution(database)
    run_id = proc.flow_run_id
    assert run_id
    day = today()
    wait_for_key(run_id, "entry-1")  # the court came with the decision: not asked
    resume(run_id, state_prosecutor="as-2", entry="hearing_scheduled", hearing_on=day.isoformat())
    wait_for_key(run_id, "entry-2")
    verdict = {
        "state_prosecutor": "as-2",
        "entry": "verdict_pronounced",
        "verdict_kind": "conviction",
        "convict_in_custody": True,
        **APPELLATE,
    }
    resume(run_id, **verdict, pronounced_on=(day - dt.timedelta(days=1)).isoformat())
    wait_for_key(run_id, "entry-3")
    resume(run_id, **verdict, pronounced_on=day.isoformat(), copy_delivered_on=day.isoformat())
    result = run.join()

    assert result.review_parameters["window_starts_on"] == day.isoformat()
    assert result.review_parameters["case_number"] == "262375031000123"  # no court number yet
    with Session(database.engine) as session:
        details = session.get_one(Procedure, proc.id).details
    assert "first hearing" in details["entries"]["entry-2"]["refused"]
    assert details["verdict"]["copy_delivered_on"] == day.isoformat()
    assert details["verdict"]["convict_window_end"] >= day.isoformat()
