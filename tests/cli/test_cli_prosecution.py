"""`prosecutor prosecution hearings` and `show` on both databases: the office's hearing calendar
by day, with the court, the case number and the state prosecutor's name."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.timing.calendar import today
from tasks.state_prosecution import (
    ProsecutionCase,
    ProsecutionEntry,
    open_prosecution,
    record_entry,
)
from tests.conftest import Database
from tests.office import OFFICE, load_demo_office

runner = CliRunner()
COURT = {
    "court_name_ru": "Бостандыкский районный суд города Алматы",
    "court_name_kk": "Алматы қаласы Бостандық аудандық соты",
}


def prosecution(database: Database, erdr: str) -> ProsecutionCase:
    """A case sent to court and its prosecution, through the flow's own steps (no Prefect)."""
    with sessionmaker(database.engine).begin() as session:
        decision = procedure_store.register_procedure(
            session,
            office_code=OFFICE,
            kind=ProcedureKind.CASE_DECISION,
            title="Finished case sent to court",
            year=today().year,
        )
        decision.details = {"erdr_number": erdr, **COURT}
        number = decision.registration_number
    return open_prosecution.fn(number)


def schedule(case: ProsecutionCase, key: str, on: dt.date, at: str | None = None) -> None:
    entry = ProsecutionEntry(
        state_prosecutor=case.state_prosecutor,
        entry="hearing_scheduled",
        hearing_on=on,
        hearing_time=at,
        courtroom="4",
    )
    assert record_entry.fn(case, key, entry).refused is None


def test_hearings_lists_the_days_asked_in_date_and_time_order(database: Database) -> None:
    load_demo_office(database.engine)
    day = today()
    first, second = (
        prosecution(database, "262375031000001"),
        prosecution(database, "262375031000002"),
    )
    schedule(first, "entry-1", day + dt.timedelta(days=2), "15:00")
    schedule(second, "entry-1", day + dt.timedelta(days=2), "09:30")
    schedule(first, "entry-2", day + dt.timedelta(days=40))
    asked = ["--from", day.isoformat(), "--to", (day + dt.timedelta(days=10)).isoformat()]

    result = runner.invoke(app, ["prosecution", "hearings", *asked, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["time"], r["case_number"]) for r in rows] == [
        ("09:30", "262375031000002"),
        ("15:00", "262375031000001"),
    ]
    assert rows[0]["state_prosecutor"] == "Петренко Ольга Игоревна"
    assert rows[0]["court"] == COURT["court_name_ru"] and rows[0]["status"] == "scheduled"

    # the default: from today for thirty days: the hearing in forty days is not in it
    default = runner.invoke(app, ["prosecution", "hearings"])
    assert default.exit_code == 0 and len(default.stdout.strip().splitlines()) == 2


def test_show_prints_the_page_with_its_hearings_and_bad_input_fails_cleanly(
    database: Database,
) -> None:
    load_demo_office(database.engine)
    case = prosecution(database, "262375031000003")
    schedule(case, "entry-1", today() + dt.timedelta(days=1), "11:00")

    shown = runner.invoke(app, ["prosecution", "show", case.registration_number])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith(f"# {case.registration_number}")
    assert "## Hearings" in shown.stdout and "11:00" in shown.stdout

    missing = runner.invoke(app, ["prosecution", "show", "ALM-BST-GOS-2026-999999"])
    assert missing.exit_code == 1 and "no state prosecution" in missing.stderr
    backwards = runner.invoke(
        app, ["prosecution", "hearings", "--from", "2026-12-10", "--to", "2026-12-01"]
    )
    assert backwards.exit_code == 1 and "before --from" in backwards.stderr
