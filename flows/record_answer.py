"""An answer from outside, stored on its duty and announced by an event: another body's answer
to a request (ответ на запрос), a body's report on a coordination item, a facility's
confirmation of a release. The duty is done and the answer audited; a procedure waiting only for
answers closes with the last.

The run's parameters are the duty and the SHA-256 of the stored answer, never its text: Prefect
keeps parameters, event payloads and run inputs for everyone with the UI to read, and an answer
may name people (Law of the RK No. 94-V, art. 1). The text is read from the office's database.
"""

from __future__ import annotations

import time
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run

from models.db import transaction
from models.db.tables import Duty, DutyStatus, Procedure
from models.procedures import coordination
from models.procedures import store as procedure_store
from models.records import audit
from tasks.answers import AnswerInput, answer_sha256, decode, receive_answer

DUTY_PREFIX = "prosecutor.duty."


@task(name="record-answer", cache_policy=NO_CACHE)
def store_answer(duty_id: int, sha256: str = "") -> bool:
    """Close the duty with the answer stored on it, once; False when it was answered before,
    or when ``sha256`` names an answer since replaced (the newer one's event records it)."""
    with transaction() as session:
        duty = session.get(Duty, duty_id)
        if duty is None:
            raise LookupError(f"no duty {duty_id}")
        if duty.status is DutyStatus.DONE:
            return False
        if duty.answer is None:
            raise LookupError(f"no answer stored for duty {duty_id}")
        digest = answer_sha256(duty.answer)
        if sha256 and sha256 != digest:
            get_run_logger().warning("duty %s: the answer announced was replaced", duty_id)
            return False
        answer = decode(duty.answer)
        procedure_store.complete_duty(session, duty_id, "answer")
        audit.append(
            session,
            actor="answer",
            action="duty.answered",
            entity_kind="duty",
            entity_id=duty_id,
            # the text stays on the duty: the audit payload is shown on the procedure's page
            payload={
                "sha256": digest,
                "outcome": answer.outcome.value if answer.outcome else None,
                "hearing_date": answer.hearing_date.isoformat() if answer.hearing_date else None,
            },
        )
        coordination.close_item_if_reported(session, duty, "answer")
        procedure_store.close_when_answered(session, duty.procedure_id, "answer")
        return True


@task(name="wake-waiting-run", cache_policy=NO_CACHE)
def wake_waiting_run(duty_id: int) -> bool:
    """Resume the run waiting at ``answer-<duty id>`` with an empty form: it reads the answer
    from the database. A run about to wait is given a moment; one that goes to sleep later
    still (it looked for the answer just before it was stored) is woken by `prosecutor
    reconcile`, which the morning deadline check runs: the answer is stored, so it is found."""
    with transaction() as session:
        duty = session.get_one(Duty, duty_id)
        run_id = session.get_one(Procedure, duty.procedure_id).flow_run_id
    if not run_id:
        return False
    key = f"answer-{duty_id}"
    with get_client(sync_client=True) as client:
        for _ in range(20):
            state = client.read_flow_run(UUID(run_id)).state
            if state and state.is_paused() and state.state_details.pause_key == key:
                resume_flow_run(UUID(run_id), run_input={})
                return True
            if not state or not state.is_running():
                return False  # finished, or waiting for something else: the answer is stored
            time.sleep(0.5)
    get_run_logger().info("duty %s: the run is not waiting yet; reconciling wakes it", duty_id)
    return False


@flow(name="record-answer", flow_run_name="answer-{duty_ref}")
def record_stored_answer(duty_ref: str, answer_sha256: str = "") -> bool:
    """Close the duty ``duty_ref`` (``prosecutor.duty.<id>`` from the event, or the id) with
    the answer stored on it and wake the run waiting for it. ``answer_sha256``: the stored
    answer the event announced."""
    duty_id = int(duty_ref.removeprefix(DUTY_PREFIX))
    stored = store_answer(duty_id, answer_sha256)
    if stored:
        wake_waiting_run(duty_id)
    return stored


def record_answer(
    duty_ref: str | int,
    answer: str = "",
    outcome: str = "",
    hearing_date: str = "",
    hearing_place: str = "",
    notified_on: str = "",
) -> bool:
    """Store an answer and record it at once, in this process: what ``prosecutor answer`` and
    the event's ``record-answer`` run do together (where no server carries the event). The
    text is stored before the flow runs and is not one of its parameters."""
    duty_id = int(str(duty_ref).removeprefix(DUTY_PREFIX))
    given = AnswerInput.model_validate(
        {
            "text": answer,
            "outcome": outcome or None,
            "hearing_date": hearing_date or None,
            "hearing_place": hearing_place or None,
            "notified_on": notified_on or None,
        }
    )
    with transaction() as session:
        if session.get_one(Duty, duty_id).status is DutyStatus.DONE:
            return False
    return record_stored_answer(
        duty_ref=f"{DUTY_PREFIX}{duty_id}", answer_sha256=receive_answer(duty_id, given)
    )
