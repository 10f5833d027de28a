"""Steps of appeal review. Each is keyed by the procedure and step, so a resumed run that
replays them finds its work done and repeats no side effect; what they store is in
``models.appeals.review_store``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect.context import FlowRunContext

from models.appeals import Competence, default_register, inbox_store, review_store
from models.appeals.store import parsed
from models.db import transaction
from models.db.tables import AppealRow, Procedure
from models.procedures import ProcedureStatus
from models.timing.calendar import local_date, today
from models.vocabulary import COMPLAINT_RECEIVED, EVENT_PREFIX
from tasks.events import emit_registered
from tasks.step import step

# The resource of an appeal's announcement (APPEAL_RECEIVED): "prosecutor.appeal.<number>".
PREFIX = f"{EVENT_PREFIX}appeal."


@dataclass(frozen=True, slots=True)
class AppealCase:
    appeal_id: int
    procedure_id: int
    registration_number: str
    language: str
    anonymous: bool
    applicant_id: str | None
    applicant_name: str
    applicant_address: str | None
    subject: str
    topic: str | None
    received_on: dt.date
    due_date: dt.date
    claimed_elsewhere: str | None = None  # the run that reviews it, when not this one
    ground: int | None = None  # CL-155 art. 24(1) item, once known
    inspection_number: str | None = None  # an inspection answers it (24(4) ¶2)
    inspection_ended_on: dt.date | None = None


def appeal_number(ref: str) -> str:
    """The registration number from an event's resource id or the number itself."""
    return ref.removeprefix(PREFIX)


def _current_run() -> str | None:
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


@step
def register(number: str) -> AppealCase:
    """Take the registered appeal into review: one run per appeal, however it was started."""
    with transaction() as session:
        row, proc, elsewhere = review_store.take_into_review(session, number, _current_run())
        return _case(row, proc, elsewhere)


def _case(row: AppealRow, proc: Procedure, elsewhere: str | None) -> AppealCase:
    appeal = parsed(row)
    details = proc.details or {}
    ended = details.get("inspection_ended_on")
    return AppealCase(
        appeal_id=row.id,
        procedure_id=proc.id,
        registration_number=proc.registration_number,
        language=appeal.language.value,
        anonymous=appeal.anonymous,
        applicant_id=row.applicant_id,
        applicant_name=row.applicant_name or "",
        applicant_address=appeal.contact.address if appeal.contact else None,
        subject=appeal.subject,
        topic=appeal.topic,
        received_on=local_date(appeal.received_at),
        due_date=proc.due_date or today(),
        claimed_elsewhere=elsewhere,
        ground=details.get("ground"),
        inspection_number=details.get("inspection_number"),
        inspection_ended_on=dt.date.fromisoformat(ended) if ended else None,
    )


@step
def find_repeated(case: AppealCase) -> str | None:
    """The number of an earlier appeal of the same applicant with the same text that was
    answered: only then is the repeat ended (CL-155 art. 24(8)). A repeat of an appeal still
    unanswered is considered; the link is audited."""
    if case.applicant_id is None:
        return None
    with transaction() as session:
        return review_store.repeated_of(
            session, case.appeal_id, case.procedure_id, case.registration_number
        )


@step
def set_aside_anonymous(case: AppealCase) -> str | None:
    """Not considered (CL-155 art. 24(6)): its topic carries no information on a crime or a
    threat to security. The deputy of the area still reads it at once: such information under
    another topic is taken up (24(6)) or forwarded to the competent body (APPC art. 64(7-2))."""
    with transaction() as session:
        return review_store.set_aside_anonymous(
            session, case.appeal_id, case.procedure_id, case.registration_number, today()
        )


@step
def assign(case: AppealCase, area: str) -> str:
    """An assistant of the area, present today, with the fewest open duties."""
    with transaction() as session:
        return review_store.assign(
            session, case.procedure_id, case.registration_number, area, case.due_date, today()
        )


@step
def close(case: AppealCase, status: ProcedureStatus, outcome: str, actor: str) -> None:
    """The review ends: closed with an outcome, or redirected."""
    with transaction() as session:
        review_store.close(
            session, case.procedure_id, case.registration_number, status, outcome, actor
        )


@step
def open_redirect_duty(case: AppealCase) -> None:
    """Forward to the competent body within the term of APPC art. 65(1)."""
    with transaction() as session:
        review_store.open_redirect_duty(
            session, case.procedure_id, case.registration_number, case.received_on, today()
        )


@step
def status_of(case: AppealCase) -> ProcedureStatus:
    """Where the appeal's procedure stands now (closed, redirected, still in progress)."""
    with transaction() as session:
        return review_store.status_of(session, case.procedure_id)


def competence_of(case: AppealCase) -> Competence:
    return default_register().decide(case.topic)


def body_of(competence: Competence, language: str) -> dict[str, str]:
    assert competence.redirect_to is not None
    body = competence.redirect_to
    return {"id": body.id, "name": body.name(language)}


@step
def record_ground(case: AppealCase, ground: int, by: str) -> None:
    """The ground of CL-155 art. 24(1) the appeal is considered on (0: none, forwarded)."""
    with transaction() as session:
        review_store.record_ground(session, case.procedure_id, case.registration_number, ground, by)


@step
def open_classify_duty(case: AppealCase, assignee: str) -> None:
    """No ground is presumed (24(1) is a closed list): the assistant classifies the appeal in
    the time the office has to forward it (APPC art. 65(1))."""
    with transaction() as session:
        review_store.open_classify_duty(
            session, case.procedure_id, case.registration_number, assignee, case.received_on
        )


@step
def route_cpc_complaint(case: AppealCase, competence: Competence) -> str:
    """A complaint on an investigator's actions is no appeal (CL-155 art. 24(9)): it leaves the
    appeal review with a duty under its CPC term (art. 105(2)) for the prosecutor supervising
    the area, and is registered as a CPC complaint (its own procedure, reviewed by
    ``review-cpc-complaint`` on its announcement); the appeal is then closed, pointing at it.
    An anonymous one has nobody to tell of a decision (art. 105(4)): the duty stays open for the
    prosecutor to read it as information."""
    with transaction() as session:
        assignee, complaint = review_store.route_cpc_complaint(
            session,
            case.procedure_id,
            case.registration_number,
            competence,
            case.received_on,
            today(),
        )
    if complaint is not None and complaint.status == "registered":
        new = complaint.registration_number
        if new and emit_registered(COMPLAINT_RECEIVED, "cpc_complaint", [new]):
            with transaction() as session:
                inbox_store.mark_announced(session, [complaint.record_id])
    return assignee
