"""What to do with an open procedure whose Prefect run may be lost, finished or stuck.

The office's database is the record of a procedure; Prefect's run is only the process carrying
it on. When the Prefect database is lost, a deployment is recreated or a run hangs, the procedure
must not be orphaned: a fresh run of the same deployment replays it from the top (every step is
idempotent and reads its state from the office's database). Pure rules, no Prefect: the caller
says what Prefect knows of each run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from models.procedures import ProcedureKind, ProcedureStatus

# The deployment whose run carries a procedure of each kind, and the parameter that names the
# procedure by its registration number: what a fresh run needs when Prefect has lost the
# original run (its parameters with it). Kinds started with richer parameters (an act, an
# inspection, ...) are restarted only while Prefect still has the original run's parameters.
DEPLOYMENT_OF: dict[ProcedureKind, tuple[str, str]] = {
    ProcedureKind.APPEAL: ("review-appeal", "appeal_ref"),
    ProcedureKind.CPC_COMPLAINT: ("review-cpc-complaint", "complaint_ref"),
    ProcedureKind.CRIMINAL_CASE: ("supervise-criminal-case", "case_ref"),
    ProcedureKind.CASE_DECISION: ("decide-finished-case", "case_ref"),
}

# A fresh run is first created in this state, far in the future, so that no worker starts it
# before the office's database names it as the procedure's run; then it is released.
HELD = "Held"


class Action(StrEnum):
    LEAVE = "leave"
    RESUME = "resume"  # the run waits for an answer the office has stored: wake it
    RESTART = "restart"  # a fresh run of the procedure's deployment replays it
    RELEASE = "release"  # a fresh run created but never released (interrupted restart)


@dataclass(frozen=True, slots=True)
class OpenRun:
    """An open procedure and the run the office's database records for it."""

    procedure_id: int
    kind: ProcedureKind
    registration_number: str
    flow_run_id: str
    status: ProcedureStatus = ProcedureStatus.IN_PROGRESS
    # wait keys the office has the answer for (``answer-<duty id>`` of an answered duty)
    answered_keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What Prefect says of a run; the run is missing when there are no facts at all."""

    state_type: str  # SCHEDULED, PENDING, RUNNING, PAUSED, COMPLETED, FAILED, CRASHED, ...
    state_name: str  # Scheduled, Late, Resuming, Suspended, Paused, ...
    since: dt.datetime  # when it entered that state
    pause_key: str | None = None
    deployment_exists: bool = True  # False: its deployment was deleted (or recreated)
    has_parameters: bool = True


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    reason: str


FAILED = {"FAILED", "CRASHED"}
STALLED = {"Resuming", "Pending"}  # resumed or claimed, and never started running


def restartable(run: OpenRun, facts: RunFacts | None) -> bool:
    """A fresh run can be given its parameters: from the original run, or from the record."""
    return run.kind in DEPLOYMENT_OF or (facts is not None and facts.has_parameters)


def decide(
    run: OpenRun, facts: RunFacts | None, now: dt.datetime, stuck_after: dt.timedelta
) -> Verdict:
    """Leave, resume or restart the run of an open procedure."""
    verdict = _verdict(run, facts, now, stuck_after)
    if verdict.action is Action.RESTART and not restartable(run, facts):
        return Verdict(Action.LEAVE, f"{verdict.reason}; no deployment known for {run.kind}")
    return verdict


def _verdict(
    run: OpenRun, facts: RunFacts | None, now: dt.datetime, stuck_after: dt.timedelta
) -> Verdict:
    if facts is None:
        return Verdict(Action.RESTART, "run missing from Prefect")
    if facts.state_name == HELD:
        return Verdict(Action.RELEASE, "fresh run created but not released")
    if facts.state_type == "CANCELLED" or facts.state_type == "CANCELLING":
        return Verdict(Action.LEAVE, "run cancelled by a person")
    if facts.state_type in FAILED:
        return Verdict(Action.RESTART, f"run {facts.state_name} while the procedure is open")
    if facts.state_type == "COMPLETED":
        # Some runs end by design before their procedure closes (it waits only for answers
        # from outside, recorded without it): only the kinds whose run carries the procedure to
        # its end are restarted.
        if run.kind in DEPLOYMENT_OF and run.status is not ProcedureStatus.AWAITING_ANSWER:
            return Verdict(Action.RESTART, "run completed while the procedure is open")
        return Verdict(Action.LEAVE, "run completed; the procedure goes on without it")
    if not facts.deployment_exists:
        return Verdict(Action.RESTART, "the run's deployment was deleted")
    if facts.state_type == "PAUSED":
        if facts.pause_key and facts.pause_key in run.answered_keys:
            return Verdict(Action.RESUME, f"answer stored, run waits at {facts.pause_key}")
        return Verdict(Action.LEAVE, f"waits at {facts.pause_key or 'a form'}")
    if facts.state_name in STALLED and now - facts.since > stuck_after:
        return Verdict(Action.RESTART, f"stuck in {facts.state_name} since {facts.since:%H:%M}")
    return Verdict(Action.LEAVE, facts.state_name.lower())
