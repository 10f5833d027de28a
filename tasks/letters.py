"""Changes of an appeal's due date: the extension (CL-155 art. 24(4)-(5)) and the consideration
answered by an inspection (art. 24(4) ¶2); what they store is in ``models.appeals.due_store``."""

from __future__ import annotations

import datetime as dt

from models.appeals import check_extension, due_store
from models.db import transaction
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms
from tasks.appeals import AppealCase
from tasks.step import step

# Term rows this module counts (the office checks them at start-up).
CONSIDERATION_TERM = "appeal.consideration"  # the reply to an appeal
TERMS = (CONSIDERATION_TERM,)


def latest_due(case: AppealCase) -> dt.date:
    """The furthest the consideration may run: two months from receipt (CL-155 art. 24(4))."""
    return default_terms().latest_extended_due(
        CONSIDERATION_TERM, case.received_on, WorkingCalendar()
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


@step
def apply_extension(case: AppealCase, new_due: dt.date, reason: str, decided_by: str) -> None:
    """The reasoned decision takes effect; the applicant is told within the term of 24(5)
    (an anonymous applicant cannot be told)."""
    with transaction() as session:
        due_store.extend(
            session,
            case.procedure_id,
            case.registration_number,
            new_due=new_due,
            reason=reason,
            decided_by=decided_by,
            notify_on=None if case.anonymous else today(),
        )


@step
def record_inspection(case: AppealCase, number: str, by: str) -> dt.date:
    """An inspection answers the appeal (24(4) ¶2): the term follows the inspection's, so the
    control date follows its expected end until the end is reported."""
    with transaction() as session:
        return due_store.record_inspection(
            session,
            case.procedure_id,
            case.registration_number,
            number,
            current_due=case.due_date,
            by=by,
            on=today(),
        )


@step
def inspection_ended(case: AppealCase, ended_on: dt.date, by: str) -> dt.date:
    """The final reply is due within the term of 24(4) ¶2 after the inspection ends."""
    with transaction() as session:
        return due_store.inspection_ended(
            session, case.procedure_id, case.registration_number, ended_on, by
        )


@step
def extension_notice_sent(case: AppealCase, actor: str) -> None:
    """The signed notice went out: its duty (24(5)) is done."""
    with transaction() as session:
        due_store.extension_notices_sent(session, case.procedure_id, actor)
