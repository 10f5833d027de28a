"""`prosecutor deadlines check --on` never acts ahead of real time, on both databases: a day
after today (Asia/Almaty) is a dry run that writes nothing; with --force it is written as of
today, so work not yet due today is never escalated; the table the README promises is printed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.db.tables import AuditEntry, Duty, Escalation, Notification
from models.timing.calendar import WorkingCalendar, today
from tests.conftest import Database
from tests.office import load_demo_office, procedure_with_duty

runner = CliRunner()
COLUMNS = ["state", "what", "title", "assignee", "due", "escalation level"]


def office_with_work(database: Database) -> tuple[int, int]:
    """The demo office with one duty overdue since ten days and one due in three."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        _, overdue = procedure_with_duty(
            session, assignee="as-1", due=today() - dt.timedelta(days=10)
        )
        _, not_yet = procedure_with_duty(session, assignee="as-1", due=today() + dt.timedelta(3))
    return overdue, not_yet


def snapshot(database: Database) -> dict[str, Any]:
    """Everything a check may write: notifications, escalations, audit entries, duties."""
    with Session(database.engine) as session:
        counts = {
            t.__name__: session.scalar(select(func.count()).select_from(t))
            for t in (Notification, Escalation, AuditEntry)
        }
        duties = session.execute(
            select(
                Duty.id, Duty.assignee_id, Duty.escalation_level, Duty.reminded_on, Duty.status
            ).order_by(Duty.id)
        ).all()
    return {**counts, "duties": [tuple(d) for d in duties]}


def later_working_day() -> dt.date:
    return WorkingCalendar().on_or_next_working_day(today() + dt.timedelta(days=30))


def test_a_later_day_is_a_dry_run_that_writes_nothing(database: Database) -> None:
    overdue, not_yet = office_with_work(database)
    before = snapshot(database)
    day = later_working_day()
    result = runner.invoke(app, ["deadlines", "check", "--on", day.isoformat(), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["on"] == day.isoformat()
    # what would happen on that day is computed: both duties overdue by then, and escalated
    assert data["overdue"] == 2 and data["escalated"] >= 2
    assert {r["what"] for r in data["table"] if r["state"] == "overdue"} == {
        f"duty {overdue}",
        f"duty {not_yet}",
    }
    assert snapshot(database) == before  # nothing written


def test_dry_run_prints_the_table_of_the_check(database: Database) -> None:
    office_with_work(database)
    result = runner.invoke(app, ["deadlines", "check", "--on", later_working_day().isoformat()])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "DRY RUN, nothing written" in lines[0]
    assert lines[1].split() == ["state", "what", "title", "assignee", "due", "escalation", "level"]
    assert any(line.startswith("overdue") and "as-1" in line for line in lines)
    assert any(line.startswith("escalated") for line in lines)
    assert lines[-1].startswith("reminders ")


def test_forced_later_day_never_escalates_work_not_due_today(database: Database) -> None:
    overdue, not_yet = office_with_work(database)
    day = later_working_day()
    # a written check is a flow run: on a loaded machine the ephemeral server starts slowly
    with temporary_settings({PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: 180}):
        result = runner.invoke(
            app, ["deadlines", "check", "--on", day.isoformat(), "--force", "--json"]
        )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["dry_run"] is False and data["on"] == today().isoformat()
    assert data["asked"] == day.isoformat()
    assert [r for r in data["table"] if r["state"] == "escalated"]
    with Session(database.engine) as session:
        escalated = set(session.scalars(select(Escalation.subject_id)))
        levels = {i: lvl for i, lvl in session.execute(select(Duty.id, Duty.escalation_level))}
    assert overdue in escalated and not_yet not in escalated
    assert levels[not_yet] == 0


def test_bad_dates_are_one_line_without_traceback(database: Database) -> None:
    office_with_work(database)
    before = snapshot(database)
    for bad in ("2026-13-01", "tomorrow", ""):
        result = runner.invoke(app, ["deadlines", "check", "--on", bad])
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 1 and len(lines) == 1, result.stderr
        assert lines[0].startswith("error: --on:") and "Traceback" not in result.output
    assert snapshot(database) == before
