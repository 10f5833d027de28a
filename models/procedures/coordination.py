"""Coordination of law-enforcement and other state bodies (Regulation cl. 6.3, 7.4): the items
of a meeting's resolution, each executed by one or more bodies, and their execution control.

A district meeting is the office's own practice (no statutory district council): its frequency
is the schedule in ``prefect.yaml`` and its terms are office-practice rows of the terms table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Body, Duty, DutyStatus, Procedure
from models.office.roster import Staff
from models.office.roster_store import office_code
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.records import audit
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit
from models.timing.terms import TermsTable, default_terms
from models.vocabulary import Step

AREA = "law_enforcement"
AGENDA_TERM = "coordination.agenda"
EXECUTION_TERM = "coordination.execution"
MEETING_TERM = "coordination.meeting"  # a meeting started without a date is held this far ahead
TERMS = (AGENDA_TERM, EXECUTION_TERM, MEETING_TERM)  # the rows this module counts


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    bodies: tuple[str, ...]
    due_date: dt.date


def item_step(index: int, body_id: str) -> str:
    return f"item-{index}-{body_id}"


def agenda_due(
    meeting_date: dt.date, calendar: WorkingCalendar, terms: TermsTable | None = None
) -> dt.date:
    """The agenda's due date: the row's calendar days before the meeting, on the next working
    day when that day is off, never after the meeting (office practice)."""
    row = (terms or default_terms()).get(AGENDA_TERM)
    if row.term is None or row.unit is not TermUnit.CALENDAR_DAYS:
        raise ValueError(f"{AGENDA_TERM} must be a figure in calendar days")
    before = calendar.on_or_next_working_day(meeting_date - dt.timedelta(days=row.term))
    return min(before, meeting_date)


def default_meeting_date(
    on: dt.date, calendar: WorkingCalendar, terms: TermsTable | None = None
) -> dt.date:
    """The date of a meeting started without one: the row's working days ahead (office
    practice), so the agenda can be approved and the bodies prepare."""
    return (terms or default_terms()).due(MEETING_TERM, on, calendar)


def meeting_title(meeting_date: dt.date) -> str:
    return f"Coordination meeting of {meeting_date:%d.%m.%Y}"


def meeting_on(session: Session, meeting_date: dt.date) -> Procedure | None:
    """The meeting registered for ``meeting_date``, if any (one per day)."""
    return session.scalar(
        select(Procedure).where(
            Procedure.kind == ProcedureKind.COORDINATION,
            Procedure.title == meeting_title(meeting_date),
        )
    )


def register_meeting(
    session: Session, meeting_date: dt.date, responsible: Staff, run_id: str | None
) -> Procedure:
    """A meeting registered with its agenda's duty given to the ``responsible`` assistant."""
    proc = procedure_store.register_procedure(
        session,
        office_code=office_code(session),
        kind=ProcedureKind.COORDINATION,
        title=meeting_title(meeting_date),
        year=meeting_date.year,
        due_date=meeting_date,
        assignee_id=responsible.id,
        area=AREA,
        actor="coordination",
    )
    proc.details = {"meeting_date": meeting_date.isoformat()}
    proc.flow_run_id = run_id
    procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, "coordination")
    procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step=Step.AGENDA,
        title="Prepare the agenda of the coordination meeting",
        assignee_id=responsible.id,
        due_date=agenda_due(meeting_date, WorkingCalendar()),
    )
    return proc


def body_names(session: Session, body_ids: list[str], language: str) -> dict[str, str]:
    """The bodies as a document names them, in ``language``."""
    bodies = session.scalars(select(Body).where(Body.id.in_(body_ids))).all()
    return {b.id: (b.name_kk if language == "kk" else b.name_ru) for b in bodies}


def record_resolution(
    session: Session, procedure_id: int, items: list[Item], assignee: str, actor: str
) -> list[int]:
    """The signed resolution's items given to the bodies; the agenda's duty done and the meeting
    awaiting the bodies' reports. The duties' ids."""
    ids = record_items(session, procedure_id, items, assignee, actor)
    agenda = procedure_store.duty_of(session, procedure_id, Step.AGENDA)
    if agenda is not None:
        procedure_store.complete_duty(session, agenda.id, actor)
    procedure_store.set_status(session, procedure_id, ProcedureStatus.AWAITING_ANSWER, actor)
    return ids


def unknown_bodies(session: Session, body_ids: set[str]) -> list[str]:
    known = set(session.scalars(select(Body.id).where(Body.id.in_(body_ids), Body.active)))
    return sorted(body_ids - known)


def record_items(
    session: Session, procedure_id: int, items: list[Item], assignee: str, actor: str
) -> list[int]:
    """One duty per item and body, due on the item's date, watched by the responsible assistant."""
    ids = []
    for index, item in enumerate(items, start=1):
        for body_id in item.bodies:
            duty = procedure_store.open_duty(
                session,
                procedure_id=procedure_id,
                step=item_step(index, body_id),
                title=item.text[:300],
                assignee_id=assignee,
                due_date=item.due_date,
                term_id=EXECUTION_TERM,
                actor=actor,
            )
            duty.body_id = body_id
            ids.append(duty.id)
    session.flush()
    return ids


def close_item_if_reported(session: Session, duty: Duty, actor: str) -> bool:
    """An item is closed when every body it was given to has reported."""
    if not duty.step.startswith("item-"):
        return False
    prefix = duty.step.rsplit("-", 1)[0] + "-"
    siblings = session.scalars(
        select(Duty).where(Duty.procedure_id == duty.procedure_id, Duty.step.like(f"{prefix}%"))
    ).all()
    if any(d.status is DutyStatus.OPEN for d in siblings):
        return False
    proc = session.get_one(Procedure, duty.procedure_id)
    audit.append(
        session,
        actor=actor,
        action="coordination.item_closed",
        entity_kind="procedure",
        entity_id=f"{proc.registration_number}#{prefix.rstrip('-')}",
        payload={"bodies": sorted(d.body_id or "" for d in siblings)},
    )
    return True


@dataclass
class BodyExecution:
    body: str
    given: int = 0
    reported: int = 0
    open: int = 0
    overdue: int = 0


def execution_report(session: Session, procedure_id: int, on: dt.date) -> list[dict[str, object]]:
    """Execution per body: items given, reported, open, overdue."""
    names = {b.id: b.name_ru for b in session.scalars(select(Body))}
    rows: dict[str, BodyExecution] = {}
    for duty in session.scalars(
        select(Duty).where(Duty.procedure_id == procedure_id, Duty.body_id.is_not(None))
    ):
        body = duty.body_id or ""
        row = rows.setdefault(body, BodyExecution(names.get(body, body)))
        row.given += 1
        if duty.status is DutyStatus.DONE:
            row.reported += 1
        else:
            row.open += 1
            row.overdue += bool(duty.due_date and duty.due_date < on)
    return [asdict(rows[b]) for b in sorted(rows)]
