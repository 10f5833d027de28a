"""The due date of an appeal under review in the database: its extension (CL-155 art.
24(4)-(5)) and a consideration answered by an inspection (art. 24(4) ¶2). Every term comes from
the terms table; each change is audited once, so a replayed run changes nothing again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals.review_store import details_of, merge_details
from models.db.tables import Duty, Procedure
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.records import audit
from models.timing.calendar import WorkingCalendar
from models.timing.terms import default_terms
from models.vocabulary import Step, keyed

# Term rows this module counts (the office checks them at start-up).
EXTENSION_NOTICE_TERM = "appeal.extension_notice"  # the applicant told of a longer review
INSPECTION_TERM = "inspection.duration"  # an inspection ordered on the appeal
FINAL_AFTER_INSPECTION_TERM = "appeal.final_after_inspection"  # the final reply after it
TERMS = (EXTENSION_NOTICE_TERM, INSPECTION_TERM, FINAL_AFTER_INSPECTION_TERM)


def move_due(session: Session, procedure_id: int, new_due: dt.date) -> Duty | None:
    """The procedure and its consideration duty are due on ``new_due``; the duty's escalation
    starts over."""
    session.get_one(Procedure, procedure_id).due_date = new_due
    duty = procedure_store.duty_of(session, procedure_id, Step.CONSIDER)
    if duty is not None:
        duty.due_date = new_due
        duty.escalation_level = 0
    return duty


def extend(
    session: Session,
    procedure_id: int,
    number: str,
    *,
    new_due: dt.date,
    reason: str,
    decided_by: str,
    notify_on: dt.date | None,
) -> None:
    """The reasoned decision to extend takes effect (CL-155 art. 24(4)); with ``notify_on``
    a duty to tell the applicant within ``appeal.extension_notice`` of that day (24(5))."""
    if session.get_one(Procedure, procedure_id).due_date == new_due:
        return
    duty = move_due(session, procedure_id, new_due)
    if notify_on is not None:
        procedure_store.open_duty(
            session,
            procedure_id=procedure_id,
            step=keyed(Step.EXTENSION_NOTICE, f"{notify_on:%Y%m%d}"),
            title="Notify the applicant of the extension",
            assignee_id=duty.assignee_id if duty else None,
            due_date=default_terms().due(EXTENSION_NOTICE_TERM, notify_on, WorkingCalendar()),
            term_id=EXTENSION_NOTICE_TERM,
        )
    audit.append(
        session,
        actor=decided_by,
        action="appeal.extended",
        entity_kind="appeal",
        entity_id=number,
        payload={"due_date": new_due, "reason": reason, "rule": "CL-155 art. 24(4)"},
    )


def extension_notices_sent(session: Session, procedure_id: int, actor: str) -> None:
    """The signed notice of the extension went out: its duties (24(5)) are done."""
    procedure_store.complete_duties(
        session, procedure_id, actor, only=lambda step: step.startswith(f"{Step.EXTENSION_NOTICE}-")
    )


def _inspection_end(session: Session, number: str, on: dt.date) -> dt.date:
    """The registered inspection's due date when this office runs it; otherwise its longest
    term counted from ``on`` (CL-155 art. 18(4)): a provisional control date."""
    inspection = session.scalar(
        select(Procedure).where(
            Procedure.registration_number == number, Procedure.kind == ProcedureKind.INSPECTION
        )
    )
    if inspection is not None and inspection.due_date is not None:
        return inspection.due_date
    return default_terms().due(INSPECTION_TERM, on, WorkingCalendar())


def record_inspection(
    session: Session,
    procedure_id: int,
    appeal_number: str,
    inspection_number: str,
    *,
    current_due: dt.date,
    by: str,
    on: dt.date,
) -> dt.date:
    """An inspection answers the appeal (24(4) ¶2): the term follows the inspection's, the
    control date ``appeal.final_after_inspection`` after its expected end until the end is
    reported (never earlier than ``current_due``). Returns the due date in effect."""
    proc = session.get_one(Procedure, procedure_id)
    if (proc.details or {}).get("inspection_number") == inspection_number:
        return proc.due_date or current_due
    end = _inspection_end(session, inspection_number, on)
    new_due = default_terms().due(FINAL_AFTER_INSPECTION_TERM, end, WorkingCalendar())
    merge_details(session, procedure_id, inspection_number=inspection_number)
    move_due(session, procedure_id, max(new_due, current_due))
    audit.append(
        session,
        actor=by,
        action="appeal.inspection_ordered",
        entity_kind="appeal",
        entity_id=appeal_number,
        payload={
            "inspection": inspection_number,
            "due_date": new_due,
            "rule": "CL-155 art. 24(4)",
        },
    )
    return max(new_due, current_due)


def inspection_ended(
    session: Session, procedure_id: int, number: str, ended_on: dt.date, by: str
) -> dt.date:
    """The final reply is due ``appeal.final_after_inspection`` after the inspection's end
    (24(4) ¶2). Returns that day."""
    new_due = default_terms().due(FINAL_AFTER_INSPECTION_TERM, ended_on, WorkingCalendar())
    if details_of(session, procedure_id).get("inspection_ended_on") == ended_on.isoformat():
        return new_due
    merge_details(session, procedure_id, inspection_ended_on=ended_on.isoformat())
    move_due(session, procedure_id, new_due)
    audit.append(
        session,
        actor=by,
        action="appeal.inspection_ended",
        entity_kind="appeal",
        entity_id=number,
        payload={"ended_on": ended_on, "due_date": new_due, "rule": "CL-155 art. 24(4)"},
    )
    return new_due
