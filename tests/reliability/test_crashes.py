"""Crashes with real processes: the serving process killed in the middle of an appeal review,
and a deadline check killed while it writes. Nothing is lost, nothing is done twice, the appeal
keeps its one registration number and the audit chain stays valid."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from models.db.tables import AppealRow, AuditEntry, Escalation, Notification, Procedure
from models.records.audit import verify_stored_chain
from models.sweeps.deadline_sweep import sweep
from models.timing.calendar import WorkingCalendar
from tests.conftest import Database
from tests.e2e.conftest import cli, state, wait
from tests.office import key_args, load_demo_office, procedure_with_duty
from tests.support.appeals import appeal_file

MONDAY = dt.date(2026, 12, 7)


def _count(engine: Any, model: type, *where: Any) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _actions(engine: Any) -> dict[str, int]:
    with Session(engine) as session:
        return dict(
            session.execute(
                select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
            ).all()
        )


@pytest.mark.e2e
def test_serving_process_killed_in_the_middle_of_an_appeal_review(
    stack: dict[str, Any], tmp_path: Path
) -> None:
    api, env, engine = stack["api"], stack["env"], stack["engine"]
    appeal = appeal_file(tmp_path, "crash-1", text="Три месяца не платят заработную плату.")
    number = json.loads(cli(env, "appeals", "submit", str(appeal), "--json").stdout)["appeals"][0][
        "registration_number"
    ]

    def waiting_at(prefix: str) -> str:
        def found() -> str | None:
            with Session(engine) as session:
                run_id = session.scalar(select(AppealRow.review_flow_run_id))
            if not run_id:
                return None
            s = state(api, run_id)
            key = (s.get("state_details") or {}).get("pause_key") or ""
            return run_id if s["name"] == "Suspended" and key.startswith(prefix) else None

        return wait(found, 120, f"the review to wait at {prefix}")

    run_id = waiting_at("report-1")  # registered and assigned, not yet approved
    stack["crash_serving"]()
    assert (
        cli(
            env,
            "appeals",
            "report",
            number,
            "--as",
            "sa-1",
            "--outcome",
            "upheld",
            "--findings",
            "Долг погашен.",
        ).returncode
        == 0
    )
    # nothing serves now: the report resumes the run, which then waits for a worker
    wait(lambda: state(api, run_id)["name"] != "Suspended", 30, "the report to resume the run")
    assert state(api, run_id)["name"] in {"Resuming", "Scheduled", "Pending"}
    stack["start_serving"]()
    waiting_at("approval-")
    [approval] = json.loads(cli(env, "approvals", "list", "--pending", "--json").stdout)
    assert (
        cli(
            env,
            "approvals",
            "decide",
            str(approval["id"]),
            *key_args("head"),
            "--decision",
            "approve",
        ).returncode
        == 0
    )
    wait(lambda: state(api, run_id)["name"] == "Completed", 120, "the review to complete")

    assert _count(engine, Procedure) == 1 and _count(engine, AppealRow) == 1
    done = _actions(engine)
    for step in (
        "appeal.registered",
        "appeal.review_started",
        "appeal.assigned",
        "approval.requested",
        "approval.approved",
        "document.dispatched",
        "appeal.closed",
    ):
        assert done.get(step) == 1, (step, done)
    assert cli(env, "audit", "verify").returncode == 0


def _overdue_office(database: Database, n: int) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        proc_id, _ = procedure_with_duty(
            session, assignee="as-2", due=MONDAY - dt.timedelta(days=3)
        )
    with database.engine.begin() as conn:  # many overdue duties, written in one statement
        conn.execute(
            text(
                "INSERT INTO duties (procedure_id, step, title, assignee_id, status, due_date,"
                " escalation_level, version, created_at)"
                " SELECT :p, 'bulk-' || g, 'Bulk duty', 'as-2', 'open', :due, 0, 1,"
                " CURRENT_TIMESTAMP"
                " FROM generate_series(1, :n) AS g"
            ),
            {"p": proc_id, "due": MONDAY - dt.timedelta(days=3), "n": n},
        )


SWEEPER = """
import datetime as dt, sys
from models.timing.calendar import WorkingCalendar
from models.db import transaction
from models.sweeps.deadline_sweep import sweep
print("sweeping", flush=True)
with transaction() as session:
    sweep(session, dt.date(2026, 12, 7), WorkingCalendar(overrides=[]))
print("done", flush=True)
"""


@pytest.mark.postgres
def test_deadline_check_killed_while_writing_leaves_nothing_half_done(database: Database) -> None:
    if database.name != "postgresql":
        pytest.skip("the bulk set-up uses PostgreSQL's generate_series")
    n = 40_000
    _overdue_office(database, n)
    name = f"crash-sweeper-{os.getpid()}"
    separator = "&" if "?" in database.url else "?"
    proc = subprocess.Popen(
        [sys.executable, "-c", SWEEPER],
        env={
            **os.environ,
            "PROSECUTOR_DATABASE_URL": f"{database.url}{separator}application_name={name}",
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "sweeping"
    # kill it once its transaction has written (PostgreSQL gives a transaction an id at its
    # first write or row lock), not after a guessed delay
    writing = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = :name AND backend_xid IS NOT NULL"
    )

    def has_written() -> bool:
        with database.engine.connect() as conn:
            return bool(conn.scalar(writing, {"name": name}))

    wait(has_written, 120, "the sweep's transaction to write")
    proc.kill()
    proc.wait()
    finished = "done" in (proc.stdout.read() or "")
    after_crash = _count(database.engine, Escalation)
    assert not finished, "the sweep ended before the kill: raise n so the kill lands mid-write"
    assert after_crash == 0  # killed inside its one transaction: nothing half-written
    for expected_new in (
        n + 1 - after_crash,
        0,
    ):  # the rerun finishes the work, a second adds nothing
        with sessionmaker(database.engine).begin() as session:
            report = sweep(session, MONDAY, WorkingCalendar(overrides=[]))
        assert report.escalated == expected_new
    assert _count(database.engine, Escalation) == n + 1
    assert _count(database.engine, Notification, Notification.kind == "escalation") == n + 1
    with Session(database.engine) as session:
        assert verify_stored_chain(session).valid
