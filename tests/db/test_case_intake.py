"""`prosecutor cases submit` on both databases: a finished case stored and numbered with the
prosecutor's term counted from its receipt (CPC art. 302(2)), the study given to the procedural
prosecutor, bad records kept as rejected with why, duplicates found, and the supervised case with
the same ЕРДР number told of the submission."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.db.tables import AuditEntry, Duty, InboxRecord, InboxStatus, Procedure
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from tests.conftest import Database
from tests.office import OFFICE, load_demo_office

runner = CliRunner()
ERDR = "267511031000123"


def case(n: int, **given: object) -> dict[str, object]:
    return {
        "external_id": f"erdr-fin-{n}",
        "erdr_number": ERDR,
        "form": "completion_report",
        "body_id": "police",
        "investigator": "следователь СО УП Бостандыкского района Иванов И. И.",
        "received_at": "2026-11-19T10:00:00+05:00",
        "accused": "Әбдіғұлов Нұрлан Өтегенұлы",
        "cc_article": "часть 2 статьи 190",
        **given,
    }


def supervised_case(database: Database) -> str:
    """A supervised case registered by the ЕРДР intake (another procedure's own shape)."""
    with sessionmaker(database.engine).begin() as session:
        proc = procedure_store.register_procedure(
            session,
            office_code=OFFICE,
            kind=ProcedureKind.CRIMINAL_CASE,
            title=f"Case ЕРДР {ERDR}",
            year=2026,
            area="criminal",
        )
        proc.details = {"erdr_number": ERDR, "registered_by": "erdr"}
        return proc.registration_number


def test_batch_registers_a_case_with_its_term_and_keeps_bad_ones(
    database: Database, tmp_path: Path
) -> None:
    """CPC art. 302(2): received 19 November 2026, ten сутки end Sunday 29 November, so Monday
    30 November (CPC art. 48(4)). An unknown body and a malformed line are stored as rejected;
    the same external id again is found, not registered twice."""
    load_demo_office(database.engine)
    linked = supervised_case(database)
    batch = tmp_path / "cases.jsonl"
    lines = [
        json.dumps(case(1), ensure_ascii=False),
        json.dumps(case(2, body_id="tax-office"), ensure_ascii=False),
        "{not json",
        json.dumps(case(1), ensure_ascii=False),
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["cases", "submit", str(batch), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["registered"], data["duplicates"], data["rejected"]) == (1, 1, 2)
    assert data["announced"] is False  # no Prefect server: stored, announced later
    reasons = [c["reason"] for c in data["cases"] if c["status"] == "rejected"]
    assert "unknown investigating body 'tax-office'" in reasons[0]
    assert "malformed JSON" in reasons[1]
    number = data["cases"][0]["registration_number"]
    assert number.startswith(f"{OFFICE}-FIN-2026-")

    with Session(database.engine) as session:
        proc = session.scalars(
            select(Procedure).where(Procedure.registration_number == number)
        ).one()
        assert proc.kind is ProcedureKind.CASE_DECISION and proc.area == "criminal"
        assert proc.status is ProcedureStatus.REGISTERED
        assert proc.due_date == dt.date(2026, 11, 30) and proc.assignee_id == "as-2"
        assert proc.details["criminal_case"] == linked
        assert proc.details["term_id"] == "case_decision.completion_report"
        assert ERDR in proc.title and "Әбдіғұлов" not in proc.title  # no name in the title
        study = session.scalars(select(Duty).where(Duty.procedure_id == proc.id)).one()
        assert (study.step, study.due_date, study.assignee_id) == (
            "study",
            dt.date(2026, 11, 30),
            "as-2",
        )
        assert "302(2)" in study.title
        other = session.scalars(
            select(Procedure).where(Procedure.registration_number == linked)
        ).one()
        assert other.details["registered_by"] == "erdr"  # their details kept
        assert other.details["submissions"] == [
            {
                "registration_number": number,
                "form": "completion_report",
                "received_at": "2026-11-19T10:00:00+05:00",
            }
        ]
        told = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "criminal_case.submitted")
        ).one()
        assert told.entity_id == linked
        stored = session.scalars(select(InboxRecord).order_by(InboxRecord.id)).all()
        assert [r.status for r in stored] == [
            InboxStatus.REGISTERED,
            InboxStatus.REJECTED,
            InboxStatus.REJECTED,
        ]

    shown = runner.invoke(app, ["cases", "show", number, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["due_date"] == "2026-11-30"
    # stored but never announced: reconciling says so until Prefect is reached
    again = runner.invoke(app, ["cases", "reconcile"])
    assert again.exit_code == 1 and "Prefect not reached" in again.output


def test_a_detained_misdemeanour_is_due_the_day_it_arrives_cpc_art_528_3(
    database: Database, tmp_path: Path
) -> None:
    """CPC art. 528(3): where the suspect is detained the prosecutor decides at once: received
    Saturday 28 November 2026, due that very day (not moved to a working day). Without a
    supervised case of that number, nothing is linked."""
    load_demo_office(database.engine)
    file = tmp_path / "case.json"
    record = case(
        3,
        form="misdemeanour_protocol",
        detained=True,
        received_at="2026-11-28T09:30:00",
        erdr_number="267511031000999",
    )
    file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["cases", "submit", str(file), "--json"])
    assert result.exit_code == 0, result.output
    number = json.loads(result.stdout)["cases"][0]["registration_number"]
    with Session(database.engine) as session:
        proc = session.scalars(
            select(Procedure).where(Procedure.registration_number == number)
        ).one()
        assert proc.due_date == dt.date(2026, 11, 28)
        assert proc.details["criminal_case"] is None
        assert proc.details["received_at"] == "2026-11-28T09:30:00+05:00"
