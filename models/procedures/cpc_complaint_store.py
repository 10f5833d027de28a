"""A CPC complaint's review in the database (CPC art. 105): taken into review, given to a
prosecutor, its term extended, closed with the outcome. Each step is idempotent: a resumed run
that replays it changes nothing the first time did."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from models.db.tables import Procedure
from models.office.roster_store import read_roster
from models.procedures import ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.cpc_complaints import (
    TERM_EXTENDED,
    ExtensionGround,
    Outcome,
    choose_prosecutor,
    complaint_of,
)
from models.records import audit
from models.timing.calendar import today
from models.vocabulary import Step


def take_into_review(session: Session, number: str, run_id: str | None, actor: str) -> Procedure:
    """The complaint's procedure, in progress, with the run reviewing it recorded once."""
    _, proc = complaint_of(session, number)
    if proc.flow_run_id is None:
        proc.flow_run_id = run_id
    if proc.status is ProcedureStatus.REGISTERED:
        procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, actor)
    return proc


def assign_prosecutor(
    session: Session,
    proc: Procedure,
    due_date: dt.date,
    term_id: str,
    actor: str,
) -> str:
    """Who considers the complaint: the assignee of its duty when it has one, else a prosecutor
    of the criminal area present today, the least loaded, given the duty (CPC art. 105(2))."""
    duty = procedure_store.duty_of(session, proc.id, Step.CONSIDER)
    if duty is not None:
        return duty.assignee_id or ""
    loads = procedure_store.open_duty_loads(session)
    staff, why = choose_prosecutor(read_roster(session), today(), loads)
    proc.assignee_id = staff.id
    procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step=Step.CONSIDER,
        title=f"Consider CPC complaint {proc.registration_number} (CPC art. 105(2))",
        assignee_id=staff.id,
        due_date=due_date,
        term_id=term_id,
        actor=actor,
    )
    audit.append(
        session,
        actor=actor,
        action="cpc_complaint.assigned",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"assignee": staff.id, "why": why, "term": term_id},
    )
    return staff.id


def extend_term(
    session: Session,
    procedure_id: int,
    new_due: dt.date,
    ground: ExtensionGround,
    notice_id: int,
    decided_by: str,
) -> Procedure:
    """The complaint considered within up to 15 сутки (CPC art. 105(2)), its complainant told
    by the signed notice ``notice_id``: the procedure's and the duty's due dates move, and the
    duty's escalation starts again. Once: a second call changes nothing."""
    proc = session.get_one(Procedure, procedure_id)
    details = dict(proc.details or {})
    if "extended_to" in details:
        return proc
    details.update(extended_to=new_due.isoformat(), extension_ground=ground.value, notice=notice_id)
    proc.details = details
    proc.due_date = new_due
    duty = procedure_store.duty_of(session, procedure_id, Step.CONSIDER)
    if duty is not None:
        duty.due_date, duty.term_id, duty.escalation_level = new_due, TERM_EXTENDED, 0
        duty.reminded_on = None
    audit.append(
        session,
        actor=decided_by,
        action="cpc_complaint.extended",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={
            "due_date": new_due.isoformat(),
            "ground": ground.value,
            "notice_document": notice_id,
            "rule": "CPC art. 105(2)",
        },
    )
    return proc


def record_refusal(session: Session, number: str, actor: str, problem: str) -> None:
    """A conclusion not accepted, and why (the audit trail keeps every attempt)."""
    audit.append(
        session,
        actor=actor,
        action="cpc_complaint.conclusion_refused",
        entity_kind="procedure",
        entity_id=number,
        payload={"why": problem},
    )


def close_decided(
    session: Session, procedure_id: int, outcome: Outcome, document_id: int, actor: str
) -> None:
    """The decision is sent: the duties done, the outcome recorded and the procedure closed
    (CPC art. 105(3)-(4)); a closed one is left as it is."""
    procedure_store.complete_duties(session, procedure_id, actor)
    proc = session.get_one(Procedure, procedure_id)
    if proc.status is ProcedureStatus.CLOSED:
        return
    procedure_store.close_procedure(
        session, procedure_id, actor, details={"outcome": outcome.value}
    )
    audit.append(
        session,
        actor=actor,
        action="cpc_complaint.decided",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"outcome": outcome.value, "document": document_id, "rule": "CPC art. 105(3)-(4)"},
    )
