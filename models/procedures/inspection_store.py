"""Inspections of compliance with the law in the database (CL-155 arts. 18, 19, 26(3)): the
procedure and its record (``InspectionRecord`` in ``Procedure.details``, read by ``load`` and
written by ``save`` only), the duties of its steps and its audit trail. Each function takes the
caller's Session and the day it acts on (the flow's clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.inspections import (
    Acknowledgement,
    Inspection,
    InspectionRecord,
    Suspension,
    extended_due,
    extension_days,
    remaining_working_days,
    resumed_due,
)
from models.records import audit
from models.timing.calendar import WorkingCalendar
from models.vocabulary import Step

# Term rows this module counts (the office checks them at start-up).
DURATION_TERM = "inspection.duration"  # срок проверки
TERMS = (DURATION_TERM,)


def load(proc: Procedure) -> InspectionRecord:
    """The inspection's record as stored in its procedure."""
    return InspectionRecord.model_validate(proc.details or {})


def save(proc: Procedure, record: InspectionRecord) -> None:
    """Store the record in its procedure (the whole record: no key is mutated elsewhere)."""
    proc.details = record.model_dump(mode="json")


def inspection_of(proc: Procedure) -> Inspection:
    record = load(proc)
    return Inspection(
        proc.id,
        proc.registration_number,
        record.subject,
        record.inspectors,
        record.secret,
        record.started,
        proc.due_date if record.started else None,
    )


def record_event(
    session: Session, registration_number: str, actor: str, what: str, **payload: Any
) -> None:
    """One audit entry of the inspection (``inspection.<what>``)."""
    audit.append(
        session,
        actor=actor,
        action=f"inspection.{what}",
        entity_kind="procedure",
        entity_id=registration_number,
        payload=payload,
    )


def register(
    session: Session, record: InspectionRecord, *, on: dt.date, flow_run_id: str | None
) -> Inspection:
    """The procedure with its ground recorded (CL-155 art. 18(1)-(2)); an inspection of the same
    subject still open is found again (a replayed run). Every inspector is on the roster."""
    lead = record.inspectors[0]
    title = f"Inspection: {record.subject}"[:300]
    roster = read_roster(session)
    for staff_id in record.inspectors:
        roster.member(staff_id)
    proc = session.scalar(
        select(Procedure).where(
            Procedure.kind == ProcedureKind.INSPECTION,
            Procedure.title == title,
            Procedure.status != ProcedureStatus.CLOSED,
        )
    )
    if proc is None:
        proc = procedure_store.register_procedure(
            session,
            office_code=office_code(session),
            kind=ProcedureKind.INSPECTION,
            title=title,
            year=on.year,
            assignee_id=lead,
            actor=lead,
        )
        proc.flow_run_id = flow_run_id
        save(proc, record)
        procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, lead)
    return inspection_of(proc)


def start(
    session: Session, inspection: Inspection, registration: str, on: dt.date, due: dt.date
) -> Inspection:
    """Registered: the inspection starts ``on`` and runs to ``due`` (CL-155 art. 18(4)), its
    work a duty of the lead inspector; a started one is left as it is."""
    proc = session.get_one(Procedure, inspection.procedure_id)
    record = load(proc)
    if record.started is None:
        lead = inspection.inspectors[0]
        proc.due_date = due
        save(proc, record.model_copy(update={"started": on, "registration": registration}))
        procedure_store.open_duty(
            session,
            procedure_id=proc.id,
            step=Step.INSPECT,
            title=f"Inspect {inspection.subject}"[:300],
            assignee_id=lead,
            due_date=due,
            term_id=DURATION_TERM,
            actor=lead,
        )
        record_event(
            session,
            proc.registration_number,
            lead,
            "started",
            registration=registration,
            due_date=due,
        )
    return inspection_of(proc)


def record_progress(
    session: Session,
    inspection: Inspection,
    *,
    actor: str,
    specialists: list[str],
    suspension: Suspension | None,
    resumed: bool,
    on: dt.date,
    calendar: WorkingCalendar,
) -> Inspection:
    """Specialists involved, and a suspension (the clock stops) or the resumption (it runs on
    with the days left), CL-155 art. 18(4)."""
    proc = session.get_one(Procedure, inspection.procedure_id)
    record = load(proc)
    if specialists:
        joined = tuple(sorted({*record.specialists, *specialists}))
        record = record.model_copy(update={"specialists": joined})
    if suspension and record.suspended_on is None:
        record = _suspend(session, proc, record, suspension, actor, on, calendar)
    elif resumed and record.suspended_on is not None:
        record = _resume(session, proc, record, actor, on, calendar)
    save(proc, record)
    return inspection_of(proc)


def _suspend(
    session: Session,
    proc: Procedure,
    record: InspectionRecord,
    reason: Suspension,
    actor: str,
    on: dt.date,
    calendar: WorkingCalendar,
) -> InspectionRecord:
    """The clock stops: the working days left are kept, the duty has no due date meanwhile."""
    assert proc.due_date is not None
    remaining = remaining_working_days(on, proc.due_date, calendar)
    procedure_store.set_status(session, proc.id, ProcedureStatus.SUSPENDED, actor)
    _set_inspect_due(session, proc.id, None)
    record_event(
        session,
        proc.registration_number,
        actor,
        "suspended",
        reason=reason.value,
        remaining=remaining,
    )
    return record.model_copy(
        update={"suspended_on": on, "suspension": reason, "remaining_working_days": remaining}
    )


def _resume(
    session: Session,
    proc: Procedure,
    record: InspectionRecord,
    actor: str,
    on: dt.date,
    calendar: WorkingCalendar,
) -> InspectionRecord:
    """The count continues from the resumption with the days left (CL-155 art. 18(4))."""
    remaining = record.remaining_working_days or 0
    proc.due_date = resumed_due(on, remaining, calendar)
    procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, actor)
    _set_inspect_due(session, proc.id, proc.due_date)
    record_event(
        session,
        proc.registration_number,
        actor,
        "resumed",
        remaining=remaining,
        due_date=proc.due_date,
    )
    return record.model_copy(
        update={"suspended_on": None, "suspension": None, "remaining_working_days": None}
    )


def _set_inspect_due(session: Session, procedure_id: int, due: dt.date | None) -> None:
    duty = procedure_store.duty_of(session, procedure_id, Step.INSPECT)
    if duty is not None:
        duty.due_date = due


def extension_state(session: Session, procedure_id: int) -> tuple[int, bool]:
    """Working days already added by extensions, and whether the inspection is suspended."""
    record = load(session.get_one(Procedure, procedure_id))
    return record.extended_days, record.suspended_on is not None


def extend(session: Session, procedure_id: int, number: int, days: int, basis: str) -> dt.date:
    """The ``number``-th extension by ``days`` working days from the current end (18(4)),
    applied once; the limit in all is checked again as it is applied."""
    proc = session.get_one(Procedure, procedure_id)
    record = load(proc)
    assert proc.due_date is not None
    if str(number) not in record.extensions:
        extension_days(days, record.extended_days)
        proc.due_date = extended_due(proc.due_date, days, WorkingCalendar())
        save(
            proc,
            record.model_copy(
                update={
                    "extensions": {**record.extensions, str(number): basis},
                    "extended_days": record.extended_days + days,
                }
            ),
        )
        _set_inspect_due(session, proc.id, proc.due_date)
        record_event(
            session,
            proc.registration_number,
            "consent",
            "extended",
            days=days,
            basis=basis,
            due=proc.due_date,
        )
    return proc.due_date


def term_end(session: Session, procedure_id: int) -> dt.date | None:
    """The last day of the inspection's term as it stands (None before the start or while
    suspended)."""
    return session.get_one(Procedure, procedure_id).due_date


@dataclass(frozen=True, slots=True)
class Receipt:
    """The subject's receipt of the справка, or refusal, as an inspector recorded it on the
    duty ``duty_id`` (CL-155 art. 19(2)(3))."""

    acknowledgement: Acknowledgement
    inspector: str
    note: str
    duty_id: int | None


def finish(
    session: Session,
    inspection: Inspection,
    *,
    response: str,
    decided_by: str,
    on: dt.date,
    receipt: Receipt | None = None,
) -> None:
    """The closing step: the subject's acknowledgement of the справка (none when the order was
    never signed) and the act decided on; the work duty and the receipt's duty done, the
    procedure closed, each audited."""
    proc = session.get_one(Procedure, inspection.procedure_id)
    record = load(proc).model_copy(update={"finished": on, "response": response})
    if receipt is not None:
        record = record.model_copy(update={"certificate": receipt.acknowledgement})
        record_event(
            session,
            proc.registration_number,
            receipt.inspector,
            "certificate_acknowledged",
            acknowledgement=receipt.acknowledgement.value,
            note=receipt.note,
        )
    save(proc, record)
    inspect = procedure_store.duty_of(session, proc.id, Step.INSPECT)
    for duty_id in (inspect.id if inspect else None, receipt.duty_id if receipt else None):
        if duty_id is not None:
            procedure_store.complete_duty(session, duty_id, decided_by)
    if proc.status is not ProcedureStatus.CLOSED:
        procedure_store.set_status(session, proc.id, ProcedureStatus.CLOSED, decided_by)
    record_event(
        session, proc.registration_number, decided_by, "response_decided", response=response
    )
