"""Steps of a coordination meeting and of the control of its resolution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect.artifacts import create_table_artifact
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import BaseModel, Field

from models.appeals import choose_assignee, may_report
from models.db import transaction
from models.db.tables import Body, Duty, Procedure
from models.office.roster_store import read_roster
from models.procedures import coordination
from models.procedures.inspections import named_person
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms
from tasks.documents import approval_due
from tasks.step import step

AREA = coordination.AREA


@dataclass(frozen=True, slots=True)
class Meeting:
    procedure_id: int
    registration_number: str
    meeting_date: dt.date
    responsible: str


class AgendaInput(RunInput):
    """Повестка координационного совещания / Үйлестіру кеңесінің күн тәртібі."""

    assistant: str = Field(description="your staff id")
    items: list[str] = Field(min_length=1, description="questions for the meeting")


class ResolutionItemInput(BaseModel):
    text: str = Field(min_length=3, max_length=2000)
    bodies: list[str] = Field(min_length=1, description="ids of the bodies that execute it")
    due_date: dt.date | None = Field(
        None, description="default: the office's term after the meeting"
    )


class ResolutionInput(RunInput):
    """Постановление совещания / Кеңестің қаулысы: items, each with bodies and a due date."""

    recorded_by: str = Field(description="your staff id")
    items: list[ResolutionItemInput] = Field(min_length=1)


@step
def register_meeting(meeting_date: dt.date, responsible: str | None) -> Meeting:
    """The meeting of ``meeting_date``, registered once, its agenda due before it; the
    responsible assistant named, or one of the area by load."""
    with transaction() as session:
        proc = coordination.meeting_on(session, meeting_date)
        if proc is None:
            roster = read_roster(session)
            who = (
                roster.member(responsible)
                if responsible
                else choose_assignee(roster, today(), AREA, {})[0]
            )
            context = FlowRunContext.get()
            run_id = str(context.flow_run.id) if context and context.flow_run else None
            proc = coordination.register_meeting(session, meeting_date, who, run_id)
        return Meeting(proc.id, proc.registration_number, meeting_date, proc.assignee_id or "")


@step
def check_author(meeting: Meeting, staff_id: str, what: str) -> str | None:
    """None when ``staff_id`` may prepare ``what`` for the meeting, else why not (audited)."""
    with transaction() as session:
        if may_report(read_roster(session), today(), meeting.responsible, staff_id):
            return None
        reason = f"{staff_id} is not responsible for the {what} of {meeting.registration_number}"
        audit.append(
            session,
            actor=staff_id,
            action="coordination.refused",
            entity_kind="procedure",
            entity_id=meeting.registration_number,
            payload={"what": what, "reason": reason},
        )
        return reason


@step
def check_bodies(resolution: ResolutionInput) -> list[str]:
    with transaction() as session:
        return coordination.unknown_bodies(session, {b for i in resolution.items for b in i.bodies})


def resolution_items(meeting: Meeting, resolution: ResolutionInput) -> list[coordination.Item]:
    default = default_terms().due(
        coordination.EXECUTION_TERM, meeting.meeting_date, WorkingCalendar()
    )
    return [
        coordination.Item(i.text, tuple(dict.fromkeys(i.bodies)), i.due_date or default)
        for i in resolution.items
    ]


@step
def staff_name(staff_id: str, language: str) -> str:
    """A member of the office as a document names them: position and name from the roster,
    never a staff id ("Подготовил: помощник прокурора района Сапарова Айгерим")."""
    with transaction() as session:
        member = read_roster(session).member(staff_id)
        return named_person(member.name, member.position, language)


@step
def body_names(body_ids: list[str], language: str) -> dict[str, str]:
    with transaction() as session:
        return coordination.body_names(session, body_ids, language)


@step
def record_resolution(meeting: Meeting, items: list[coordination.Item], actor: str) -> list[int]:
    with transaction() as session:
        return coordination.record_resolution(
            session, meeting.procedure_id, items, meeting.responsible, actor
        )


@step
def publish_execution_report(procedure_id: int) -> list[dict[str, object]]:
    with transaction() as session:
        proc = session.get_one(Procedure, procedure_id)
        rows = coordination.execution_report(session, procedure_id, today())
    create_table_artifact(
        key="coordination-" + proc.registration_number.lower(),
        table=rows or [{"body": "no items yet"}],
        description=f"Execution of the resolution of {proc.title} per body",
    )
    return rows


@dataclass(frozen=True, slots=True)
class OverdueItem:
    procedure_id: int
    duty_id: int
    body_head: str
    body_name_ru: str
    body_name_kk: str
    item: str
    due_date: dt.date
    meeting_date: str


@step
def overdue_item(duty_id: int) -> OverdueItem:
    with transaction() as session:
        duty = session.get_one(Duty, duty_id)
        if duty.body_id is None or duty.due_date is None:
            raise ValueError(f"duty {duty_id} is not a body's item with a due date")
        body = session.get_one(Body, duty.body_id)
        proc = session.get_one(Procedure, duty.procedure_id)
        meeting = (proc.details or {}).get("meeting_date", "")
        return OverdueItem(
            proc.id,
            duty.id,
            body.head,
            body.name_ru,
            body.name_kk,
            duty.title,
            duty.due_date,
            dt.date.fromisoformat(meeting).strftime("%d.%m.%Y") if meeting else "",
        )


def agenda_signature_due(meeting_date: dt.date) -> dt.date:
    """The head decides on the agenda by the meeting; for a meeting already held (a late
    agenda), in the office's term for a signature."""
    if meeting_date > today():
        return meeting_date
    return approval_due(None)
