"""A criminal case under supervision in the database: the requests to extend its term recorded
once, the term moved by a signed decision, the watch closed when the investigation ends (CPC
arts. 192, 193). The rules are in ``models/procedures/criminal_cases.py``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db.tables import AuditEntry, Procedure
from models.procedures import ProcedureStatus
from models.procedures import store as procedure_store
from models.records import audit
from models.vocabulary import Step

EXTENSION_SOURCE = "CPC art. 192(4)"


def is_recorded(session: Session, entity_id: str) -> bool:
    """Something was audited under ``entity_id`` already (a request of a replayed run)."""
    return bool(session.scalar(select(func.count()).where(AuditEntry.entity_id == entity_id)))


def extend_term(
    session: Session, procedure_id: int, until: dt.date, document_id: int, signer: str
) -> dt.date:
    """The signed decision ``document_id`` moves the term: the case's due date and the term
    duty's (reminded and escalated afresh); applied once per decision."""
    proc = session.get_one(Procedure, procedure_id)
    details = dict(proc.details or {})
    extensions = list(details.get("extensions", []))
    if any(e["document_id"] == document_id for e in extensions):
        return until  # applied before this replay
    extensions.append(
        {
            "document_id": document_id,
            "from": proc.due_date.isoformat() if proc.due_date else None,
            "until": until.isoformat(),
            "signer": signer,
            "source": EXTENSION_SOURCE,
        }
    )
    details.update(extensions=extensions, term_due=until.isoformat())
    proc.details = details
    proc.due_date = until
    duty = procedure_store.duty_of(session, procedure_id, Step.INVESTIGATION_TERM)
    if duty is not None:
        duty.due_date = until
        duty.reminded_on = None  # a new term: reminded and escalated afresh
        duty.escalation_level = 0
    audit.append(
        session,
        actor=signer,
        action="criminal_case.term_extended",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"until": until, "document_id": document_id, "source": EXTENSION_SOURCE},
    )
    return until


def finish_investigation(
    session: Session, procedure_id: int, outcome: str, actor: str, next_flow: str
) -> bool:
    """The case was sent to the prosecutor (CPC art. 192(2)): its duties done, the watch closed
    and audited with where the case goes next. False when it was closed before (a replay)."""
    was_closed = session.get_one(Procedure, procedure_id).status is ProcedureStatus.CLOSED
    proc = procedure_store.close_procedure(session, procedure_id, actor)
    if was_closed:
        return False
    audit.append(
        session,
        actor=actor,
        action="criminal_case.investigation_finished",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"outcome": outcome[:500], "next": next_flow},
    )
    return True
