"""Answers from outside in the database (ответ на запрос, a body's report, a facility's
confirmation): stored on their duty before they are announced, then recorded once, which
closes the duty and, for a procedure waiting only for answers, the procedure with the last.

The answer's text stays here: only its SHA-256 leaves the office's database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from models.db.tables import Duty, DutyStatus, Procedure
from models.procedures import coordination
from models.procedures import store as procedure_store
from models.records import audit

ACTOR = "answer"


def _duty(session: Session, duty_id: int) -> Duty:
    duty = session.get(Duty, duty_id)
    if duty is None:
        raise LookupError(f"no duty {duty_id}")
    return duty


def keep_answer(session: Session, duty_id: int, stored: str, digest: str) -> None:
    """Store ``stored`` on its open duty (a later answer to the same open duty replaces it).
    LookupError for an unknown duty, ValueError for one no longer open."""
    duty = _duty(session, duty_id)
    if duty.status is not DutyStatus.OPEN:
        raise ValueError(f"duty {duty_id} is already {duty.status.value}")
    duty.answer = stored
    audit.append(
        session,
        actor=ACTOR,
        action="duty.answer_received",
        entity_kind="duty",
        entity_id=duty_id,
        payload={"sha256": digest},
    )


def is_answered(session: Session, duty_id: int) -> bool:
    """The duty is done: its answer was recorded (or it needs none any more)."""
    return session.get_one(Duty, duty_id).status is DutyStatus.DONE


def recorded_answer(session: Session, duty_id: int) -> str | None:
    """The stored answer of a duty it closed, or None while the duty waits."""
    duty = session.get_one(Duty, duty_id)
    if duty.status is DutyStatus.DONE and duty.answer is not None:
        return duty.answer
    return None


def answer_to_record(session: Session, duty_id: int) -> str | None:
    """The stored answer of an open duty, None when the duty was answered before. LookupError
    when there is no such duty or nothing is stored on it."""
    duty = _duty(session, duty_id)
    if duty.status is DutyStatus.DONE:
        return None
    if duty.answer is None:
        raise LookupError(f"no answer stored for duty {duty_id}")
    return duty.answer


def record_answered(
    session: Session,
    duty_id: int,
    *,
    digest: str,
    outcome: str | None,
    hearing_date: dt.date | None,
) -> None:
    """The duty is done with its stored answer (audited with its SHA-256, never its text: the
    payload is shown on the procedure's page); a coordination item reported is closed, and a
    procedure waiting only for answers closes with the last."""
    procedure_store.complete_duty(session, duty_id, ACTOR)
    audit.append(
        session,
        actor=ACTOR,
        action="duty.answered",
        entity_kind="duty",
        entity_id=duty_id,
        payload={
            "sha256": digest,
            "outcome": outcome,
            "hearing_date": hearing_date.isoformat() if hearing_date else None,
        },
    )
    duty = session.get_one(Duty, duty_id)
    coordination.close_item_if_reported(session, duty, ACTOR)
    procedure_store.close_when_answered(session, duty.procedure_id, ACTOR)


def waiting_run(session: Session, duty_id: int) -> str | None:
    """The flow run of the duty's procedure: the one that may wait for its answer."""
    duty = session.get_one(Duty, duty_id)
    return session.get_one(Procedure, duty.procedure_id).flow_run_id
