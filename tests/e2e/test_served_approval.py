"""End to end with a real local Prefect server and the served deployments: a signing run
suspends (its worker freed), `prosecutor approvals decide` resumes it through the Prefect API,
and the run finishes without repeating any completed step."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from models.db.tables import AuditEntry
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.timing.calendar import today
from tests.e2e.conftest import cli, wait
from tests.office import OFFICE, key_args
from tests.support.polling import retry_busy

pytestmark = pytest.mark.e2e


def _state(api: str, run_id: str) -> str:
    return httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()["state"]["name"]


def _actions(engine: Any) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
        ).all()
    return dict(rows)


def test_suspended_run_resumed_from_the_terminal(stack: dict[str, Any]) -> None:
    api, env, engine = stack["api"], stack["env"], stack["engine"]
    with sessionmaker(engine).begin() as session:
        number = procedure_store.register_procedure(
            session,
            office_code=OFFICE,
            kind=ProcedureKind.APPEAL,
            title="Appeal",
            year=today().year,
        ).registration_number
    parameters = {
        "registration_number": number,
        "title": "Ответ",
        "body": "Текст ответа",
        "drafter_id": "as-1",
    }
    created = retry_busy(
        lambda: httpx.post(
            f"{api}/deployments/{stack['deployment']}/create_flow_run",
            json={"parameters": parameters},
            timeout=10,
        )
    )
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]
    wait(lambda: _state(api, run_id) == "Suspended", 120, "the run to suspend")
    before = _actions(engine)
    assert before.get("document.drafted") == 1 and before.get("approval.requested") == 1

    listed = json.loads(cli(env, "approvals", "list", "--pending", "--json").stdout)
    [approval] = listed
    assert approval["signatory_id"] == "head" and approval["flow_run_id"] == run_id

    refused = cli(
        env, "approvals", "decide", str(approval["id"]), *key_args("dep-1"), "--decision", "approve"
    )
    assert refused.returncode == 1 and "not the authorised signatory" in refused.stderr
    assert _state(api, run_id) == "Suspended"  # a refused decision does not wake the run

    given = cli(
        env,
        "approvals",
        "decide",
        str(approval["id"]),
        *key_args("head"),
        "--decision",
        "approve",
        "--json",
    )
    assert given.returncode == 0, given.stderr
    wait(lambda: _state(api, run_id) == "Completed", 120, "the resumed run to complete")

    after = _actions(engine)
    for step in ("document.drafted", "approval.requested", "procedure.registered"):
        assert after.get(step) == before.get(step) == 1, step  # nothing done twice
    assert after.get("approval.approved") == 1 and after.get("document.dispatched") == 1
    assert after.get("approval.refused") == 1

    verified = cli(env, "documents", "verify", str(approval["document_id"]), "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["signers"] == ["head"]
    with engine.begin() as conn:  # someone edits the signed text in the database
        conn.execute(
            text("UPDATE documents SET body = body || ' (изменено)' WHERE id = :id"),
            {"id": approval["document_id"]},
        )
    tampered = cli(env, "documents", "verify", str(approval["document_id"]))
    assert tampered.returncode == 1 and "INVALID" in tampered.stdout
    assert cli(env, "audit", "verify").returncode == 0
