"""Supervision of a pre-trial investigation through a real Prefect server, as the office lives it:
a case registered in ЕРДР arrives in the inbox folder, `prosecutor erdr poll` stores and numbers
it and announces `prosecutor.case.registered`, whose trigger starts the served
`supervise-criminal-case`; the case is assigned to a prosecutor of the criminal area; the
investigator's reasoned request to extend the term (CPC art. 192(4)) is decided by the district
prosecutor's office and signed by the acting deputy while the head is on leave (Regulation cl.
14-15); then the case comes back with a completion report (`prosecutor cases submit`,
`prosecutor.case.submitted`), and the decision to send it to court is signed within the
prosecutor's term (CPC art. 302(2)) and starts the state prosecution."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Approval, Document, Duty, Procedure, Signature
from models.timing.calendar import ALMATY, today
from tests.e2e.conftest import cli, state, wait, waiting_at
from tests.office import key_args
from tests.support.polling import retry_busy

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.served("supervise-criminal-case,decide-finished-case,support-prosecution"),
]

ERDR = "267511031000501"


def _ok(done: Any) -> Any:
    assert done.returncode == 0, done.stderr or done.stdout
    return done


def _run_of(engine: Any, kind: str) -> tuple[str, str]:
    """The registration number and the run of the one procedure of ``kind`` once a run took it."""

    def found() -> tuple[str, str] | None:
        with Session(engine) as session:
            proc = session.scalar(select(Procedure).where(Procedure.kind == kind))
            if proc is None or proc.flow_run_id is None:
                return None
            return proc.registration_number, proc.flow_run_id

    return wait(found, 180, f"a run for the {kind} procedure")


def _resume(api: str, run_id: str, **run_input: Any) -> None:
    """What the Prefect UI's Resume form sends; a server on SQLite answers 503 while it is busy
    writing, and the UI (like Prefect's own client) sends it again."""
    response = retry_busy(
        lambda: httpx.post(
            f"{api}/flow_runs/{run_id}/resume", json={"run_input": run_input}, timeout=30
        )
    )
    assert response.status_code < 300, response.text
    assert response.json().get("status") != "REJECT", response.text


def _decide_pending(env: dict[str, str], engine: Any, number: str, staff_id: str) -> Approval:
    def pending() -> Approval | None:
        with Session(engine) as session:
            return session.scalar(
                select(Approval)
                .join(Procedure, Procedure.id == Approval.procedure_id)
                .where(Procedure.registration_number == number, Approval.status == "pending")
            )

    approval = wait(pending, 180, f"an approval on {number}")
    assert approval.signatory_id == staff_id  # the acting deputy, not the head on leave
    _ok(
        cli(
            env,
            "approvals",
            "decide",
            str(approval.id),
            *key_args(staff_id),
            "--decision",
            "approve",
        )
    )
    return approval


def _signature(engine: Any, number: str) -> Signature:
    with Session(engine) as session:
        return session.scalars(
            select(Signature)
            .join(Document, Document.id == Signature.document_id)
            .join(Procedure, Procedure.id == Document.procedure_id)
            .where(Procedure.registration_number == number)
            .order_by(Signature.id.desc())
        ).first()


def test_a_case_from_erdr_to_court_under_the_acting_deputy(
    stack: dict[str, Any], tmp_path: Path
) -> None:
    api, env, engine = stack["api"], stack["env"], stack["engine"]
    day = today()
    leave = (str(day - dt.timedelta(days=1)), str(day + dt.timedelta(days=20)))
    absence = ("roster", "absence", "add", "head", "--kind", "leave")
    _ok(cli(env, *absence, "--from", leave[0], "--to", leave[1]))
    acting = ("roster", "acting", "add", "dep-1", "--for", "head", "--reference", "№ 12-к")
    _ok(cli(env, *acting, "--from", leave[0], "--to", leave[1]))

    # 1. ЕРДР: registered 50 days ago, a preliminary investigation (two months, CPC art. 192(2))
    registered = dt.datetime.now(ALMATY).replace(microsecond=0) - dt.timedelta(days=50)
    inbox = tmp_path / "erdr-inbox"
    inbox.mkdir()
    record = {
        "external_id": "erdr-e2e-1",
        "erdr_number": ERDR,
        "registered_at": registered.isoformat(),
        "cc_article": "190 ч.2",
        "form": "investigation",
        "body": "Следственное управление Департамента полиции города Алматы",
        "investigator": "Сейітов Бақытжан Ерланұлы",
        "summary": "мошенничество в отношении Әлиевой А.",
        "office_code": "ALM-BST",
    }
    (inbox / "today.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    polled = json.loads(_ok(cli(env, "erdr", "poll", "--folder", str(inbox), "--json")).stdout)
    assert "registered" in json.dumps(polled)
    number, run_id = _run_of(engine, "criminal_case")
    waiting_at(api, run_id, "case-event-1")
    with Session(engine) as session:
        proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
        term = session.scalar(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "investigation-term")
        )
    assert proc.assignee_id in {"as-2", "dep-2"}  # the criminal area, by presence and load
    assert term is not None and term.due_date == proc.due_date
    first_due = proc.due_date

    # 2. The investigator's reasoned request: within the district's three months (192(4))
    until = (registered + dt.timedelta(days=80)).date()
    _resume(
        api,
        run_id,
        event="extension_request",
        prosecutor=proc.assignee_id,
        requested_until=until.isoformat(),
        ground="complexity",
        reasoning="назначены судебно-бухгалтерская и почерковедческая экспертизы",
    )
    _decide_pending(env, engine, number, "dep-1")
    waiting_at(api, run_id, "case-event-2")
    signature = _signature(engine, number)
    assert signature.signer_id == "dep-1" and signature.acting
    with Session(engine) as session:
        moved = session.scalar(select(Procedure).where(Procedure.registration_number == number))
    assert moved.due_date is not None and moved.due_date > first_due
    assert moved.due_date >= until

    # 3. The case comes back with a completion report; studied and sent to court in its term
    _resume(api, run_id, event="finished", prosecutor=proc.assignee_id, outcome="completion_report")
    wait(lambda: state(api, run_id)["type"] == "COMPLETED", 120, "the supervision to close")
    submitted = tmp_path / "case.jsonl"
    submission = {
        "external_id": "case-e2e-1",
        "erdr_number": ERDR,
        "form": "completion_report",
        "body_id": "police",
        "investigator": "следователь СУ ДП г. Алматы Сейітов Б. Е.",
        "received_at": dt.datetime.now(dt.UTC).isoformat(),
        "accused": "Әбдіғұлов Нұрлан Өтегенұлы",
        "cc_article": "часть 2 статьи 190",
    }
    submitted.write_text(json.dumps(submission, ensure_ascii=False) + "\n", "utf-8")
    _ok(cli(env, "cases", "submit", str(submitted)))
    decision, decision_run = _run_of(engine, "case_decision")
    waiting_at(api, decision_run, "study-1")
    with Session(engine) as session:
        study = session.scalar(select(Procedure).where(Procedure.registration_number == decision))
    _resume(
        api,
        decision_run,
        prosecutor=study.assignee_id,
        outcome="send_to_court",
        grounds="вина обвиняемого подтверждается собранными доказательствами",
        court="Бостандыкский районный суд города Алматы",
    )
    _decide_pending(env, engine, decision, "dep-1")
    wait(lambda: state(api, decision_run)["type"] == "COMPLETED", 180, "the decision to close")
    signed = _signature(engine, decision)
    assert signed.signer_id == "dep-1" and signed.acting
    signed_at = signed.signed_at
    if signed_at.tzinfo is None:  # SQLite keeps the server's UTC clock without a zone
        signed_at = signed_at.replace(tzinfo=dt.UTC)
    assert signed_at.astimezone(ALMATY).date() <= study.due_date  # CPC art. 302(2)
    with Session(engine) as session:
        closed = session.scalar(select(Procedure).where(Procedure.registration_number == decision))
    assert closed.status == "closed"
    started = (closed.details or {}).get("state_prosecution") or {}
    assert started.get("flow_run_id"), "the state prosecution was not started"
