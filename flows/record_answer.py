"""An answer from another body to a prosecutor's request (ответ на запрос), arriving as the
event ``prosecutor.information.answered``: the request's duty is done, the answer audited."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from models import audit, procedure_store
from models.db import transaction
from models.tables import Duty, DutyStatus


@task(name="record-answer", cache_policy=NO_CACHE)
def store_answer(duty_id: int, answer: str) -> bool:
    with transaction() as session:
        duty = session.get(Duty, duty_id)
        if duty is None:
            raise LookupError(f"no duty {duty_id}")
        if duty.status is DutyStatus.DONE:
            return False
        procedure_store.complete_duty(session, duty_id, "answer")
        audit.append(
            session,
            actor="answer",
            action="duty.answered",
            entity_kind="duty",
            entity_id=duty_id,
            payload={"answer": answer[:2000]},
        )
        return True


@flow(name="record-answer", flow_run_name="answer-{duty_ref}")
def record_answer(duty_ref: str, answer: str = "") -> bool:
    """Mark the request answered; the assistant sees it in the appeal's timeline."""
    return store_answer(int(duty_ref.removeprefix("prosecutor.duty.")), answer)
