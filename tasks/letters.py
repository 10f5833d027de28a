"""The extension of an appeal's term (APPC art. 76)."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from models import audit, procedure_store
from models.calendar import WorkingCalendar, today
from models.db import transaction
from models.deadlines import TermUnit, due_date
from models.tables import Duty, Procedure
from models.terms import default_terms
from tasks.appeals import AppealCase


@task(name="extend-term", cache_policy=NO_CACHE)
def extended_due(case: AppealCase) -> dt.date:
    """The furthest the consideration may run: two months from receipt (APPC art. 76)."""
    return default_terms().latest_extended_due(
        "appeal.consideration", case.received_on, WorkingCalendar()
    )


@task(name="apply-extension", cache_policy=NO_CACHE)
def apply_extension(case: AppealCase, new_due: dt.date, reason: str, decided_by: str) -> None:
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        if proc.due_date == new_due:
            return
        proc.due_date = new_due
        duty = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "consider")
        )
        if duty is not None:
            duty.due_date = new_due
            duty.escalation_level = 0
        procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="extension-notice",
            title="Notify the applicant of the extension",
            assignee_id=duty.assignee_id if duty else None,
            due_date=due_date(today(), 3, TermUnit.WORKING_DAYS, WorkingCalendar()),
            term_id="appeal.extension_notice",
        )
        audit.append(
            session,
            actor=decided_by,
            action="appeal.extended",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={"due_date": new_due, "reason": reason},
        )
