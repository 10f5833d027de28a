"""Acts of the prosecutor's office in the database (CL-155 art. 32): the act's procedure, the
addressee's term, the hearing notice, the suspension of a protested act, the refusal escalated
to the head, the closing. Each function takes the caller's Session; idempotent where a flow may
replay (an act is found again by its title, a duty by its step)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.sql import insert_ignoring_duplicates
from models.db.tables import Document, Escalation, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.acts import ActSpec
from models.records import audit
from models.sweeps import notifications


def _audit(session: Session, number: str, actor: str, what: str, **payload: Any) -> None:
    audit.append(
        session,
        actor=actor,
        action=f"act.{what}",
        entity_kind="procedure",
        entity_id=number,
        payload=payload,
    )


def register_act(
    session: Session,
    entry: ActSpec,
    reference: str,
    responsible: str | None,
    details: dict[str, Any],
    on: dt.date,
    flow_run_id: str | None,
) -> Procedure:
    """The act's procedure, registered once per (act, reference): a replayed or re-triggered
    run finds it. Without a responsible person it is the head's (the signatory of the day)."""
    title = f"{entry.name_ru}: {reference}"[:300]
    proc = session.scalar(
        select(Procedure).where(Procedure.kind == entry.procedure, Procedure.title == title)
    )
    if proc is not None:
        return proc
    signatory = read_roster(session).signatory_on(on).staff
    who = responsible or (signatory.id if signatory else None)
    proc = procedure_store.register_procedure(
        session,
        office_code=office_code(session),
        kind=entry.procedure,
        title=title,
        year=on.year,
        assignee_id=who,
        actor=who or "system",
    )
    proc.flow_run_id = flow_run_id
    proc.details = {"act": entry.act.value, **details}
    procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, who or "system")
    return proc


def await_addressee(
    session: Session,
    procedure_id: int,
    *,
    step: str,
    title: str,
    assignee_id: str | None,
    due: dt.date,
    term_id: str | None,
) -> int:
    """The duty watching the addressee's term; the procedure is due with it and awaits the
    answer."""
    actor = assignee_id or "system"
    duty = procedure_store.open_duty(
        session,
        procedure_id=procedure_id,
        step=step,
        title=title,
        assignee_id=assignee_id,
        due_date=due,
        term_id=term_id,
        actor=actor,
    )
    proc = session.get_one(Procedure, procedure_id)
    proc.due_date = duty.due_date
    if proc.status is not ProcedureStatus.AWAITING_ANSWER:
        procedure_store.set_status(session, procedure_id, ProcedureStatus.AWAITING_ANSWER, actor)
    return duty.id


def record_hearing_notice(
    session: Session,
    procedure_id: int,
    *,
    hearing: dt.date,
    place: str | None,
    notified: dt.date,
    late: bool,
) -> dt.date | None:
    """The hearing's day and place in the act's record (audited); returns the procedure's due
    date as it stands."""
    proc = session.get_one(Procedure, procedure_id)
    proc.details = {
        **(proc.details or {}),
        "hearing": {"date": hearing.isoformat(), "place": place, "notice_late": late},
    }
    _audit(
        session,
        proc.registration_number,
        "answer",
        "hearing_notified",
        hearing=hearing,
        place=place,
        notified=notified,
        late=late,
    )
    return proc.due_date


def record_suspension(session: Session, procedure_id: int, suspended_by: str) -> None:
    """The protested act suspended until the protest is decided (CL-155 art. 33(5)), once."""
    proc = session.get_one(Procedure, procedure_id)
    if (proc.details or {}).get("contested_act_suspended"):
        return
    proc.details = {**(proc.details or {}), "contested_act_suspended": True}
    _audit(
        session,
        proc.registration_number,
        suspended_by,
        "contested_act_suspended",
        source="CL-155 art. 33(5)",
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """An addressee's refusal or silence on the duty that watched its term."""

    procedure_id: int
    duty_id: int
    outcome: str
    responsible: str | None


def escalate_refusal(session: Session, refusal: Refusal, on: dt.date) -> str | None:
    """The refusal goes to the head (or the person replacing the head) at once: one escalation
    and one notification however often the run replays. Returns whom it went to."""
    proc = session.get_one(Procedure, refusal.procedure_id)
    head = read_roster(session).signatory_on(on).staff
    target = head.id if head else None
    reason = f"the addressee's answer to {proc.registration_number}: {refusal.outcome}"
    session.execute(
        insert_ignoring_duplicates(session, Escalation)
        .values(
            subject_kind="duty",
            subject_id=refusal.duty_id,
            level=1,
            from_staff_id=refusal.responsible,
            to_staff_id=target,
            reason=reason,
            on_date=on,
        )
        .on_conflict_do_nothing(index_elements=["subject_kind", "subject_id", "level"])
    )
    notifications.notify(
        session,
        key=f"act-refused-{refusal.duty_id}",
        recipient=target,
        kind="escalation",
        subject_kind="duty",
        subject_id=refusal.duty_id,
        on=on,
        message=reason,
    )
    _audit(
        session,
        proc.registration_number,
        refusal.responsible or "system",
        "escalated",
        outcome=refusal.outcome,
        to=target,
    )
    return target


def close_act(
    session: Session,
    procedure_id: int,
    outcome: str,
    decided_by: str,
    keep_open: frozenset[str] = frozenset(),
) -> None:
    """The procedure closed with its outcome; the duties of ``keep_open`` stay open."""
    proc = procedure_store.close_procedure(
        session, procedure_id, decided_by, details={"outcome": outcome}, keep_open=keep_open
    )
    _audit(session, proc.registration_number, decided_by, "closed", outcome=outcome)


def issued_on(session: Session, document_id: int, fallback: dt.date) -> tuple[str | None, dt.date]:
    """The issued act's outgoing number (None until it has one) and date: the outgoing date,
    else the day it was dispatched, else ``fallback``."""
    doc = session.get_one(Document, document_id)
    number = getattr(doc, "outgoing_number", None)
    issued = getattr(doc, "outgoing_date", None) or (
        doc.dispatched_at.date() if doc.dispatched_at else fallback
    )
    return number, issued
