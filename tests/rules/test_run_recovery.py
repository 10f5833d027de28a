"""What reconciling does with an open procedure, from what Prefect says of its run."""

from __future__ import annotations

import datetime as dt

import pytest

from models.procedures import ProcedureKind, ProcedureStatus
from models.sweeps.run_recovery import HELD, Action, OpenRun, RunFacts, decide

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
STUCK = dt.timedelta(minutes=30)


def appeal(**changes: object) -> OpenRun:
    base: dict[str, object] = {
        "procedure_id": 1,
        "kind": ProcedureKind.APPEAL,
        "registration_number": "ALM-APL-2026-000001",
        "flow_run_id": "6f1c1c5e-0000-4000-8000-000000000001",
        "status": ProcedureStatus.IN_PROGRESS,
        "answered_keys": frozenset(),
    }
    return OpenRun(**(base | changes))  # type: ignore[arg-type]


def facts(state_type: str, state_name: str, minutes_ago: int = 1, **changes: object) -> RunFacts:
    return RunFacts(  # type: ignore[arg-type]
        state_type=state_type,
        state_name=state_name,
        since=NOW - dt.timedelta(minutes=minutes_ago),
        **changes,
    )


def action(run: OpenRun, run_facts: RunFacts | None) -> Action:
    return decide(run, run_facts, NOW, STUCK).action


def test_a_run_missing_from_prefect_is_restarted() -> None:
    """The Prefect database was lost: the office still records the open appeal."""
    verdict = decide(appeal(), None, NOW, STUCK)
    assert verdict.action is Action.RESTART and "missing" in verdict.reason


def test_a_missing_run_of_a_kind_without_known_parameters_is_left_with_a_reason() -> None:
    """An inspection's run is started with parameters the office does not keep: it cannot be
    rebuilt from its registration number alone, so it is reported, not guessed."""
    verdict = decide(appeal(kind=ProcedureKind.INSPECTION), None, NOW, STUCK)
    assert verdict.action is Action.LEAVE and "no deployment known" in verdict.reason


def test_a_failed_or_crashed_run_of_an_open_procedure_is_restarted() -> None:
    assert action(appeal(), facts("FAILED", "Failed")) is Action.RESTART
    assert action(appeal(), facts("CRASHED", "Crashed")) is Action.RESTART
    # Prefect still has its parameters: any kind can be restarted with them
    inspection = appeal(kind=ProcedureKind.INSPECTION)
    assert action(inspection, facts("CRASHED", "Crashed")) is Action.RESTART


def test_a_completed_run_of_an_open_appeal_is_restarted() -> None:
    assert action(appeal(), facts("COMPLETED", "Completed")) is Action.RESTART


def test_a_completed_run_whose_procedure_waits_only_for_answers_is_left() -> None:
    """An act's run ends once the act is sent; the addressee's answer closes the procedure
    (record-answer), so a completed run of an open protest is not a lost one."""
    protest = appeal(kind=ProcedureKind.PROTEST, status=ProcedureStatus.AWAITING_ANSWER)
    assert action(protest, facts("COMPLETED", "Completed")) is Action.LEAVE
    waiting = appeal(status=ProcedureStatus.AWAITING_ANSWER)
    assert action(waiting, facts("COMPLETED", "Completed")) is Action.LEAVE


def test_a_cancelled_run_is_left_to_whoever_cancelled_it() -> None:
    assert action(appeal(), facts("CANCELLED", "Cancelled")) is Action.LEAVE


def test_a_run_waiting_for_a_person_is_left() -> None:
    assert action(appeal(), facts("PAUSED", "Suspended", 600, pause_key="report-1")) is (
        Action.LEAVE
    )


def test_a_run_waiting_for_an_answer_already_stored_is_resumed() -> None:
    """The wake-up race: the answer was stored after the run looked for it and before it
    suspended, so record-answer found nothing to wake."""
    run = appeal(answered_keys=frozenset({"answer-7"}))
    parked = facts("PAUSED", "Suspended", pause_key="answer-7")
    assert action(run, parked) is Action.RESUME
    assert action(run, facts("PAUSED", "Paused", pause_key="answer-8")) is Action.LEAVE


def test_a_waiting_run_whose_deployment_was_deleted_is_restarted() -> None:
    """No worker can resume it: its deployment is gone (a recreated one has a new id)."""
    orphan = facts("PAUSED", "Suspended", pause_key="report-1", deployment_exists=False)
    verdict = decide(appeal(), orphan, NOW, STUCK)
    assert verdict.action is Action.RESTART and "deployment" in verdict.reason


@pytest.mark.parametrize("name,state_type", [("Resuming", "SCHEDULED"), ("Pending", "PENDING")])
def test_a_run_stuck_resuming_or_pending_is_restarted_after_the_limit(
    name: str, state_type: str
) -> None:
    assert action(appeal(), facts(state_type, name, minutes_ago=29)) is Action.LEAVE
    assert action(appeal(), facts(state_type, name, minutes_ago=31)) is Action.RESTART


def test_running_and_scheduled_runs_are_left() -> None:
    """A running run is Prefect's to watch (heartbeats mark it crashed); a scheduled or late
    one waits for a worker, and a fresh run would wait for the same worker."""
    assert action(appeal(), facts("RUNNING", "Running", 600)) is Action.LEAVE
    assert action(appeal(), facts("SCHEDULED", "Late", 600)) is Action.LEAVE


def test_a_fresh_run_left_held_by_an_interrupted_restart_is_released() -> None:
    assert action(appeal(), facts("SCHEDULED", HELD, 600)) is Action.RELEASE
