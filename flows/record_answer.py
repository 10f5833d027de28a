"""An answer from outside arriving as an event: another body's answer to a request (ответ на
запрос), a body's report on a coordination item, a facility's confirmation of a release. The
duty is done and the answer audited; a procedure waiting only for answers closes with the last.
"""

from __future__ import annotations

import datetime as dt
import time
from uuid import UUID

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run

from models import audit, coordination, procedure_store
from models.acts import Answer
from models.db import transaction
from models.tables import Duty, DutyStatus, Procedure
from tasks.answers import AnswerInput, decode, encode


@task(name="record-answer", cache_policy=NO_CACHE)
def store_answer(duty_id: int, answer: str) -> bool:
    """Store the answer on its duty once; False when it was answered before."""
    with transaction() as session:
        duty = session.get(Duty, duty_id)
        if duty is None:
            raise LookupError(f"no duty {duty_id}")
        if duty.status is DutyStatus.DONE:
            return False
        duty.answer = answer[:10000]
        procedure_store.complete_duty(session, duty_id, "answer")
        audit.append(
            session,
            actor="answer",
            action="duty.answered",
            entity_kind="duty",
            entity_id=duty_id,
            payload={"answer": decode(answer).model_dump(mode="json")},
        )
        coordination.close_item_if_reported(session, duty, "answer")
        procedure_store.close_when_answered(session, duty.procedure_id, "answer")
        return True


@task(name="wake-waiting-run", cache_policy=NO_CACHE)
def wake_waiting_run(duty_id: int, answer: AnswerInput) -> bool:
    """Resume the run waiting at ``answer-<duty id>``; one about to wait is given a moment."""
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
                resume_flow_run(UUID(run_id), run_input=answer.model_dump(mode="json"))
                return True
            if not state or not state.is_running():
                return False  # finished, or waiting for something else: the answer is stored
            time.sleep(0.5)
    return False


@flow(name="record-answer", flow_run_name="answer-{duty_ref}")
def record_answer(
    duty_ref: str,
    answer: str = "",
    outcome: str = "",
    hearing_date: str = "",
    hearing_place: str = "",
    notified_on: str = "",
) -> bool:
    """Store the answer on its duty and wake the run waiting for it."""
    given = AnswerInput(
        text=answer,
        outcome=Answer(outcome) if outcome else None,
        hearing_date=dt.date.fromisoformat(hearing_date) if hearing_date else None,
        hearing_place=hearing_place or None,
        notified_on=dt.date.fromisoformat(notified_on) if notified_on else None,
    )
    duty_id = int(duty_ref.removeprefix("prosecutor.duty."))
    stored = store_answer(duty_id, encode(given))
    if stored:
        wake_waiting_run(duty_id, given)
    return stored
