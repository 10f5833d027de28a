"""Approvals, documents and notifications at the terminal, on both databases (no Prefect run
needed: these are the checks made before a waiting run is resumed)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.db.tables import ApprovalDecision, AuditEntry
from models.records import document_store
from models.timing.calendar import today
from tests.conftest import Database
from tests.office import eds_of, key_args, load_demo_office, pending_approval

runner = CliRunner()


def test_pending_approvals_are_listed_with_signatory_and_due_date(database: Database) -> None:
    load_demo_office(database.engine)
    due = today() + dt.timedelta(days=5)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=due, day=today())
    rows = json.loads(runner.invoke(app, ["approvals", "list", "--pending", "--json"]).stdout)
    assert [(r["id"], r["signatory_id"], r["due_date"]) for r in rows] == [
        (view.id, "head", due.isoformat())
    ]


def test_unauthorised_decision_is_refused_and_audited(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today() + dt.timedelta(days=5), day=today())
    result = runner.invoke(
        app, ["approvals", "decide", str(view.id), *key_args("as-2"), "--decision", "approve"]
    )
    assert (
        result.exit_code == 1 and "refused: as-2 is not the authorised signatory" in result.stderr
    )
    with Session(database.engine) as session:
        [refusal] = session.scalars(select(ApprovalDecision)).all()
        actions = session.scalars(select(AuditEntry.action)).all()
    assert (refusal.signer_id, refusal.accepted, refusal.channel) == ("as-2", False, "cli")
    assert "approval.refused" in actions


def test_authorised_decision_without_a_waiting_run_is_explained(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today() + dt.timedelta(days=5), day=today())
    result = runner.invoke(
        app, ["approvals", "decide", str(view.id), *key_args("head"), "--decision", "approve"]
    )
    assert result.exit_code == 1 and "no flow run waiting" in result.stderr


def test_document_edited_after_signing_fails_verification(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today() + dt.timedelta(days=5), day=today())
        outcome = approval_decisions.record_decision(
            session,
            approval_id=view.id,
            attempt=1,
            signer_id="head",
            decision=Decision.APPROVE,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            cms=eds_of(session, view.id, "head"),
        )
    assert outcome.accepted and outcome.signature_id
    ok = runner.invoke(app, ["documents", "verify", str(view.document_id), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["valid"] is True
    with database.engine.begin() as conn:  # edited, and the stored hash "fixed" to match
        conn.execute(
            text("UPDATE documents SET body = 'Другой текст' WHERE id = :id"),
            {"id": view.document_id},
        )
        conn.execute(
            text("UPDATE documents SET sha256 = :h WHERE id = :id"),
            {"h": document_store.document_hash("Другой текст"), "id": view.document_id},
        )
    bad = runner.invoke(app, ["documents", "verify", str(view.document_id)])
    assert bad.exit_code == 1 and "differs from what head signed" in bad.stdout


def test_notifications_are_listed_for_a_supervisor(database: Database) -> None:
    load_demo_office(database.engine)
    due = today() - dt.timedelta(days=10)
    with sessionmaker(database.engine).begin() as session:
        pending_approval(session, due=due, day=due)
    from models.sweeps.deadline_sweep import sweep
    from models.timing.calendar import WorkingCalendar

    with sessionmaker(database.engine).begin() as session:
        sweep(session, today(), WorkingCalendar())
    rows = json.loads(
        runner.invoke(app, ["notifications", "list", "--to", "regional_office", "--json"]).stdout
    )
    assert rows and all(r["to"] == "regional_office" and r["kind"] == "escalation" for r in rows)
