"""Steps of the immediate release of a person held illegally (Regulation cl. 8, obligation 6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from models import audit, procedure_store
from models.calendar import ALMATY, WorkingCalendar
from models.db import transaction
from models.deadlines import due_moment
from models.procedures import ProcedureKind, ProcedureStatus
from models.roster_store import office_code, read_roster
from models.tables import Duty, Procedure
from models.terms import default_terms
from models.urgency import authorised_at


@dataclass(frozen=True, slots=True)
class ReleaseCase:
    procedure_id: int
    registration_number: str
    due_at: dt.datetime
    authorised: str | None
    on_duty: bool


@task(name="register-release", cache_policy=NO_CACHE)
def register_release(
    report_id: str,
    facility: str,
    person: str,
    held_since: dt.datetime,
    grounds: str,
    reported_at: dt.datetime,
) -> ReleaseCase:
    """Register the report once (keyed by its id) with its term in hours, and give the release
    duty to whoever is authorised right now."""
    hours = default_terms().get("detention.release").term or 1
    due_at = due_moment(reported_at, hours)
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(
                Procedure.kind == ProcedureKind.RELEASE, Procedure.title == f"Release: {report_id}"
            )
        )
        who = authorised_at(read_roster(session), reported_at, WorkingCalendar())
        if proc is None:
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=ProcedureKind.RELEASE,
                title=f"Release: {report_id}",
                year=reported_at.astimezone(ALMATY).year,
                due_date=due_at.astimezone(ALMATY).date(),
                assignee_id=who.staff.id if who.staff else None,
                area="detention",
                actor="release",
            )
            proc.details = {
                "report_id": report_id,
                "facility": facility,
                "person": person,
                "held_since": held_since.isoformat(),
                "grounds": grounds,
                "reported_at": reported_at.isoformat(),
            }
            procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, "release")
            duty = procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="release-order",
                title=f"Sign the release order: {facility}",
                assignee_id=who.staff.id if who.staff else None,
                due_date=None,
                term_id="detention.release",
                actor="release",
            )
            duty.due_at = due_at
            audit.append(
                session,
                actor="release",
                action="release.reported",
                entity_kind="procedure",
                entity_id=proc.registration_number,
                payload={
                    "facility": facility,
                    "due_at": due_at.isoformat(),
                    "authorised": who.staff.id if who.staff else None,
                    "why": who.reason,
                },
            )
        return ReleaseCase(
            proc.id,
            proc.registration_number,
            due_at,
            who.staff.id if who.staff else None,
            who.on_duty,
        )


@task(name="await-confirmation", cache_policy=NO_CACHE)
def await_confirmation(case: ReleaseCase, signer: str) -> int:
    """The order is signed: close its duty, and wait (by the hour) for the facility's word."""
    hours = default_terms().get("detention.release_confirmation").term or 1
    with transaction() as session:
        order = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "release-order")
        )
        if order is not None:
            procedure_store.complete_duty(session, order.id, signer)
        confirm = procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="confirm-release",
            title="Confirmation of the release from the facility",
            assignee_id=signer,
            due_date=None,
            term_id="detention.release_confirmation",
            actor=signer,
        )
        if confirm.due_at is None:
            confirm.due_at = due_moment(dt.datetime.now(dt.UTC), hours)
        procedure_store.set_status(
            session, case.procedure_id, ProcedureStatus.AWAITING_ANSWER, signer
        )
        return confirm.id
