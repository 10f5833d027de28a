"""Steps of appeal review. Each is keyed by the procedure and step, so a resumed run that
replays them finds its work done and repeats no side effect."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import (
    Competence,
    choose_assignee,
    default_register,
    inbox_store,
    repeat_is_ended,
)
from models.appeals.inbox_store import InboxResult
from models.appeals.store import by_number, parsed
from models.db import transaction
from models.db.tables import (
    AppealRow,
    Document,
    Duty,
    DutyStatus,
    Notification,
    Procedure,
)
from models.office.roster_store import read_roster
from models.procedures import ProcedureStatus, cpc_complaints
from models.procedures import store as procedure_store
from models.records import audit
from models.timing.calendar import WorkingCalendar, local_date, today
from models.timing.terms import default_terms
from models.vocabulary import COMPLAINT_RECEIVED
from tasks.events import emit_registered

PREFIX = "prosecutor.appeal."


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


@task(name="register-appeal", cache_policy=NO_CACHE)
def register(number: str) -> AppealCase:
    """Take the registered appeal into review: one run per appeal, however it was started."""
    run_id = _current_run()
    with transaction() as session:
        row, proc = by_number(session, number)
        elsewhere = None
        if row.review_flow_run_id is None or row.review_flow_run_id == run_id:
            if row.review_flow_run_id is None:
                row.review_flow_run_id = run_id
                proc.flow_run_id = run_id
                audit.append(
                    session,
                    actor="review-appeal",
                    action="appeal.review_started",
                    entity_kind="appeal",
                    entity_id=number,
                    payload={"flow_run_id": run_id},
                )
            if proc.status is ProcedureStatus.REGISTERED:
                procedure_store.set_status(
                    session, proc.id, ProcedureStatus.IN_PROGRESS, "review-appeal"
                )
        else:
            elsewhere = row.review_flow_run_id
        appeal = parsed(row)
        details = proc.details or {}
        ended = details.get("inspection_ended_on")
        return AppealCase(
            appeal_id=row.id,
            procedure_id=proc.id,
            registration_number=number,
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


def _answered(session: Session, procedure_id: int) -> bool:
    """A reply (or a termination notice) was sent on it: CL-155 art. 24(8) "ответы давались"."""
    return (
        session.scalar(
            select(Document.id).where(
                Document.procedure_id == procedure_id,
                Document.kind.in_(("reply", "termination_notice")),
                Document.dispatched_at.is_not(None),
            )
        )
        is not None
    )


@task(name="find-repeated", cache_policy=NO_CACHE)
def find_repeated(case: AppealCase) -> str | None:
    """The number of an earlier appeal of the same applicant with the same text that was
    answered: only then is the repeat ended (CL-155 art. 24(8)). A repeat of an appeal still
    unanswered is considered; the link is audited."""
    if case.applicant_id is None:
        return None
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        details = proc.details or {}
        if "repeats" in details:  # decided once: a replay takes the same path
            return details["repeats"]
        found = _answered_predecessor(session, case)
        _merge_details(session, case.procedure_id, repeats=found)
        return found


def _answered_predecessor(session: Session, case: AppealCase) -> str | None:
    """CL-155 art. 24(8): the latest earlier same-text appeal that was answered."""
    row = session.get_one(AppealRow, case.appeal_id)
    earlier = session.execute(
        select(Procedure.registration_number, Procedure.id)
        .join(AppealRow, AppealRow.procedure_id == Procedure.id)
        .where(
            AppealRow.applicant_id == row.applicant_id,
            AppealRow.text_sha256 == row.text_sha256,
            AppealRow.id < row.id,
        )
        .order_by(AppealRow.id.desc())
    ).all()
    for number, procedure_id in earlier:
        if repeat_is_ended(
            brings_nothing_new=True, earlier_answered=_answered(session, procedure_id)
        ):
            return number
    if earlier:
        audit.append(
            session,
            actor="review-appeal",
            action="appeal.repeat_of_unanswered",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={"earlier": [n for n, _ in earlier], "rule": "CL-155 art. 24(8)"},
        )
    return None


@task(name="set-aside-anonymous", cache_policy=NO_CACHE)
def set_aside_anonymous(case: AppealCase) -> str | None:
    """Not considered (CL-155 art. 24(6)): its topic carries no information on a crime or a
    threat to security. The deputy of the area still reads it at once: such information under
    another topic is taken up (24(6)) or forwarded to the competent body (APPC art. 64(7-2))."""
    on = today()
    with transaction() as session:
        roster = read_roster(session)
        deputy = roster.supervising_deputy(frozenset({"appeals", "criminal"}), on)
        screener = deputy.id if deputy else None
        if screener is None:
            manager = roster.signatory_on(on).staff
            screener = manager.id if manager else None
        key = f"screen-anonymous:{case.appeal_id}"
        if not session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            session.add(
                Notification(
                    dedupe_key=key,
                    recipient_id=screener,
                    external_recipient=None if screener else "regional_office",
                    kind="screening",
                    subject_kind="duty",
                    subject_id=case.procedure_id,
                    on_date=on,
                    message=(
                        f"Anonymous appeal {case.registration_number} is not considered"
                        " (CL-155 art. 24(6)); read it at once for information on a crime or a"
                        " threat to security, which is considered or forwarded"
                    ),
                )
            )
        procedure_store.set_status(
            session, case.procedure_id, ProcedureStatus.CLOSED, "review-appeal"
        )
        audit.append(
            session,
            actor="review-appeal",
            action="appeal.not_considered",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={
                "reason": "anonymous appeal",
                "rule": "CL-155 art. 24(6)",
                "screened_by": screener,
            },
        )
    return screener


@task(name="assign-appeal", cache_policy=NO_CACHE)
def assign(case: AppealCase, area: str) -> str:
    """An assistant of the area, present today, with the fewest open duties."""
    with transaction() as session:
        duty = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "consider")
        )
        if duty is not None:
            return duty.assignee_id or ""
        loads = procedure_store.open_duty_loads(session)
        staff, why = choose_assignee(read_roster(session), today(), area, loads)
        proc = session.get_one(Procedure, case.procedure_id)
        proc.assignee_id, proc.area = staff.id, area
        procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="consider",
            title=f"Consider appeal {case.registration_number}",
            assignee_id=staff.id,
            due_date=case.due_date,
            term_id="appeal.consideration",
            actor="review-appeal",
        )
        audit.append(
            session,
            actor="review-appeal",
            action="appeal.assigned",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={"assignee": staff.id, "area": area, "why": why},
        )
        return staff.id


@task(name="close-appeal", cache_policy=NO_CACHE)
def close(case: AppealCase, status: ProcedureStatus, outcome: str, actor: str) -> None:
    with transaction() as session:
        for duty in session.scalars(
            select(Duty).where(
                Duty.procedure_id == case.procedure_id, Duty.status == DutyStatus.OPEN
            )
        ):
            if duty.step in {"consider", "classify"} or duty.step.startswith(
                ("redirect", "extension-notice")
            ):
                procedure_store.complete_duty(session, duty.id, actor)
        proc = session.get_one(Procedure, case.procedure_id)
        if proc.status is not status:
            procedure_store.set_status(session, case.procedure_id, status, actor)
            audit.append(
                session,
                actor=actor,
                action="appeal.closed",
                entity_kind="appeal",
                entity_id=case.registration_number,
                payload={"status": status.value, "outcome": outcome},
            )


@task(name="open-redirect-duty", cache_policy=NO_CACHE)
def open_redirect_duty(case: AppealCase) -> None:
    with transaction() as session:
        roster = read_roster(session)
        manager = roster.signatory_on(today()).staff
        procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="redirect",
            title=f"Forward appeal {case.registration_number} to the competent body",
            assignee_id=manager.id if manager else None,
            due_date=default_terms().due("appeal.redirect", case.received_on, WorkingCalendar()),
            term_id="appeal.redirect",
        )


def competence_of(case: AppealCase) -> Competence:
    return default_register().decide(case.topic)


def body_of(competence: Competence, language: str) -> dict[str, str]:
    assert competence.redirect_to is not None
    body = competence.redirect_to
    return {"id": body.id, "name": body.name(language)}


def _merge_details(session: Session, procedure_id: int, **facts: object) -> Procedure:
    proc = session.get_one(Procedure, procedure_id)
    proc.details = {**(proc.details or {}), **facts}
    return proc


@task(name="record-ground", cache_policy=NO_CACHE)
def record_ground(case: AppealCase, ground: int, by: str) -> None:
    """The ground of CL-155 art. 24(1) the appeal is considered on (0: none, forwarded)."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        if (proc.details or {}).get("ground") == ground:
            return
        _merge_details(session, case.procedure_id, ground=ground, ground_by=by)
        classify = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "classify")
        )
        if classify is not None:
            procedure_store.complete_duty(session, classify.id, by)
        audit.append(
            session,
            actor=by,
            action="appeal.ground",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={"ground": ground, "rule": "CL-155 art. 24(1)"},
        )


@task(name="open-classify-duty", cache_policy=NO_CACHE)
def open_classify_duty(case: AppealCase, assignee: str) -> None:
    """No ground is presumed (24(1) is a closed list): the assistant classifies the appeal in
    the time the office has to forward it (APPC art. 65(1))."""
    with transaction() as session:
        procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="classify",
            title=f"Classify appeal {case.registration_number}: CL-155 art. 24(1) or forward",
            assignee_id=assignee,
            due_date=default_terms().due("appeal.redirect", case.received_on, WorkingCalendar()),
            term_id="appeal.redirect",
            actor="review-appeal",
        )


@task(name="route-cpc-complaint", cache_policy=NO_CACHE)
def route_cpc_complaint(case: AppealCase, competence: Competence) -> str:
    """A complaint on an investigator's actions is no appeal (CL-155 art. 24(9)): it leaves the
    appeal review with a duty under its CPC term (art. 105(2)) for the prosecutor supervising
    the area, and is registered as a CPC complaint (its own procedure, reviewed by
    ``review-cpc-complaint`` on its announcement); the appeal is then closed, pointing at it.
    An anonymous one has nobody to tell of a decision (art. 105(4)): the duty stays open for the
    prosecutor to read it as information."""
    assert competence.cpc_term is not None
    area = competence.area or "criminal"
    with transaction() as session:
        duty = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "cpc-complaint")
        )
        if duty is not None:
            return duty.assignee_id or ""
        staff, why = choose_assignee(read_roster(session), today(), area, {})
        proc = _merge_details(
            session, case.procedure_id, route="cpc_complaint", term=competence.cpc_term
        )
        proc.assignee_id, proc.area = staff.id, area
        duty = procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="cpc-complaint",
            title=f"CPC complaint {case.registration_number} (CPC art. 105)",
            assignee_id=staff.id,
            due_date=default_terms().due(competence.cpc_term, case.received_on, WorkingCalendar()),
            term_id=competence.cpc_term,
            actor="review-appeal",
        )
        complaint = _as_cpc_complaint(session, case)
        if complaint.registration_number:
            _merge_details(session, case.procedure_id, cpc_complaint=complaint.registration_number)
            procedure_store.complete_duty(session, duty.id, "review-appeal")
            procedure_store.set_status(
                session, case.procedure_id, ProcedureStatus.CLOSED, "review-appeal"
            )
        audit.append(
            session,
            actor="review-appeal",
            action="appeal.cpc_complaint",
            entity_kind="appeal",
            entity_id=case.registration_number,
            payload={
                "assignee": staff.id,
                "why": why,
                "term": competence.cpc_term,
                "cpc_complaint": complaint.registration_number,
                "not_registered": complaint.reason,
            },
        )
    new = complaint.registration_number if complaint.status == "registered" else None
    if new and emit_registered(COMPLAINT_RECEIVED, "cpc_complaint", [new]):
        with transaction() as session:
            inbox_store.mark_announced(session, [complaint.record_id])
    return staff.id


def _as_cpc_complaint(session: Session, case: AppealCase) -> InboxResult:
    """The appeal stored as a complaint under CPC art. 105 (once: keyed by the appeal's
    number), or why it cannot be (anonymous)."""
    row, _ = by_number(session, case.registration_number)
    try:
        raw = cpc_complaints.from_appeal(parsed(row), case.registration_number)
    except ValueError as exc:
        return InboxResult(0, "rejected", None, str(exc))
    return cpc_complaints.take_in(session, raw)
