"""`prosecutor appeals submit` on both databases: one file, JSON lines, a folder; bad input
kept as rejected, nothing valid in the same batch lost, duplicates not registered twice."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from deployments.cli import app
from models.db.tables import AppealRow, AppealStatus
from tests.conftest import Database
from tests.office import load_demo_office
from tests.support.appeals import IIN
from tests.support.appeals import appeal as shared_appeal

runner = CliRunner()


def appeal(n: int, iin: str = IIN) -> dict[str, object]:
    """Appeal ``eo-<n>`` in Kazakh through e-Otinish, received on 20 November 2026."""
    return shared_appeal(
        f"eo-{n}",
        iin=iin,
        language="kk",
        channel="e_otinish",
        topic=None,
        subject=f"Өтініш {n}",
        text=f"Тексеруді сұраймын, нөмір {n}.",
        received_at="2026-11-20T10:00:00+05:00",
    )


def statuses(database: Database) -> dict[str, int]:
    with Session(database.engine) as session:
        rows = session.execute(
            select(AppealRow.status, func.count()).group_by(AppealRow.status)
        ).all()
    return {s.value: n for s, n in rows}


def test_batch_with_one_invalid_appeal(database: Database, tmp_path: Path) -> None:
    load_demo_office(database.engine)
    batch = tmp_path / "batch.jsonl"
    lines = [
        json.dumps(appeal(1)),
        json.dumps(appeal(2, iin="850315400016")),
        json.dumps(appeal(3)),
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["appeals", "submit", str(batch), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["registered"], data["rejected"], data["announced"]) == (2, 1, False)
    rejected = next(a for a in data["appeals"] if a["status"] == "rejected")
    assert (
        rejected["source"].endswith("batch.jsonl:2") and "wrong check digit" in rejected["reason"]
    )
    assert statuses(database) == {"registered": 2, "rejected": 1}

    again = json.loads(runner.invoke(app, ["appeals", "submit", str(batch), "--json"]).stdout)
    assert again["registered"] == 0 and again["duplicates"] == 2
    assert statuses(database) == {"registered": 2, "rejected": 2}  # the invalid one is kept again


def test_folder_and_a_file_that_is_not_utf8(database: Database, tmp_path: Path) -> None:
    load_demo_office(database.engine)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(appeal(1), ensure_ascii=False), encoding="utf-8")
    legacy = {**appeal(2), "subject": "Жалоба", "text": "Прошу проверить, номер 2."}
    (folder / "b.json").write_bytes(json.dumps(legacy, ensure_ascii=False).encode("cp1251"))
    result = runner.invoke(app, ["appeals", "submit", str(folder)])
    assert result.exit_code == 1
    assert "not UTF-8" in result.stdout and "1 registered" in result.stdout
    assert "appeals reconcile" in result.stdout  # no Prefect here: told how to start the review
    with Session(database.engine) as session:
        kept = session.scalar(select(AppealRow).where(AppealRow.status == AppealStatus.REJECTED))
    assert kept is not None and kept.rejection_reason.startswith("not UTF-8")


def test_single_valid_file_exits_zero(database: Database, tmp_path: Path) -> None:
    load_demo_office(database.engine)
    path = tmp_path / "one.json"
    path.write_text(json.dumps(appeal(7), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["appeals", "submit", str(path)])
    assert result.exit_code == 0 and "ALM-BST-APL-2026-000001" in result.stdout
    missing = runner.invoke(app, ["appeals", "submit", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr
