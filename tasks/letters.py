"""Letters of appeal review: rendered for today's signatory, and the extension of the term."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from models import audit, document_store, procedure_store
from models.calendar import WorkingCalendar, today
from models.db import transaction
from models.deadlines import TermUnit, due_date
from models.rendering import Letterhead, render
from models.roster_store import read_roster
from models.tables import Duty, Office, Procedure
from models.terms import default_terms
from tasks.appeals import AppealCase


@task(name="draft-letter", cache_policy=NO_CACHE)
def draft_letter(
    case: AppealCase, kind: str, title: str, drafted_by: str | None, fields: dict[str, object]
) -> int:
    """Render a letter naming today's signatory, and store it once."""
    on = today()
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        office = session.get_one(Office, proc.office_code)
        signatory = read_roster(session).signatory_on(on)
        if signatory.staff is None:
            raise LookupError("nobody in the office may sign today: refer to the regional office")
        body = render(
            kind,
            case.language,
            letterhead=Letterhead(
                office.name_kk,
                office.name_ru,
                office.address,
                signatory.staff.name,
                signatory.staff.position,
                signatory.acting,
            ),
            registration_number=case.registration_number,
            date=on,
            applicant_name=case.applicant_name,
            applicant_address=case.applicant_address,
            subject=case.subject,
            received=f"{case.received_on:%d.%m.%Y}",
            **fields,
        )
        return document_store.draft_document(
            session,
            procedure_id=case.procedure_id,
            kind=kind,
            language=case.language,
            title=title,
            body=body,
            drafted_by=drafted_by,
            signatory_id=signatory.staff.id,
        ).id


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
