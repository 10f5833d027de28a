"""`prosecutor erdr` on both databases: import a JSON-lines file, poll the inbox folder (each
file once), reconcile what was not announced, show a case with its term (CPC art. 192(2))."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from deployments.cli import app
from tests.conftest import Database
from tests.db.test_erdr_intake import record
from tests.office import load_demo_office

runner = CliRunner()


def test_import_reports_each_record_and_exits_1_on_a_rejected_one(
    database: Database, tmp_path: Path
) -> None:
    load_demo_office(database.engine)
    batch = tmp_path / "erdr.jsonl"
    batch.write_text(
        "\n".join([record(1), record(2, form="trial"), record(1)]) + "\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["erdr", "import", str(batch), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["registered"], data["duplicates"], data["rejected"]) == (1, 1, 1)
    assert data["announced"] == 0  # no Prefect server configured: reconciled later
    rejected = data["records"][1]
    assert rejected["source"].endswith("erdr.jsonl:2") and "form" in rejected["reason"]
    number = data["records"][0]["registration_number"]

    result = runner.invoke(app, ["erdr", "reconcile"])
    assert result.exit_code == 0 and "1 cases wait" in result.stdout

    result = runner.invoke(app, ["erdr", "show", f"prosecutor.criminal_case.{number}", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["due"] == "2026-05-12" and shown["term_source"].startswith("CPC art. 192(2)")
    assert "Сейітов" not in shown["page"]  # the page is published to Prefect: no names

    result = runner.invoke(app, ["erdr", "show", "ALM-BST-CRM-2026-999999"])
    assert result.exit_code == 1 and "no ЕРДР case" in result.stderr


def test_poll_reads_each_inbox_file_once(database: Database, tmp_path: Path) -> None:
    load_demo_office(database.engine)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "2026-03-10.jsonl").write_text(record(1) + "\n" + record(2) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["erdr", "poll", "--folder", str(inbox)])
    assert result.exit_code == 0, result.output
    assert "2 registered, 0 already registered, 0 rejected" in result.stdout
    assert (inbox / "processed" / "2026-03-10.jsonl").exists()
    result = runner.invoke(app, ["erdr", "poll", "--folder", str(inbox), "--json"])
    assert json.loads(result.stdout)["registered"] == 0
