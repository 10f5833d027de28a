"""What the desks show, read for the whole office at once: one query per kind of row (staff,
open duties, pending approvals, escalations, absences, acting orders, idle procedures), never
one per staff member or item, so an office with thousands of open duties is read in a few
statements."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from models.deadlines import TermUnit
from models.desk import (
    AbsenceLine,
    ActingLine,
    EscalationLine,
    OfficeDesks,
    StaffLine,
    WorkItem,
)
from models.procedures import OPEN_STATUSES
from models.tables import (
    AbsenceRow,
    ActingOrderRow,
    Approval,
    ApprovalStatus,
    Document,
    Duty,
    DutyStatus,
    Escalation,
    Procedure,
    StaffRow,
)
from models.terms import default_terms

# A signatory decides in working days (terms table row ``approval.decision``).
APPROVAL_UNIT = TermUnit.WORKING_DAYS

_OPEN_DUTY = Duty.status == DutyStatus.OPEN
_PENDING = Approval.status == ApprovalStatus.PENDING


def _units() -> dict[str, TermUnit | None]:
    return {t.id: t.unit for t in default_terms().terms}


def _staff(session: Session) -> dict[str, StaffLine]:
    rows = session.execute(
        select(StaffRow.id, StaffRow.name, StaffRow.position)
        .where(StaffRow.active.is_(True))
        .order_by(StaffRow.id)
    )
    return {r.id: StaffLine(r.id, r.name, r.position.value) for r in rows}


def _duties(session: Session) -> list[WorkItem]:
    units = _units()
    rows = session.execute(
        select(
            Duty.id,
            Duty.assignee_id,
            Procedure.registration_number,
            Procedure.kind,
            Duty.step,
            Procedure.title,
            Duty.due_date,
            Duty.due_at,
            Duty.term_id,
            Procedure.flow_run_id,
            Duty.body_id,
            Duty.escalation_level,
            Procedure.status,
        )
        .join(Procedure, Procedure.id == Duty.procedure_id)
        .where(_OPEN_DUTY)
    )
    return [
        WorkItem(
            subject="duty",
            id=r.id,
            assignee_id=r.assignee_id,
            registration_number=r.registration_number,
            procedure_kind=r.kind.value,
            step=r.step,
            title=r.title,
            due_date=r.due_date,
            due_at=r.due_at,
            unit=units.get(r.term_id) if r.term_id else None,
            flow_run_id=r.flow_run_id,
            body_id=r.body_id,
            escalation_level=r.escalation_level,
            procedure_status=r.status.value,
        )
        for r in rows
    ]


def _approvals(session: Session) -> list[WorkItem]:
    rows = session.execute(
        select(
            Approval.id,
            Approval.signatory_id,
            Procedure.registration_number,
            Procedure.kind,
            Approval.step,
            Document.title,
            Approval.due_date,
            Approval.due_at,
            # the run that waits for the decision; older rows name only the procedure's run
            func.coalesce(Approval.flow_run_id, Procedure.flow_run_id).label("run"),
            Approval.escalation_level,
            Procedure.status,
        )
        .join(Procedure, Procedure.id == Approval.procedure_id)
        .join(Document, Document.id == Approval.document_id)
        .where(_PENDING)
    )
    return [
        WorkItem(
            subject="approval",
            id=r.id,
            assignee_id=r.signatory_id,
            registration_number=r.registration_number,
            procedure_kind=r.kind.value,
            step=r.step,
            title=r.title,
            due_date=r.due_date,
            due_at=r.due_at,
            unit=APPROVAL_UNIT,
            flow_run_id=r.run,
            escalation_level=r.escalation_level,
            procedure_status=r.status.value,
        )
        for r in rows
    ]


def _escalations(session: Session) -> list[EscalationLine]:
    """Escalations of work still open (what is done no longer waits for anyone)."""
    lines: list[EscalationLine] = []
    for kind, model, open_clause in (
        ("duty", Duty, _OPEN_DUTY),
        ("approval", Approval, _PENDING),
    ):
        rows = session.execute(
            select(
                Escalation.subject_id,
                Procedure.registration_number,
                Procedure.kind,
                model.step,
                Escalation.level,
                Escalation.from_staff_id,
                Escalation.to_staff_id,
                Escalation.on_date,
            )
            .join(
                model,
                and_(Escalation.subject_kind == kind, Escalation.subject_id == model.id),
            )
            .join(Procedure, Procedure.id == model.procedure_id)
            .where(open_clause, Escalation.to_staff_id.is_not(None))
        )
        lines += [
            EscalationLine(
                kind,
                r.subject_id,
                r.registration_number,
                r.kind.value,
                r.step,
                r.level,
                r.from_staff_id,
                r.to_staff_id,
                r.on_date,
            )
            for r in rows
        ]
    return lines


def _idle_procedures(session: Session) -> list[WorkItem]:
    """Open procedures with no open duty and no pending approval: still open matters."""
    rows = session.execute(
        select(
            Procedure.id,
            Procedure.assignee_id,
            Procedure.registration_number,
            Procedure.kind,
            Procedure.title,
            Procedure.due_date,
            Procedure.flow_run_id,
            Procedure.status,
        ).where(
            Procedure.status.in_(OPEN_STATUSES),
            ~exists().where(Duty.procedure_id == Procedure.id, _OPEN_DUTY),
            ~exists().where(Approval.procedure_id == Procedure.id, _PENDING),
        )
    )
    return [
        WorkItem(
            subject="procedure",
            id=r.id,
            assignee_id=r.assignee_id,
            registration_number=r.registration_number,
            procedure_kind=r.kind.value,
            step="",
            title=r.title,
            due_date=r.due_date,
            flow_run_id=r.flow_run_id,
            procedure_status=r.status.value,
        )
        for r in rows
    ]


def load_desks(session: Session, on: dt.date, now: dt.datetime) -> OfficeDesks:
    """Everything the desks and the board show on ``on`` (at the moment ``now``)."""
    absences = [
        AbsenceLine(r.staff_id, r.kind.value, r.start_date, r.end_date)
        for r in session.scalars(
            select(AbsenceRow)
            .where(AbsenceRow.start_date <= on, AbsenceRow.end_date >= on)
            .order_by(AbsenceRow.staff_id, AbsenceRow.id)
        )
    ]
    acting = [
        ActingLine(r.acting_id, r.for_id, r.start_date, r.end_date, r.reference or "")
        for r in session.scalars(
            select(ActingOrderRow)
            .where(ActingOrderRow.start_date <= on, ActingOrderRow.end_date >= on)
            .order_by(ActingOrderRow.for_id, ActingOrderRow.id)
        )
    ]
    return OfficeDesks(
        on=on,
        now=now,
        staff=_staff(session),
        items=[*_duties(session), *_approvals(session)],
        escalations=_escalations(session),
        absences=absences,
        acting=acting,
        idle_procedures=_idle_procedures(session),
    )
