"""A peer side by side: the appeal review's shape (register -> assign -> wait for the report ->
wait for approval with a deadline timer -> send -> end) run by Prefect, as the project's flows
run, and by SpiffWorkflow (pure-Python BPMN, ``bench/appeal_review.bpmn``), which persists its
serialised state to the same database after each step. Both do the same work in the office's
database at each step (the appeal stored and numbered, the duty opened and done, the decision
and the sending audited). Prints each engine's cost per instance to the first wait and to the
end, and instances per second. Needs the ``bench`` extra (SpiffWorkflow)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, insert, select, update

from bench.intake import appeals
from bench.report import machine, table
from bench.sweep import database
from models.appeals import store as appeal_store
from models.db import transaction
from models.procedures import store as procedure_store
from models.records import audit
from models.timing.calendar import WorkingCalendar
from tests.office import load_demo_office

BPMN = Path(__file__).with_name("appeal_review.bpmn")
OFFICE = "ALM-BST"
_meta = MetaData()
# SpiffWorkflow's state of each instance, kept next to the office's tables
peer_state = Table(
    "bench_peer_state",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("state", Text, nullable=False),
)


class Office:
    """The work each step does in the office's database, the same for both engines."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.calendar = engine, WorkingCalendar()

    def register(self, raw: str) -> str:
        result = appeal_store.submit(raw, None, OFFICE, self.calendar, self.engine)
        assert result.registration_number is not None
        return result.registration_number

    def assign(self, number: str) -> int:
        with transaction(self.engine) as session:
            _, proc = appeal_store.by_number(session, number)
            duty = procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="consider",
                title=f"Consider {number}",
                assignee_id="as-1",
                due_date=proc.due_date,
            )
            return duty.id

    def report(self, duty_id: int) -> None:
        with transaction(self.engine) as session:
            procedure_store.complete_duty(session, duty_id, "as-1")

    def decide(self, number: str, action: str) -> None:
        with transaction(self.engine) as session:
            audit.append(
                session, actor="pr-1", action=action, entity_kind="procedure", entity_id=number
            )


def spiff(office: Office, raws: list[str]) -> tuple[list[float], list[float]]:
    """Each instance run by SpiffWorkflow, its state stored after each step; seconds of each
    to the first wait and to the end."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    spec = parser.get_spec("appeal_review")
    serializer = BpmnWorkflowSerializer()
    engine = PythonScriptEngine(
        environment=TaskDataEnvironment(
            {"register": office.register, "assign": office.assign, "send": office.decide}
        )
    )
    _meta.create_all(office.engine)

    def store(instance: int | None, workflow: Any) -> int:
        state = serializer.serialize_json(workflow)
        with office.engine.begin() as conn:
            if instance is None:
                return conn.execute(insert(peer_state).values(state=state)).inserted_primary_key[0]
            conn.execute(update(peer_state).where(peer_state.c.id == instance).values(state=state))
            return instance

    def load(instance: int) -> Any:
        with office.engine.connect() as conn:
            state = conn.scalar(select(peer_state.c.state).where(peer_state.c.id == instance))
        workflow = serializer.deserialize_json(state)
        workflow.script_engine = engine
        return workflow

    def complete(instance: int, step: str, work: Callable[[Any], None]) -> None:
        workflow = load(instance)
        [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
        assert task.task_spec.name == step, task.task_spec.name
        work(task.data)
        task.run()
        workflow.do_engine_steps()
        store(instance, workflow)

    first: list[float] = []
    whole: list[float] = []
    for raw in raws:
        start = time.perf_counter()
        workflow = BpmnWorkflow(spec, script_engine=engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data["raw"] = raw
        workflow.do_engine_steps()  # register, assign: then it waits for the report
        instance = store(None, workflow)
        first.append(time.perf_counter() - start)
        complete(instance, "report", lambda data: office.report(data["duty_id"]))
        complete(instance, "approve", lambda data: office.decide(data["number"], "approved"))
        assert load(instance).is_completed()
        whole.append(time.perf_counter() - start)
    return first, whole


def prefect(office: Office, raws: list[str]) -> tuple[list[float], list[float]]:
    """Each instance as Prefect flow runs: up to the first wait, then (as when resumed) the
    report, the approval and the sending; every step a task, as the project's flows are."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    register = task(office.register, name="register", cache_policy=NO_CACHE)
    assign = task(office.assign, name="assign", cache_policy=NO_CACHE)
    report = task(office.report, name="report", cache_policy=NO_CACHE)
    decide = task(office.decide, name="decide", cache_policy=NO_CACHE)

    @flow(name="peer-review-to-first-wait")
    def to_first_wait(raw: str) -> tuple[str, int]:
        number = register(raw)
        return number, assign(number)

    @flow(name="peer-review-resumed")
    def resumed(number: str, duty_id: int) -> None:
        report(duty_id)
        decide(number, "approved")
        decide(number, "sent")

    first: list[float] = []
    whole: list[float] = []
    for raw in raws:
        start = time.perf_counter()
        number, duty_id = to_first_wait(raw)
        first.append(time.perf_counter() - start)
        resumed(number, duty_id)
        whole.append(time.perf_counter() - start)
    return first, whole


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=30)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    rows = []
    with prefect_test_harness(server_startup_timeout=120):
        for kind in args.databases.split(","):
            for name, run in (("Prefect", prefect), ("SpiffWorkflow", spiff)):
                with database(kind, args.postgres) as engine:
                    load_demo_office(engine)
                    office = Office(engine)
                    run(office, appeals(2, f"warm-{name}"))  # imports, caches, first plans
                    first, whole = run(office, appeals(args.instances, name))
                rows.append(
                    [
                        name,
                        kind,
                        args.instances,
                        f"{statistics.median(first) * 1000:.0f}",
                        f"{statistics.median(whole) * 1000:.0f}",
                        f"{len(whole) / sum(whole):.1f}",
                    ]
                )
    table(
        f"Appeal review shape, per instance ({machine()}, {dt.date.today()})",
        ["engine", "database", "instances", "to first wait ms", "to end ms", "instances/s"],
        rows,
    )


if __name__ == "__main__":
    main()
