"""The ``prosecutor`` command line on both databases: JSON output, and one-line errors that
leave nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from deployments.cli import app
from deployments.cli.roster import DEMO_ROSTER
from models.db.migrate import head_revision
from models.db.tables import AbsenceRow, ActingOrderRow, AuditEntry, StaffRow
from tests.conftest import Database

runner = CliRunner()


def run(*args: str, ok: bool = True) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.exit_code, result.stdout, result.stderr


def as_json(*args: str) -> object:
    return json.loads(run(*args, "--json")[1])


def count(database: Database, table: type) -> int:
    with Session(database.engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


@pytest.fixture
def office(database: Database) -> Database:
    run("roster", "load", str(DEMO_ROSTER))
    return database


def assert_one_line_error(code: int, stderr: str, *words: str) -> None:
    assert code != 0
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for word in words:
        assert word in lines[0], stderr


def test_db_upgrade_reports_the_revision(database: Database) -> None:
    data = as_json("db", "upgrade")
    assert data["revision"] == head_revision()


def test_roster_load_twice_changes_nothing(office: Database, tmp_path: Path) -> None:
    roster = yaml.safe_load(DEMO_ROSTER.read_text(encoding="utf-8"))
    roster["absences"] = [
        {"staff_id": "head", "kind": "leave", "from": "2026-12-01", "to": "2026-12-20"}
    ]
    roster["acting_orders"] = [
        {"acting_id": "dep-2", "for_id": "head", "from": "2026-12-01", "to": "2026-12-20"}
    ]
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(roster, ensure_ascii=False), encoding="utf-8")
    first = as_json("roster", "load", str(path))
    second = as_json("roster", "load", str(path))
    assert first["absences_added"] == 1 and first["acting_orders_added"] == 1
    assert second["absences_added"] == 0 and second["acting_orders_added"] == 0
    assert count(office, StaffRow) == 7 and count(office, AbsenceRow) == 1


def test_signatory_across_the_heads_leave(office: Database) -> None:
    """Regulation cl. 14-15 through the command line: present head; on leave without an order
    (senior deputy); with an acting order (the named deputy); everyone away (regional office)."""
    assert as_json("signatory", "--on", "2026-12-02") == {
        "date": "2026-12-02",
        "staff_id": "head",
        "name": "Серікбаев Нұрлан Асқарұлы",
        "position": "district_prosecutor",
        "acting": False,
        "reason": "the district prosecutor is present",
    }
    run(
        "roster",
        "absence",
        "add",
        "head",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-20",
        "--kind",
        "leave",
    )
    s = as_json("signatory", "--on", "2026-12-02")
    assert (s["staff_id"], s["acting"]) == ("dep-1", True)
    run(
        "roster",
        "acting",
        "add",
        "dep-2",
        "--for",
        "head",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-20",
    )
    s = as_json("signatory", "--on", "2026-12-02")
    assert (s["staff_id"], s["position"], s["acting"]) == ("dep-2", "deputy", True)
    for deputy in ("dep-1", "dep-2"):
        run(
            "roster",
            "absence",
            "add",
            deputy,
            "--from",
            "2026-12-02",
            "--to",
            "2026-12-03",
            "--kind",
            "business_trip",
        )
    s = as_json("signatory", "--on", "2026-12-02")
    assert s["staff_id"] is None and s["position"] == "regional_office"
    assert as_json("signatory", "--on", "2026-12-21")["staff_id"] == "head"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            (
                "roster",
                "absence",
                "add",
                "ghost",
                "--from",
                "2026-12-01",
                "--to",
                "2026-12-02",
                "--kind",
                "leave",
            ),
            ("unknown staff member 'ghost'",),
        ),
        (
            (
                "roster",
                "absence",
                "add",
                "head",
                "--from",
                "2026-12-32",
                "--to",
                "2026-12-02",
                "--kind",
                "leave",
            ),
            ("--from", "not a date"),
        ),
        (
            (
                "roster",
                "absence",
                "add",
                "head",
                "--from",
                "2026-12-05",
                "--to",
                "2026-12-02",
                "--kind",
                "leave",
            ),
            ("ends",),
        ),
        (
            (
                "roster",
                "absence",
                "add",
                "head",
                "--from",
                "2026-12-01",
                "--to",
                "2026-12-02",
                "--kind",
                "holiday",
            ),
            ("kind",),
        ),
        (
            (
                "roster",
                "acting",
                "add",
                "dep-1",
                "--for",
                "dep-1",
                "--from",
                "2026-12-01",
                "--to",
                "2026-12-02",
            ),
            ("themselves",),
        ),
        (("signatory", "--on", "yesterday"), ("--on", "not a date")),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_writes_nothing(
    office: Database, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    before = (count(office, AbsenceRow), count(office, ActingOrderRow), count(office, AuditEntry))
    code, _, stderr = run(*args, ok=False)
    assert_one_line_error(code, stderr, *words)
    assert (
        count(office, AbsenceRow),
        count(office, ActingOrderRow),
        count(office, AuditEntry),
    ) == before


def test_overlapping_absence_is_refused(office: Database) -> None:
    run(
        "roster",
        "absence",
        "add",
        "as-1",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-10",
        "--kind",
        "leave",
    )
    code, _, stderr = run(
        "roster",
        "absence",
        "add",
        "as-1",
        "--from",
        "2026-12-10",
        "--to",
        "2026-12-12",
        "--kind",
        "sick_leave",
        ok=False,
    )
    assert_one_line_error(code, stderr, "overlap", "as-1")
    assert count(office, AbsenceRow) == 1


def test_invalid_roster_file_writes_nothing(database: Database, tmp_path: Path) -> None:
    bad = tmp_path / "roster.yaml"
    roster = yaml.safe_load(DEMO_ROSTER.read_text(encoding="utf-8"))
    roster["absences"] = [
        {"staff_id": "as-1", "kind": "leave", "from": "2026-12-01", "to": "2026-12-10"},
        {"staff_id": "as-1", "kind": "leave", "from": "2026-12-05", "to": "2026-12-12"},
    ]
    bad.write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    code, _, stderr = run("roster", "load", str(bad), ok=False)
    assert_one_line_error(code, stderr, "overlap")
    assert count(database, StaffRow) == 0 and count(database, AuditEntry) == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"office": ', encoding="utf-8")
    code, _, stderr = run("roster", "load", str(broken), ok=False)
    assert_one_line_error(code, stderr, "malformed JSON")
    code, _, stderr = run("roster", "load", str(tmp_path / "missing.yaml"), ok=False)
    assert_one_line_error(code, stderr, "no such file")


def test_commands_refuse_a_database_that_is_not_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.db import default_engine
    from models.settings import get_settings

    monkeypatch.setenv("PROSECUTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    default_engine.cache_clear()
    try:
        code, _, stderr = run("signatory", ok=False)
        assert_one_line_error(code, stderr, "prosecutor db upgrade")
    finally:
        default_engine().dispose()
        default_engine.cache_clear()
        get_settings.cache_clear()


def test_audit_verify_reports_a_broken_chain(office: Database) -> None:
    from sqlalchemy import text

    run(
        "roster",
        "absence",
        "add",
        "as-1",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-10",
        "--kind",
        "leave",
    )
    assert as_json("audit", "verify") == {
        "valid": True,
        "entries": 2,
        "first_broken_seq": None,
        "problem": None,
        "checkpoint": None,
        "checkpoints": 0,
    }
    with office.engine.begin() as conn:
        if office.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text("UPDATE audit_log SET payload = '{}' WHERE seq = 2"))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("UPDATE audit_log SET payload = '{}' WHERE seq = 2"))
    code, stdout, _ = run("audit", "verify", ok=False)
    assert code == 1 and "BROKEN at entry 2" in stdout
