"""An appeal from the terminal to a signed reply, through a real Prefect server: the
`prosecutor.appeal.received` event triggers the served review-appeal deployment; the run
registers and assigns the appeal, suspends for the assistant's report and for approval, resumes
on the terminal commands, and closes with a signed reply. And an appeal whose event was lost is
picked up by reconciliation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import store as appeal_store
from models.db.tables import Document, Duty, Procedure, Signature
from models.timing.calendar import WorkingCalendar, local_date
from models.timing.deadlines import TermUnit, due_date
from tests.e2e.conftest import cli, state, wait, waiting_at
from tests.office import key_args
from tests.support.appeals import appeal_file

pytestmark = pytest.mark.e2e


def kazakh_appeal(folder: Path, n: int) -> Path:
    return appeal_file(
        folder,
        f"eotinish-{n}",
        last_name="Сейтқали",
        first_name="Әсел",
        contact={"address": "Алматы, Абай даңғылы 1"},
        language="kk",
        channel="e_otinish",
        subject="Жалақы төленбеді",
        text=f"Жұмыс беруші үш ай бойы жалақы төлемеді ({n}).",
        received_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
    )


def review_run(engine: Any, number: str) -> str:
    def found() -> str | None:
        with Session(engine) as session:
            return appeal_store.by_number(session, number)[0].review_flow_run_id

    return wait(found, 60, f"the triggered review of {number}")


def test_appeal_from_the_terminal_to_a_signed_reply(stack: dict[str, Any], tmp_path: Path) -> None:
    api, env, engine = stack["api"], stack["env"], stack["engine"]
    submitted = cli(env, "appeals", "submit", str(kazakh_appeal(tmp_path, 1)), "--json")
    assert submitted.returncode == 0, submitted.stderr
    result = json.loads(submitted.stdout)
    assert result["announced"] is True
    number = result["appeals"][0]["registration_number"]

    run_id = review_run(engine, number)
    waiting_at(api, run_id, "report-1")
    run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
    assert run["name"].startswith(f"{number} · report of ")  # registration number and step
    with Session(engine) as session:
        row, proc = appeal_store.by_number(session, number)
        duty = session.scalar(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "consider")
        )
        received = local_date(appeal_store.parsed(row).received_at)
    assert proc.assignee_id == "sa-1" and duty is not None and duty.assignee_id == "sa-1"
    cal = WorkingCalendar()
    assert duty.due_date == due_date(received, 15, TermUnit.WORKING_DAYS, cal)
    assert cal.is_working_day(duty.due_date)

    # an interim report asks another body for information; its answer arrives as an event
    interim = cli(
        env,
        "appeals",
        "report",
        number,
        "--as",
        "sa-1",
        "--request",
        "ТОО «Алма»: Жалақы төлемдері туралы мәліметтер",
    )
    assert interim.returncode == 0, interim.stderr
    waiting_at(api, run_id, "report-2")
    with Session(engine) as session:
        request = session.scalar(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "request-1-1")
        )
    assert request is not None and request.status.value == "open"
    assert cli(env, "answer", str(request.id), "--text", "Мәліметтер ұсынылды").returncode == 0

    def answered() -> bool:
        with Session(engine) as session:
            return session.get_one(Duty, request.id).status.value == "done"

    wait(answered, 60, "the answer event to close the request")

    reported = cli(
        env,
        "appeals",
        "report",
        number,
        "--as",
        "sa-1",
        "--outcome",
        "upheld",
        "--findings",
        "Жалақы бойынша берешек өтелді.",
    )
    assert reported.returncode == 0, reported.stderr
    waiting_at(api, run_id, "approval-")
    [approval] = json.loads(cli(env, "approvals", "list", "--pending", "--json").stdout)
    decided = cli(
        env, "approvals", "decide", str(approval["id"]), *key_args("head"), "--decision", "approve"
    )
    assert decided.returncode == 0, decided.stderr
    wait(lambda: state(api, run_id)["name"] == "Completed", 120, "the review to complete")

    with Session(engine) as session:
        proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
        reply = session.scalar(select(Document).where(Document.procedure_id == proc.id))
        signature = session.scalar(select(Signature).where(Signature.document_id == reply.id))
    assert proc.status.value == "closed"
    assert reply.language == "kk" and "Сейтқали Әсел" in reply.body and reply.dispatched_at
    assert signature is not None and signature.signer_id == "head"
    assert cli(env, "documents", "verify", str(reply.id)).returncode == 0
    timeline = cli(env, "appeals", "show", number).stdout
    for step in (
        "appeal.registered",
        "appeal.assigned",
        "approval.approved",
        "document.dispatched",
        "appeal.closed",
    ):
        assert step in timeline


def test_appeal_whose_event_was_lost_is_reconciled(stack: dict[str, Any], tmp_path: Path) -> None:
    api, env, engine = stack["api"], stack["env"], stack["engine"]
    offline = {k: v for k, v in env.items() if k != "PREFECT_API_URL"}  # Prefect not reached
    submitted = json.loads(
        cli(offline, "appeals", "submit", str(kazakh_appeal(tmp_path, 2)), "--json").stdout
    )
    assert submitted["announced"] is False
    number = submitted["appeals"][0]["registration_number"]
    reconciled = cli(env, "appeals", "reconcile", "--older-than", "0", "--json")
    assert reconciled.returncode == 0, reconciled.stderr
    assert [r["registration_number"] for r in json.loads(reconciled.stdout)] == [number]
    run_id = review_run(engine, number)
    waiting_at(api, run_id, "report-1")
    again = cli(env, "appeals", "reconcile", "--older-than", "0", "--json")
    assert json.loads(again.stdout) == []  # under review now: nothing to reconcile
