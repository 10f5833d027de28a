"""Changes of an appeal's due date: the extension (CL-155 art. 24(4)-(5)) and the consideration
answered by an inspection (art. 24(4) ¶2)."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import check_extension
from models.db import transaction
from models.db.tables import Duty, DutyStatus, Procedure
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms
from tasks.appeals import AppealCase


def latest_due(case: AppealCase) -> dt.date:
    """The furthest the consideration may run: two months from receipt (CL-155 art. 24(4))."""
    return default_terms().latest_extended_due(
        "appeal.consideration", case.received_on, WorkingCalendar()
    )


def extension_problem(case: AppealCase, requested: dt.date | None) -> str | None:
    """None when ``requested`` is a term the head or a deputy may choose, else why not."""
    if requested is None:
        return "an extension names the new due date: a reasonable term, CL-155 art. 24(4)"
    if requested == case.due_date:
        return None  # already in effect: a resumed run replaying its accepted report
    try:
        check_extension(requested, case.due_date, latest_due(case), today())
    except ValueError as exc:
        return str(exc)
    return None


def _move_due(session: Session, case: AppealCase, new_due: dt.date) -> Duty | None:
    proc = session.get_one(Procedure, case.procedure_id)
    proc.due_date = new_due
    duty = session.scalar(
        select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "consider")
    )
    if duty is not None:
        duty.due_date = new_due
        duty.escalation_level = 0
    return duty


@task(name="apply-extension", cache_policy=NO_CACHE)
def apply_extension(case: AppealCase, new_due: dt.date, reason: str, decided_by: str) -> None:
    """The reasoned decision takes effect; the applicant is told within 3 working days (24(5))."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        if proc.due_date == new_due:
            return
        duty = _move_due(session, case, new_due)
        on = today()
        if not case.anonymous:  # an anonymous applicant cannot be told
            _open_notice_duty(session, case, duty, on)
        audit.append(
            session,
            actor=decided_by,
            action="appeal.extended",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={"due_date": new_due, "reason": reason, "rule": "CL-155 art. 24(4)"},
        )


def _open_notice_duty(session: Session, case: AppealCase, duty: Duty | None, on: dt.date) -> None:
    procedure_store.open_duty(
        session,
        procedure_id=case.procedure_id,
        step=f"extension-notice-{on:%Y%m%d}",
        title="Notify the applicant of the extension",
        assignee_id=duty.assignee_id if duty else None,
        due_date=default_terms().due("appeal.extension_notice", on, WorkingCalendar()),
        term_id="appeal.extension_notice",
    )


def _inspection_end(session: Session, number: str) -> dt.date:
    """The registered inspection's due date when this office runs it; otherwise its longest
    term counted from today (CL-155 art. 18(4)): a provisional control date."""
    inspection = session.scalar(
        select(Procedure).where(
            Procedure.registration_number == number, Procedure.kind == ProcedureKind.INSPECTION
        )
    )
    if inspection is not None and inspection.due_date is not None:
        return inspection.due_date
    return default_terms().due("inspection.duration", today(), WorkingCalendar())


@task(name="record-inspection", cache_policy=NO_CACHE)
def record_inspection(case: AppealCase, number: str, by: str) -> dt.date:
    """An inspection answers the appeal (24(4) ¶2): the term follows the inspection's, so the
    control date becomes 10 working days after its expected end until the end is reported."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        if (proc.details or {}).get("inspection_number") == number:
            return proc.due_date or case.due_date
        end = _inspection_end(session, number)
        new_due = default_terms().due("appeal.final_after_inspection", end, WorkingCalendar())
        proc.details = {**(proc.details or {}), "inspection_number": number}
        _move_due(session, case, max(new_due, case.due_date))
        audit.append(
            session,
            actor=by,
            action="appeal.inspection_ordered",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={"inspection": number, "due_date": new_due, "rule": "CL-155 art. 24(4)"},
        )
        return max(new_due, case.due_date)


@task(name="inspection-ended", cache_policy=NO_CACHE)
def inspection_ended(case: AppealCase, ended_on: dt.date, by: str) -> dt.date:
    """The final reply is due within 10 working days after the inspection ends (24(4) ¶2)."""
    new_due = default_terms().due("appeal.final_after_inspection", ended_on, WorkingCalendar())
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        if (proc.details or {}).get("inspection_ended_on") == ended_on.isoformat():
            return new_due
        proc.details = {**(proc.details or {}), "inspection_ended_on": ended_on.isoformat()}
        _move_due(session, case, new_due)
        audit.append(
            session,
            actor=by,
            action="appeal.inspection_ended",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={"ended_on": ended_on, "due_date": new_due, "rule": "CL-155 art. 24(4)"},
        )
    return new_due


@task(name="extension-notice-sent", cache_policy=NO_CACHE)
def extension_notice_sent(case: AppealCase, actor: str) -> None:
    """The signed notice went out: its 3-working-day duty (24(5)) is done."""
    with transaction() as session:
        for duty in session.scalars(
            select(Duty).where(
                Duty.procedure_id == case.procedure_id,
                Duty.step.like("extension-notice-%"),
                Duty.status == DutyStatus.OPEN,
            )
        ):
            procedure_store.complete_duty(session, duty.id, actor)
