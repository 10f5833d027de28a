"""Steps of appeal review. Each is keyed by the procedure and step, so a resumed run that
replays them finds its work done and repeats no side effect."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from sqlalchemy import func, select

from models import audit, procedure_store
from models.appeal_store import by_number, parsed
from models.appeals import choose_assignee, default_register
from models.calendar import WorkingCalendar, local_date, today
from models.db import transaction
from models.procedures import ProcedureStatus
from models.roster_store import read_roster
from models.tables import (
    AppealRow,
    Duty,
    DutyStatus,
    Notification,
    Procedure,
)
from models.terms import default_terms

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
        )


@task(name="find-repeated", cache_policy=NO_CACHE)
def find_repeated(case: AppealCase) -> str | None:
    """The number of an earlier appeal of the same applicant with the same text, if any."""
    if case.applicant_id is None:
        return None
    with transaction() as session:
        row = session.get_one(AppealRow, case.appeal_id)
        earlier = session.scalar(
            select(Procedure.registration_number)
            .join(AppealRow, AppealRow.procedure_id == Procedure.id)
            .where(
                AppealRow.applicant_id == row.applicant_id,
                AppealRow.text_sha256 == row.text_sha256,
                AppealRow.id < row.id,
            )
            .order_by(AppealRow.id.desc())
            .limit(1)
        )
    return earlier


@task(name="set-aside-anonymous", cache_policy=NO_CACHE)
def set_aside_anonymous(case: AppealCase) -> str | None:
    """Not considered (APPC; L-81 art. 21(4)); the deputy of the area screens it at once for
    reports of crimes or threats, which go to the competent body."""
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
                        f"Anonymous appeal {case.registration_number} is not considered; check it"
                        " at once for a report of a crime or a threat and forward such a report"
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
            payload={"reason": "anonymous appeal", "screened_by": screener},
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
        loads = dict(
            session.execute(
                select(Duty.assignee_id, func.count())
                .where(Duty.status == DutyStatus.OPEN, Duty.assignee_id.is_not(None))
                .group_by(Duty.assignee_id)
            ).all()
        )
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
            if (
                duty.step == "consider"
                or duty.step.startswith("redirect")
                or duty.step == "extension-notice"
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


def competence_of(case: AppealCase) -> tuple[str | None, dict[str, str] | None]:
    decision = default_register().decide(case.topic)
    if decision.redirect_to is None:
        return decision.area, None
    body = decision.redirect_to
    return None, {"id": body.id, "name": body.name(case.language)}
