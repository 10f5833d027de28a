"""The release of a person held illegally in the database (CL-155 art. 10(2)(9); CPC arts.
14(4), 133(1)): the report registered once with its order's duty counted in hours, the head told
who ordered it, then the facility's confirmation awaited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Duty, Procedure
from models.office.masking import mask_name
from models.office.roster_store import office_code, read_roster
from models.office.urgency import Authorised
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.detention import RELEASE, RELEASE_CONFIRMATION
from models.records import audit
from models.sweeps.notifications import notify
from models.timing.calendar import ALMATY
from models.timing.deadlines import due_moment
from models.vocabulary import Step

AREA = "detention"
WHY = "CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1)"


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What the release order states, read from the office's database (never passed to Prefect
    as parameters: a person's name is personal data)."""

    report_id: str
    facility: str
    person: str
    held_since: dt.datetime
    grounds: str
    reported_at: dt.datetime
    detention: str | None = None


def title_of(report_id: str) -> str:
    return f"Release: {report_id}"


def release_of(session: Session, report_id: str) -> Procedure | None:
    """The release registered for a report, if any (one per report)."""
    return session.scalar(
        select(Procedure).where(
            Procedure.kind == ProcedureKind.RELEASE, Procedure.title == title_of(report_id)
        )
    )


def register_release(
    session: Session,
    facts: ReleaseFacts,
    due_at: dt.datetime,
    *,
    assignee: str | None,
    who: Authorised,
    finder: str | None,
    ordered_by: str | None,
) -> Procedure:
    """Register the report with its order's duty due at ``due_at`` (to the minute), given to
    ``assignee``: the prosecutor who found the illegal detention (``finder``), else whoever is
    authorised (``who``). ``ordered_by`` is audited when it was not accepted as the finder."""
    actor = ordered_by or "release"
    proc = procedure_store.register_procedure(
        session,
        office_code=office_code(session),
        kind=ProcedureKind.RELEASE,
        title=title_of(facts.report_id),
        year=facts.reported_at.astimezone(ALMATY).year,
        due_date=due_at.astimezone(ALMATY).date(),
        assignee_id=assignee,
        area=AREA,
        actor=actor,
    )
    proc.details = {
        "report_id": facts.report_id,
        "facility": facts.facility,
        "person": facts.person,
        "held_since": facts.held_since.isoformat(),
        "grounds": facts.grounds,
        "reported_at": facts.reported_at.isoformat(),
        "ordered_by": finder,
        "detention": facts.detention,
    }
    procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, "release")
    duty = procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step=Step.RELEASE_ORDER,
        title=f"Sign the release order: {facts.facility}",
        assignee_id=assignee,
        due_date=None,
        term_id=RELEASE,
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
            "facility": facts.facility,
            "due_at": due_at.isoformat(),
            "authorised": who.staff.id if who.staff else None,
            "why": who.reason,
            "ordered_by": finder,
            "ordered_by_refused": ordered_by if ordered_by and not finder else None,
        },
    )
    return proc


def report_to_head(
    session: Session, procedure_id: int, ordered_by: str, document_id: int, now: dt.datetime
) -> str | None:
    """Tell the head (or the person replacing the head that day, Regulation cl. 14-15) who
    ordered the release; recorded once. Who was told (None: the regional office)."""
    day = now.astimezone(ALMATY).date()
    proc = session.get_one(Procedure, procedure_id)
    details = dict(proc.details or {})
    if "reported_to" in details:
        return details["reported_to"]
    manager = read_roster(session).signatory_on(day).staff
    head = manager.id if manager else None
    if head != ordered_by:
        notify(
            session,
            key=f"release-report:{proc.id}",
            recipient=head,
            kind="release_ordered",
            subject_kind="procedure",
            subject_id=proc.id,
            on=day,
            message=(
                f"{ordered_by} ordered the release of"
                f" {mask_name(str(details.get('person') or ''))} held in"
                f" {details.get('facility')} ({proc.registration_number}, document"
                f" {document_id}): {WHY}"
            ),
        )
    details.update(ordered_by=ordered_by, reported_to=head, reported_at=now.isoformat())
    proc.details = details
    audit.append(
        session,
        actor=ordered_by,
        action="release.reported_to_head",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={
            "ordered_by": ordered_by,
            "reported_to": head or "regional_office",
            "document_id": document_id,
            "why": WHY,
        },
    )
    return head


def await_confirmation(
    session: Session, procedure_id: int, signer: str, now: dt.datetime, hours: int
) -> Duty:
    """The order is signed: its duty done, and the facility's confirmation awaited ``hours``
    from ``now`` (set once: a replay keeps the first moment)."""
    order = procedure_store.duty_of(session, procedure_id, Step.RELEASE_ORDER)
    if order is not None:
        procedure_store.complete_duty(session, order.id, signer)
    confirm = procedure_store.open_duty(
        session,
        procedure_id=procedure_id,
        step=Step.CONFIRM_RELEASE,
        title="Confirmation of the release from the facility",
        assignee_id=signer,
        due_date=None,
        term_id=RELEASE_CONFIRMATION,
        actor=signer,
    )
    if confirm.due_at is None:
        confirm.due_at = due_moment(now, hours)
    procedure_store.set_status(session, procedure_id, ProcedureStatus.AWAITING_ANSWER, signer)
    return confirm
