"""Steps of a coordination meeting and of the control of its resolution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import BaseModel, Field
from sqlalchemy import select

from models.appeals import choose_assignee, may_report
from models.db import transaction
from models.db.tables import Body, Duty, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind, ProcedureStatus, coordination
from models.procedures import store as procedure_store
from models.procedures.inspections import named_person
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit, due_date
from models.timing.terms import default_terms

AREA = "law_enforcement"


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


@task(name="register-meeting", cache_policy=NO_CACHE)
def register_meeting(meeting_date: dt.date, responsible: str | None) -> Meeting:
    title = f"Coordination meeting of {meeting_date:%d.%m.%Y}"
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(
                Procedure.kind == ProcedureKind.COORDINATION, Procedure.title == title
            )
        )
        if proc is None:
            roster = read_roster(session)
            who = (
                roster.member(responsible)
                if responsible
                else choose_assignee(roster, today(), AREA, {})[0]
            )
            agenda_due = WorkingCalendar().on_or_next_working_day(
                meeting_date - dt.timedelta(days=3)
            )
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=ProcedureKind.COORDINATION,
                title=title,
                year=meeting_date.year,
                due_date=meeting_date,
                assignee_id=who.id,
                area=AREA,
                actor="coordination",
            )
            proc.details = {"meeting_date": meeting_date.isoformat()}
            context = FlowRunContext.get()
            proc.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.IN_PROGRESS, "coordination"
            )
            procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="agenda",
                title="Prepare the agenda of the coordination meeting",
                assignee_id=who.id,
                due_date=min(agenda_due, meeting_date),
            )
        return Meeting(proc.id, proc.registration_number, meeting_date, proc.assignee_id or "")


@task(name="check-author", cache_policy=NO_CACHE)
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


@task(name="check-bodies", cache_policy=NO_CACHE)
def check_bodies(resolution: ResolutionInput) -> list[str]:
    with transaction() as session:
        return coordination.unknown_bodies(session, {b for i in resolution.items for b in i.bodies})


def resolution_items(meeting: Meeting, resolution: ResolutionInput) -> list[coordination.Item]:
    default = default_terms().due("coordination.execution", meeting.meeting_date, WorkingCalendar())
    return [
        coordination.Item(i.text, tuple(dict.fromkeys(i.bodies)), i.due_date or default)
        for i in resolution.items
    ]


@task(name="staff-name", cache_policy=NO_CACHE)
def staff_name(staff_id: str, language: str) -> str:
    """A member of the office as a document names them: position and name from the roster,
    never a staff id ("Подготовил: помощник прокурора района Сапарова Айгерим")."""
    with transaction() as session:
        member = read_roster(session).member(staff_id)
        return named_person(member.name, member.position, language)


@task(name="body-names", cache_policy=NO_CACHE)
def body_names(body_ids: list[str], language: str) -> dict[str, str]:
    with transaction() as session:
        bodies = session.scalars(select(Body).where(Body.id.in_(body_ids))).all()
        return {b.id: (b.name_kk if language == "kk" else b.name_ru) for b in bodies}


@task(name="record-resolution", cache_policy=NO_CACHE)
def record_resolution(meeting: Meeting, items: list[coordination.Item], actor: str) -> list[int]:
    with transaction() as session:
        ids = coordination.record_items(
            session, meeting.procedure_id, items, meeting.responsible, actor
        )
        agenda = session.scalar(
            select(Duty).where(Duty.procedure_id == meeting.procedure_id, Duty.step == "agenda")
        )
        if agenda is not None:
            procedure_store.complete_duty(session, agenda.id, actor)
        procedure_store.set_status(
            session, meeting.procedure_id, ProcedureStatus.AWAITING_ANSWER, actor
        )
        return ids


@task(name="publish-execution-report", cache_policy=NO_CACHE)
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


@task(name="overdue-item", cache_policy=NO_CACHE)
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


def agenda_due(meeting_date: dt.date) -> dt.date:
    return (
        due_date(today(), 2, TermUnit.WORKING_DAYS, WorkingCalendar())
        if meeting_date <= today()
        else meeting_date
    )
