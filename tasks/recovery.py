"""Reconciling the office's open procedures with the runs Prefect has: a procedure whose run is
gone (the Prefect database lost), finished, stuck or orphaned by a deleted deployment gets a
fresh run of its deployment, which replays it from the top with its state in the office's
database; a run parked at a wait whose answer the office already stored is woken.

A fresh run is created held (far in the future), then the office's database names it the
procedure's run (with an audit entry), then it is released: no worker starts it before it is
recognised as the procedure's own run, and an interrupted restart is finished by the next
reconcile. The original run's form inputs are copied to the fresh run, so a report or decision
already given is not asked for again (tasks/waiting.py reads them back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from prefect import get_run_logger
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun, StateDetails, StateType
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.states import Cancelled, Scheduled, State

from models.db import reading, transaction
from models.sweeps import run_store
from models.sweeps.run_recovery import DEPLOYMENT_OF, HELD, Action, OpenRun, RunFacts, decide
from tasks.step import step
from tasks.waiting import RESTARTED_TAG, WAIT_LIMIT_SECONDS

BATCH = 200  # ids per filter call: the server's page size
INPUT_PREFIXES = ("suspended-", "paused-")


@dataclass(frozen=True, slots=True)
class Reconciled:
    """One line of the reconcile table."""

    registration_number: str
    kind: str
    flow_run_id: str
    state: str  # what Prefect said of the run ("missing" when nothing)
    action: str
    reason: str
    new_flow_run_id: str | None = None
    done: bool = False  # False on a dry run, or when the step could not be taken

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def read_runs(client: SyncPrefectClient, run_ids: Iterable[str]) -> dict[str, FlowRun]:
    """The runs Prefect still has, by id: one filter call per page of ids."""
    ids = sorted({u for u in map(_uuid, run_ids) if u is not None})
    found: dict[str, FlowRun] = {}
    for start in range(0, len(ids), BATCH):
        page = ids[start : start + BATCH]
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=page)), limit=len(page)
        )
        found |= {str(run.id): run for run in runs}
    return found


def facts_of(run: FlowRun | None, deployment_ids: set[UUID]) -> RunFacts | None:
    if run is None or run.state is None:
        return None
    state = run.state
    return RunFacts(
        state_type=state.type.value,
        state_name=state.name or state.type.value.title(),
        since=state.timestamp,
        pause_key=state.state_details.pause_key,
        deployment_exists=run.deployment_id is None or run.deployment_id in deployment_ids,
        has_parameters=bool(run.parameters),
    )


def _deployment_ids(client: SyncPrefectClient) -> set[UUID]:
    ids: set[UUID] = set()
    offset = 0
    while True:
        page = client.read_deployments(limit=BATCH, offset=offset)
        ids |= {d.id for d in page}
        if len(page) < BATCH:
            return ids
        offset += BATCH


def _target(
    client: SyncPrefectClient, run: OpenRun, old: FlowRun | None
) -> tuple[str, dict[str, Any]]:
    """The deployment and parameters of the fresh run: those the original run got while
    Prefect still has it, else built from the procedure's registration number."""
    if old is not None and old.parameters:
        name = client.read_flow(old.flow_id).name  # deployments are named after their flow
        return name, dict(old.parameters)
    name, parameter = DEPLOYMENT_OF[run.kind]
    return name, {parameter: run.registration_number}


def _copy_inputs(client: SyncPrefectClient, old: FlowRun, new_id: UUID) -> int:
    """The answers given to the original run's forms, for the fresh run to read back."""
    copied = 0
    for prefix in INPUT_PREFIXES:
        given = client.filter_flow_run_input(
            flow_run_id=old.id, key_prefix=prefix, limit=1000, exclude_keys=set()
        )
        for item in given:
            if not item.key.endswith("-response"):
                continue
            key = "suspended-" + item.key.removeprefix(prefix)  # a fresh run is suspended
            try:
                client.create_flow_run_input(new_id, key, item.value)
                copied += 1
            except ObjectAlreadyExists:  # copied by an interrupted reconcile
                pass
    return copied


def restart(
    client: SyncPrefectClient, run: OpenRun, old: FlowRun | None, reason: str
) -> str | None:
    """Start a fresh run for ``run``'s procedure; its id, or None when another reconcile
    restarted the procedure first."""
    name, parameters = _target(client, run, old)
    deployment = client.read_deployment_by_name(f"{name}/{name}")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=WAIT_LIMIT_SECONDS)
    held: State[Any] = State(
        type=StateType.SCHEDULED,
        name=HELD,
        state_details=StateDetails(scheduled_time=later),
        message=f"restart of {run.flow_run_id}",
    )
    fresh = client.create_flow_run_from_deployment(
        deployment.id,
        parameters=parameters,
        state=held,
        tags=[RESTARTED_TAG],
        # reconciling twice (or after an interruption) finds the same fresh run
        idempotency_key=f"restart-{run.procedure_id}-{run.flow_run_id}",
    )
    if old is not None:
        _copy_inputs(client, old, fresh.id)
    with transaction() as session:
        named = run_store.record_restart(
            session, run.procedure_id, run.flow_run_id, str(fresh.id), reason
        )
    if not named:
        client.set_flow_run_state(fresh.id, Cancelled(message="restarted elsewhere"), force=True)
        return None
    release(client, str(fresh.id))
    if old is not None and old.state is not None and not old.state.is_final():
        # a stale run must not be resumed and carry the procedure on beside the fresh one
        client.set_flow_run_state(old.id, Cancelled(message=f"restarted as {fresh.id}"), force=True)
    return str(fresh.id)


def release(client: SyncPrefectClient, run_id: str) -> None:
    client.set_flow_run_state(UUID(run_id), Scheduled(), force=True)


def resume(client: SyncPrefectClient, run_id: str) -> bool:
    """Wake a run waiting for an answer the office stored: an empty form, the waiting side
    reads the answer from the database (as ``record-answer`` does)."""
    result = client.resume_flow_run(UUID(run_id), run_input={})
    return result.status.value == "ACCEPT"


def reconcile(dry_run: bool = False, stuck_after: dt.timedelta | None = None) -> list[Reconciled]:
    """Decide for every open procedure with a recorded run, and act unless ``dry_run``."""
    from models.settings import get_settings

    stuck_after = stuck_after or dt.timedelta(minutes=get_settings().run_stuck_minutes)
    with reading() as session:
        runs = run_store.open_runs(session)
    if not runs:
        return []
    rows: list[Reconciled] = []
    with get_client(sync_client=True) as client:
        known = read_runs(client, (r.flow_run_id for r in runs))
        deployments = _deployment_ids(client)
        now = dt.datetime.now(dt.UTC)
        for run in runs:
            old = known.get(run.flow_run_id)
            facts = facts_of(old, deployments)
            verdict = decide(run, facts, now, stuck_after)
            row = Reconciled(
                registration_number=run.registration_number,
                kind=run.kind.value,
                flow_run_id=run.flow_run_id,
                state=facts.state_name if facts else "missing",
                action=verdict.action.value,
                reason=verdict.reason,
            )
            if verdict.action is not Action.LEAVE and not dry_run:
                row = _act(client, run, old, verdict.action, verdict.reason, row)
            rows.append(row)
    return rows


def _act(
    client: SyncPrefectClient,
    run: OpenRun,
    old: FlowRun | None,
    action: Action,
    reason: str,
    row: Reconciled,
) -> Reconciled:
    try:
        if action is Action.RESUME:
            return _with(row, done=resume(client, run.flow_run_id))
        if action is Action.RELEASE:
            release(client, run.flow_run_id)
            return _with(row, done=True)
        fresh = restart(client, run, old, reason)
        return _with(row, done=fresh is not None, new_flow_run_id=fresh)
    except (ObjectNotFound, RuntimeError) as exc:  # e.g. its deployment is not served yet
        return _with(row, reason=f"{reason}; not done: {exc}")


def _with(row: Reconciled, **changes: Any) -> Reconciled:
    return Reconciled(**(row.as_dict() | changes))


@step
def reconcile_runs() -> list[dict[str, Any]]:
    """The reconcile step of the morning deadline check. A Prefect server that cannot be
    asked must not stop the check itself: the failure is logged and the next check retries."""
    logger = get_run_logger()
    try:
        rows = reconcile()
    except Exception as exc:  # the deadline check's own work goes on
        logger.warning("runs not reconciled: %s", exc)
        return []
    acted = [row for row in rows if row.action != Action.LEAVE.value]
    if acted:
        logger.info("runs reconciled:\n%s", render(acted))
    return [row.as_dict() for row in acted]


def render(rows: list[Reconciled]) -> str:
    """The reconcile table for the terminal."""
    if not rows:
        return "no open procedure has a run: nothing to reconcile"
    head = ("procedure", "run", "state", "action", "new run", "why")
    lines = [
        (
            r.registration_number,
            r.flow_run_id[:8],
            r.state,
            r.action + ("" if r.done or r.action == "leave" else " (not done)"),
            (r.new_flow_run_id or "")[:8],
            r.reason,
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines, strict=False)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*line).rstrip() for line in [head, *lines])
