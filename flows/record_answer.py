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

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run

from models.db import transaction
from models.procedures import answer_store
from models.vocabulary import DUTY_RESOURCE, answer_key, duty_of_resource, duty_resource
from tasks.answers import AnswerInput, answer_sha256, decode, receive_answer
from tasks.step import step

# How long a run about to wait for the answer is given to get there: WAKE_TRIES × WAKE_PAUSE.
WAKE_TRIES = 20
WAKE_PAUSE_SECONDS = 0.5


def duty_id_of(duty_ref: str | int) -> int:
    """The duty of ``prosecutor.duty.<id>`` (an event's resource) or of the id itself."""
    ref = str(duty_ref)
    return duty_of_resource(ref) if ref.startswith(DUTY_RESOURCE) else int(ref)


@step
def store_answer(duty_id: int, sha256: str = "") -> bool:
    """Close the duty with the answer stored on it, once; False when it was answered before,
    or when ``sha256`` names an answer since replaced (the newer one's event records it)."""
    with transaction() as session:
        stored = answer_store.answer_to_record(session, duty_id)
        if stored is None:
            return False
        digest = answer_sha256(stored)
        if sha256 and sha256 != digest:
            get_run_logger().warning("duty %s: the answer announced was replaced", duty_id)
            return False
        answer = decode(stored)
        answer_store.record_answered(
            session,
            duty_id,
            digest=digest,
            outcome=answer.outcome.value if answer.outcome else None,
            hearing_date=answer.hearing_date,
        )
        return True


@step
def wake_waiting_run(duty_id: int) -> bool:
    """Resume the run waiting at ``answer-<duty id>`` with an empty form: it reads the answer
    from the database. A run about to wait is given a moment; one that goes to sleep later
    still (it looked for the answer just before it was stored) is woken by `prosecutor
    reconcile`, which the morning deadline check runs: the answer is stored, so it is found."""
    with transaction() as session:
        run_id = answer_store.waiting_run(session, duty_id)
    if not run_id:
        return False
    key = answer_key(duty_id)
    with get_client(sync_client=True) as client:
        for _ in range(WAKE_TRIES):
            state = client.read_flow_run(UUID(run_id)).state
            if state and state.is_paused() and state.state_details.pause_key == key:
                resume_flow_run(UUID(run_id), run_input={})
                return True
            if not state or not state.is_running():
                return False  # finished, or waiting for something else: the answer is stored
            time.sleep(WAKE_PAUSE_SECONDS)
    get_run_logger().info("duty %s: the run is not waiting yet; reconciling wakes it", duty_id)
    return False


@flow(name="record-answer", flow_run_name="answer-{duty_ref}")
def record_stored_answer(duty_ref: str, answer_sha256: str = "") -> bool:
    """Close the duty ``duty_ref`` (``prosecutor.duty.<id>`` from the event, or the id) with
    the answer stored on it and wake the run waiting for it. ``answer_sha256``: the stored
    answer the event announced."""
    duty_id = duty_id_of(duty_ref)
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
    duty_id = duty_id_of(duty_ref)
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
        if answer_store.is_answered(session, duty_id):
            return False
    return record_stored_answer(
        duty_ref=duty_resource(duty_id), answer_sha256=receive_answer(duty_id, given)
    )
