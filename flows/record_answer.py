"""An answer from outside arriving as an event: another body's answer to a request (ответ на
запрос), a body's report on a coordination item, a facility's confirmation of a release. The
duty is done and the answer audited; a procedure waiting only for answers closes with the last.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from models import audit, coordination, procedure_store
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
        duty.answer = answer[:10000]
        procedure_store.complete_duty(session, duty_id, "answer")
        audit.append(
            session,
            actor="answer",
            action="duty.answered",
            entity_kind="duty",
            entity_id=duty_id,
            payload={"answer": answer[:2000]},
        )
        coordination.close_item_if_reported(session, duty, "answer")
        procedure_store.close_when_answered(session, duty.procedure_id, "answer")
        return True


@flow(name="record-answer", flow_run_name="answer-{duty_ref}")
def record_answer(duty_ref: str, answer: str = "") -> bool:
    """Mark the request answered; the assistant sees it in the appeal's timeline."""
    return store_answer(int(duty_ref.removeprefix("prosecutor.duty.")), answer)
