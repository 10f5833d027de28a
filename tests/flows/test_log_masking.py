"""Run logs, run parameters and what the procedures' pages show reach the Prefect server with
personal data masked or left out (Law of the RK No. 94-V, art. 1; issue 16): everyone with the
UI reads them, and the open-source server has no per-user access control."""

from __future__ import annotations

from uuid import UUID

import pytest
from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterName,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.runtime import flow_run
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import tasks  # noqa: F401  (importing the steps installs the masking, as every flow does)
from deployments.cli import app
from flows.give_instructions import refuse_personal_data
from flows.record_answer import record_answer, record_stored_answer
from models.db.tables import AuditEntry, Duty, DutyStatus
from models.office.roster_store import office_code
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.procedures.parties import PersonalData
from tasks.answers import AnswerInput, answer_sha256, decode, receive_answer
from tasks.log_masking import forget, remember
from tests.conftest import Database
from tests.flows.waiting import wait_until
from tests.office import load_demo_office

pytestmark = pytest.mark.usefixtures("prefect_harness")
IIN = "850315400015"


@flow(name="logs-personal-data")
def logs_personal_data() -> str:
    get_run_logger().info(
        "Applicant IIN %s, phone +7 701 555 01 01, e-mail p.ivanov@example.kz", IIN
    )
    return str(flow_run.id)


def test_identifiers_phones_and_emails_are_masked_in_run_logs() -> None:
    """Values of no known party: the patterns alone (an IIN keeps its last 4 digits)."""
    forget()  # parties remembered by earlier tests in this process would mask them whole
    run_id = logs_personal_data()

    def stored() -> list[str] | None:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(run_id)]))
            )
        messages = [log.message for log in logs if "Applicant" in log.message]
        return messages or None

    [message] = wait_until(stored, what="the run's log on the server")
    assert IIN not in message and "********0015" in message
    assert "555 01 01" not in message and "***01" in message
    assert "p.ivanov" not in message and "***@example.kz" in message


def test_a_partys_name_is_masked_in_run_logs_in_any_grammatical_case() -> None:
    """Issue 16: the parties of a procedure shown by this process are masked in its run logs
    whatever case the name is written in (Құдайбергенова → Құдайбергеновой, -ға, -ның)."""
    remember(PersonalData(names=("Құдайбергенова Айгүл",)))
    run_id = logs_a_name()
    [message] = wait_until(lambda: run_messages(run_id, "Called"), what="the run's log")
    assert "Құдайбергенов" not in message and "Айгүл" not in message
    assert message == "Called Қ., Қ. and А. about the hearing"


@flow(name="logs-a-name")
def logs_a_name() -> str:
    get_run_logger().info("Called %s, %s and %s about the hearing", *DECLINED)
    return str(flow_run.id)


DECLINED = ("Құдайбергеновой", "Құдайбергеноваға", "Айгүлдің")


def run_messages(run_id: str, starting: str) -> list[str] | None:
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(run_id)]))
        )
    return [log.message for log in logs if log.message.startswith(starting)] or None


def open_request(database: Database) -> int:
    """A procedure of the demo office with a request to another body open."""
    load_demo_office(database.engine)
    with Session(database.engine) as session, session.begin():
        proc = procedure_store.register_procedure(
            session,
            office_code=office_code(session),
            kind=ProcedureKind.APPEAL,
            title="Appeal",
            year=2026,
        )
        duty = procedure_store.open_duty(
            session,
            procedure_id=proc.id,
            step="request-1-1",
            title="Answer of the akimat",
            assignee_id="sa-1",
            due_date=None,
        )
        return duty.id


def test_an_answer_is_stored_first_and_prefect_gets_only_its_duty_and_hash(
    database: Database,
) -> None:
    """Issue 16: a body's answer may name people; it is stored on its duty, and the
    ``record-answer`` run is given only the duty and the SHA-256 of what was stored. The
    procedure's page (the audit log) shows the hash, not the text."""
    duty_id = open_request(database)
    text = "Свидетелю Құдайбергеновой (ИИН 850315400015) вручено"
    assert record_answer(duty_id, text, outcome="accepted") is True
    with Session(database.engine) as session:
        duty = session.get_one(Duty, duty_id)
        answered = session.scalars(
            select(AuditEntry.payload).where(AuditEntry.action.like("duty.answer%"))
        ).all()
    assert duty.status is DutyStatus.DONE and decode(duty.answer or "").text == text
    sha = answer_sha256(duty.answer or "")
    assert all(text not in payload and "Құдайбергенов" not in payload for payload in answered)
    assert any(sha in payload for payload in answered)
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=[f"answer-prosecutor.duty.{duty_id}"])
            )
        )
    ref = f"prosecutor.duty.{duty_id}"  # the harness's server is shared by both databases
    assert {"duty_ref": ref, "answer_sha256": sha} in [run.parameters for run in runs]
    assert all(set(run.parameters) == {"duty_ref", "answer_sha256"} for run in runs)
    assert record_answer(duty_id, "again") is False  # answered once


def test_an_answer_announced_then_replaced_is_recorded_by_the_newer_announcement(
    database: Database,
) -> None:
    duty_id = open_request(database)
    first = receive_answer(duty_id, AnswerInput(text="первый"))
    second = receive_answer(duty_id, AnswerInput(text="исправленный"))
    ref = f"prosecutor.duty.{duty_id}"
    assert record_stored_answer(duty_ref=ref, answer_sha256=first) is False
    assert record_stored_answer(duty_ref=ref, answer_sha256=second) is True
    with Session(database.engine) as session:
        assert decode(session.get_one(Duty, duty_id).answer or "").text == "исправленный"


def test_instructions_carrying_identifiers_or_contacts_are_refused_before_anything_is_stored() -> (
    None
):
    """Issue 16: the items of ``give-instructions`` are its parameters; one with an IIN, a phone
    or an e-mail is refused, by its number, without repeating it."""
    items = ["допросить потерпевшего", "допросить свидетеля, тел. +7 701 555 01 01"]
    with pytest.raises(ValueError, match="items 2 carry") as refused:
        refuse_personal_data(items)
    assert "555" not in str(refused.value)
    refuse_personal_data(["допросить потерпевшего"])  # roles, no data: given


def test_prosecutor_answer_stores_the_answer_even_when_prefect_is_not_reached(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored first, then announced: without a server the answer is kept on its duty and the
    command says in one line that it was not announced (exit 1)."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    duty_id = open_request(database)
    given = CliRunner().invoke(app, ["answer", str(duty_id), "--text", "сведения направлены"])
    assert given.exit_code == 1 and "stored on duty" in given.output
    assert len(given.output.strip().splitlines()) == 1
    with Session(database.engine) as session:
        duty = session.get_one(Duty, duty_id)
    assert (
        duty.status is DutyStatus.OPEN and decode(duty.answer or "").text == "сведения направлены"
    )
