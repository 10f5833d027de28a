"""A lost or rebuilt Prefect server does not orphan work: `prosecutor reconcile` (also run by
the morning deadline check) gives every open procedure whose run is gone, orphaned by a deleted
deployment, or stuck a fresh run that carries on from the office's database, with nothing done
twice; and it wakes a run parked at a wait whose answer arrived while it was going to sleep."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flows.issue_act import issue_act
from flows.record_answer import store_answer
from models.db import make_engine
from models.db.migrate import upgrade
from models.db.tables import AppealRow, AuditEntry, Document, DutyStatus, Notification, Procedure
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.acts import Act
from models.records import audit
from models.sweeps import run_store
from tasks.answers import AnswerInput, receive_answer
from tasks.recovery import Reconciled, reconcile
from tests.conftest import POSTGRES_ADMIN_URL, Database
from tests.e2e.conftest import BIN, _stop, cli, free_port, state, wait
from tests.flows.conftest import prefect_harness  # noqa: F401 - a fixture, used by name
from tests.flows.waiting import FlowInThread, decide, pause_key, wait_for_key, waiting_approval
from tests.office import OFFICE, key_args, load_demo_office
from tests.support.appeals import appeal_file

DUE = dt.date(2026, 12, 21)


# --- the store: open procedures and their runs (both databases) ----------------------------


def _procedure(session: Session, run_id: str | None, status: ProcedureStatus) -> int:
    proc = procedure_store.register_procedure(
        session, office_code=OFFICE, kind=ProcedureKind.APPEAL, title="Appeal", year=2026
    )
    proc.flow_run_id = run_id
    proc.status = status
    return proc.id


def _duty(
    session: Session, procedure_id: int, step: str, status: DutyStatus, answer: str | None
) -> int:
    duty = procedure_store.open_duty(
        session, procedure_id=procedure_id, step=step, title=step, assignee_id=None, due_date=DUE
    )
    duty.status, duty.answer = status, answer
    return duty.id


@pytest.mark.postgres
def test_open_procedures_are_listed_with_their_runs_and_stored_answers(
    database: Database,
) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        waiting = _procedure(session, "run-waiting", ProcedureStatus.AWAITING_ANSWER)
        answered = _duty(session, waiting, "answer", DutyStatus.DONE, '{"text": "ok"}')
        _duty(session, waiting, "plain", DutyStatus.DONE, None)  # done, no answer: no wait
        _duty(session, waiting, "stored", DutyStatus.OPEN, '{"text": "x"}')  # not recorded yet
        plain = _procedure(session, "run-plain", ProcedureStatus.IN_PROGRESS)
        _procedure(session, "run-closed", ProcedureStatus.CLOSED)  # closed: not listed
        _procedure(session, None, ProcedureStatus.REGISTERED)  # never started: appeals reconcile
    with Session(database.engine) as session:
        runs = {run.procedure_id: run for run in run_store.open_runs(session)}
    assert set(runs) == {waiting, plain}
    assert runs[waiting].flow_run_id == "run-waiting"
    assert runs[waiting].answered_keys == {f"answer-{answered}"}
    assert runs[waiting].status is ProcedureStatus.AWAITING_ANSWER
    assert runs[plain].answered_keys == frozenset() and runs[plain].kind is ProcedureKind.APPEAL


@pytest.mark.postgres
def test_a_restart_is_recorded_once_and_audited(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        proc_id = _procedure(session, "old-run", ProcedureStatus.IN_PROGRESS)
    with sessionmaker(database.engine).begin() as session:
        assert run_store.record_restart(session, proc_id, "old-run", "new-run", "run missing")
    with sessionmaker(database.engine).begin() as session:  # a second reconcile came too late
        assert not run_store.record_restart(session, proc_id, "old-run", "other", "run missing")
    with Session(database.engine) as session:
        assert session.get_one(Procedure, proc_id).flow_run_id == "new-run"
        [entry] = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "procedure.run_restarted")
        ).all()
        assert json.loads(entry.payload) == {
            "old_flow_run_id": "old-run",
            "new_flow_run_id": "new-run",
            "reason": "run missing",
        }
        assert audit.verify_stored_chain(session).valid


# --- the wake-up race (Prefect test harness, both databases) --------------------------------

ACT = {
    "addressee": "Акиму Бостандыкского района города Алматы",
    "act_title": "решение акима района «О закрытии сквера»",
    "act_number": "15",
    "act_date": dt.date(2026, 11, 1),
    "act_issuer": "аким Бостандыкского района города Алматы",
    "violation": "ограничен доступ граждан к общественной территории без законных оснований",
    "demands": "отменить решение",
}


@pytest.mark.postgres
@pytest.mark.usefixtures("prefect_harness")
def test_an_answer_stored_while_its_run_went_to_sleep_still_wakes_the_run(
    database: Database,
) -> None:
    """The race: the answer is stored after the run looked for it and before it paused, so
    record-answer found no wait to resume. The run would wait for good; reconciling resumes it
    and it carries on with the stored answer, recorded once."""
    load_demo_office(database.engine)

    def mine(rows: list[Reconciled]) -> list[Reconciled]:
        return [r for r in rows if r.registration_number == proc.registration_number]

    run = FlowInThread(issue_act, act=Act.PROTEST, reference="race-1", responsible="as-1", **ACT)
    decide(waiting_approval(database.engine), "head")
    with Session(database.engine) as session:
        proc = session.scalars(select(Procedure).where(Procedure.kind == "protest")).one()
    key = wait_for_key(proc.flow_run_id, "answer-")
    duty_id = int(key.removeprefix("answer-"))
    # what record-answer does, but its wake-up came before the run paused and found nothing
    digest = receive_answer(duty_id, AnswerInput(outcome="accepted"))
    assert store_answer.fn(duty_id, digest)
    assert pause_key(proc.flow_run_id) == key  # parked at the answer the office already has

    [seen] = mine(reconcile(dry_run=True))
    assert (seen.action, seen.done) == ("resume", False) and pause_key(proc.flow_run_id) == key
    [woken] = mine(reconcile())
    assert (woken.registration_number, woken.action, woken.done) == (
        proc.registration_number,
        "resume",
        True,
    )
    assert run.join().outcome == "accepted"
    with Session(database.engine) as session:
        answered = session.scalar(select(func.count()).where(AuditEntry.action == "duty.answered"))
        assert answered == 1
        assert session.get_one(Procedure, proc.id).status is ProcedureStatus.CLOSED
    assert mine(reconcile()) == []  # closed: nothing left to do


# --- a real Prefect server and `prosecutor serve`, one per office database -------------------

SERVED = "review-appeal,sign-document,record-answer"


class Office:
    """The office's database, a Prefect server with a database file of its own (to lose) and
    the serving process, shared by the tests of one office database."""

    def __init__(self, root: Path, db_url: str) -> None:
        self.root, self.db_url = root, db_url
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.prefect_db = root / "prefect.db"
        self.env = {
            **os.environ,
            "PREFECT_HOME": str(root / "prefect"),
            "PREFECT_API_URL": self.api,
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{self.prefect_db}",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "PROSECUTOR_DATABASE_URL": db_url,
        }
        self.engine = make_engine(db_url)
        self.server: subprocess.Popen[bytes] | None = None
        self.serving: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def _log(self, name: str) -> Any:
        self.starts += 1
        return (self.root / f"{name}-{self.starts}.log").open("wb")

    def start(self) -> None:
        self.server = subprocess.Popen(
            [
                str(BIN / "prefect"),
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=self._log("server"),
            stderr=subprocess.STDOUT,
        )
        wait(lambda: httpx.get(f"{self.api}/health", timeout=2).status_code == 200, 90, "server")
        self.start_serving()

    def start_serving(self) -> None:
        self.serving = subprocess.Popen(
            [str(BIN / "prosecutor"), "serve", "--only", SERVED],
            env=self.env,
            stdout=self._log("serve"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its flow-run children die with it
        )
        wait(lambda: self.deployment_id() is not None, 90, "the served deployment")

    def stop_serving(self) -> None:
        """Kill the serving process and the runs it started, as a power cut would."""
        assert self.serving is not None
        os.killpg(self.serving.pid, signal.SIGKILL)
        self.serving.wait()

    def stop(self) -> None:
        if self.serving is not None and self.serving.poll() is None:
            self.stop_serving()
        if self.server is not None and self.server.poll() is None:
            _stop(self.server)

    def deployment_id(self) -> str | None:
        url = f"{self.api}/deployments/name/review-appeal/review-appeal"
        response = httpx.get(url, timeout=2)
        return response.json().get("id") if response.status_code == 200 else None

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return cli({**self.env, **env}, *args)


@pytest.fixture(scope="module")
def sqlite_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    root = tmp_path_factory.mktemp("office-sqlite")
    yield from _office(root, f"sqlite:///{root / 'office.db'}")


@pytest.fixture(scope="module")
def postgres_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except Exception:  # down: skipped locally (tests/conftest.py fails CI on its own tests)
        pytest.skip("PostgreSQL is not reachable")
    name = f"prosecutor_recover_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield from _office(tmp_path_factory.mktemp("office-postgres"), url)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _office(root: Path, db_url: str) -> Iterator[Office]:
    upgrade(db_url)
    office = Office(root, db_url)
    load_demo_office(office.engine)
    try:
        office.start()
        yield office
    finally:
        office.stop()
        office.engine.dispose()


def submit(office: Office, external_id: str) -> str:
    path = appeal_file(office.root, external_id)
    done = office.cli("appeals", "submit", str(path), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["appeals"][0]["registration_number"]


def run_of(office: Office, number: str) -> str | None:
    with Session(office.engine) as session:
        return session.scalar(
            select(AppealRow.review_flow_run_id)
            .join(Procedure, AppealRow.procedure_id == Procedure.id)
            .where(Procedure.registration_number == number)
        )


def waiting_at(office: Office, number: str, prefix: str, not_run: str | None = None) -> str:
    """The appeal's recorded run (other than ``not_run``) once it is suspended at ``prefix``."""

    def found() -> str | None:
        run_id = run_of(office, number)
        if not run_id or run_id == not_run:
            return None
        s = state(office.api, run_id)
        key = (s.get("state_details") or {}).get("pause_key") or ""
        return run_id if s["name"] == "Suspended" and key.startswith(prefix) else None

    return wait(found, 180, f"the review of {number} to wait at {prefix}")


def ledger(office: Office) -> dict[str, int]:
    """What the office has done: audit entries by action, notifications, outgoing numbers."""
    with Session(office.engine) as session:
        done = dict(
            session.execute(
                select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
            ).all()
        )
        done["notifications"] = session.scalar(select(func.count()).select_from(Notification)) or 0
        done["outgoing numbers"] = (
            session.scalar(select(func.count()).where(Document.outgoing_number.is_not(None))) or 0
        )
    return done


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        k: after.get(k, 0) - before.get(k, 0)
        for k in after | before
        if after.get(k, 0) != before.get(k, 0)
    }


def reconciled(office: Office, number: str, **env: str) -> dict[str, Any]:
    done = office.cli("reconcile", "--json", **env)
    assert done.returncode == 0, done.stderr
    [row] = [r for r in json.loads(done.stdout) if r["registration_number"] == number]
    return row


def report(office: Office, number: str) -> None:
    given = office.cli(
        "appeals",
        "report",
        number,
        "--as",
        "sa-1",
        "--outcome",
        "upheld",
        "--findings",
        "Долг погашен.",
    )
    assert given.returncode == 0, given.stderr


def answer_the_appeal(office: Office, number: str, run_id: str, report_first: bool = True) -> None:
    """The report (unless given already), the head's signature, and the appeal is closed."""
    if report_first:
        report(office, number)
    waiting_at(office, number, "approval-")
    pending = json.loads(office.cli("approvals", "list", "--pending", "--json").stdout)
    [approval] = [a for a in pending if a.get("registration_number", number) == number]
    decided = office.cli(
        "approvals", "decide", str(approval["id"]), *key_args("head"), "--decision", "approve"
    )
    assert decided.returncode == 0, decided.stderr
    wait(lambda: state(office.api, run_id)["name"] == "Completed", 120, "the review to complete")
    with Session(office.engine) as session:
        proc = session.scalars(
            select(Procedure).where(Procedure.registration_number == number)
        ).one()
        assert proc.status is ProcedureStatus.CLOSED
        replies = session.scalars(
            select(Document).where(Document.procedure_id == proc.id, Document.kind == "reply")
        ).all()
        assert [bool(r.outgoing_number and r.dispatched_at) for r in replies] == [True]


ONCE = (
    "appeal.review_started",
    "appeal.assigned",
    "approval.requested",
    "approval.approved",
    "document.dispatched",
    "appeal.closed",
)


def once_each(before: dict[str, int], after: dict[str, int]) -> None:
    changed = delta(before, after)
    for step in ONCE:
        assert changed.get(step) == 1, (step, changed)
    assert changed.get("procedure.run_restarted") == 1, changed
    assert changed.get("outgoing numbers") == 1, changed


@pytest.mark.e2e
def test_the_prefect_database_lost_while_a_review_waits(sqlite_office: Office) -> None:
    office = sqlite_office
    start = ledger(office)
    number = submit(office, "lost-db-1")
    old_run = waiting_at(office, number, "report-1")
    waiting = ledger(office)

    # the server's database is lost: a fresh one, the deployments created again by serving
    office.stop()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{office.prefect_db}{suffix}").unlink(missing_ok=True)
    office.start()
    assert (
        office.cli("appeals", "report", number, "--as", "sa-1", "--outcome", "upheld").returncode
        == 1
    )

    row = reconciled(office, number)
    assert (row["state"], row["action"], row["done"]) == ("missing", "restart", True)
    new_run = waiting_at(office, number, "report-1", not_run=old_run)
    assert new_run == row["new_flow_run_id"]
    # replayed from the top: registered, assigned and notified once, as before the loss
    assert delta(waiting, ledger(office)) == {"procedure.run_restarted": 1}
    assert reconciled(office, number)["action"] == "leave"  # reconciling again: nothing to do

    answer_the_appeal(office, number, new_run)
    once_each(start, ledger(office))


@pytest.mark.e2e
def test_a_deployment_deleted_and_recreated_while_a_review_waits(sqlite_office: Office) -> None:
    office = sqlite_office
    start = ledger(office)
    number = submit(office, "redeployed-1")
    old_run = waiting_at(office, number, "report-1")
    waiting = ledger(office)

    office.stop_serving()
    deployment = office.deployment_id()
    assert httpx.delete(f"{office.api}/deployments/{deployment}", timeout=5).status_code == 204
    office.start_serving()  # created again, under a new id
    assert office.deployment_id() != deployment

    row = reconciled(office, number)
    assert (row["state"], row["action"], row["done"]) == ("Suspended", "restart", True)
    assert "deployment" in row["reason"]
    new_run = waiting_at(office, number, "report-1", not_run=old_run)
    assert state(office.api, old_run)["type"] == "CANCELLED"  # nobody can wake the stale run
    assert delta(waiting, ledger(office)) == {"procedure.run_restarted": 1}

    answer_the_appeal(office, number, new_run)
    once_each(start, ledger(office))


@pytest.mark.e2e
@pytest.mark.postgres
@pytest.mark.parametrize("office_db", ["sqlite_office", "postgres_office"])
def test_a_run_stuck_resuming_gets_a_fresh_run_that_keeps_the_report(
    office_db: str, request: pytest.FixtureRequest
) -> None:
    """The report resumed the run, but no worker ever took it up: the fresh run reads the
    report given (it is not asked for again) and goes on to the signature."""
    office: Office = request.getfixturevalue(office_db)
    start = ledger(office)
    number = submit(office, f"stuck-{office_db}")
    old_run = waiting_at(office, number, "report-1")
    office.stop_serving()
    report(office, number)
    wait(lambda: state(office.api, old_run)["name"] == "Resuming", 30, "the run to be resumed")

    assert reconciled(office, number)["action"] == "leave"  # not stuck yet (30 minutes)
    row = reconciled(office, number, PROSECUTOR_RUN_STUCK_MINUTES="0")
    assert (row["state"], row["action"], row["done"]) == ("Resuming", "restart", True)
    office.start_serving()
    new_run = waiting_at(office, number, "approval-", not_run=old_run)
    assert state(office.api, old_run)["type"] == "CANCELLED"

    answer_the_appeal(office, number, new_run, report_first=False)
    once_each(start, ledger(office))
