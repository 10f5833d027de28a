"""Steps of a supervisory inspection (проверка): Regulation cl. 6.2, 7.1, 8 (rights 2, 4, 5, 10,
obligations 4-5); L-81 arts. 7(3), 9 and PG order No. 32 (to be confirmed against CL-155)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import BaseModel, Field
from sqlalchemy import select

from models import audit, procedure_store
from models.appeals import may_report
from models.calendar import WorkingCalendar, today
from models.db import transaction
from models.deadlines import TermUnit, due_date
from models.procedures import ProcedureKind, ProcedureStatus
from models.responses import Act
from models.roster_store import office_code, read_roster
from models.tables import Duty, Procedure
from models.terms import default_terms


@dataclass(frozen=True, slots=True)
class Inspection:
    procedure_id: int
    registration_number: str
    subject: str
    inspectors: tuple[str, ...]
    secret: bool
    started: dt.date | None
    due: dt.date | None


class DemandInput(BaseModel):
    addressee: str = Field(min_length=2, max_length=300)
    what: str = Field(
        min_length=3, max_length=2000, description="documents or information demanded"
    )


class InspectionReport(RunInput):
    """Ход проверки / Тексеру барысы: leave *findings* empty for an interim report."""

    inspector: str = Field(description="your staff id")
    demands: list[DemandInput] = Field(default_factory=list)
    summons: list[str] = Field(
        default_factory=list, description="persons summoned for explanations"
    )
    specialists: list[str] = Field(default_factory=list, description="specialists involved")
    expert_examination: Literal["start", "end"] | None = Field(None, description="stops the clock")
    extension_reason: str | None = Field(None, description="needs the Prosecutor General's consent")
    findings: str = Field("", max_length=20000)
    violations: str | None = None
    response: Act | Literal["none"] | None = Field(None, description="the act of response proposed")

    @property
    def final(self) -> bool:
        return bool(self.findings.strip()) and self.response is not None


class RegistrationAdapter(Protocol):
    """The authorised body for legal statistics and special accounts (КПСиСУ)."""

    def request(self, inspection: Inspection) -> str: ...


class RecordingAdapter:
    """Default: the outgoing request is recorded; the confirmation arrives as an event."""

    def request(self, inspection: Inspection) -> str:
        return f"registration of {inspection.registration_number} requested"


def _inspection(proc: Procedure) -> Inspection:
    d = proc.details or {}
    started = dt.date.fromisoformat(d["started"]) if d.get("started") else None
    return Inspection(
        proc.id,
        proc.registration_number,
        d.get("subject", ""),
        tuple(d.get("inspectors", [])),
        bool(d.get("secret")),
        started,
        proc.due_date if started else None,
    )


@task(name="register-inspection", cache_policy=NO_CACHE)
def register_inspection(
    subject: str,
    grounds: str,
    scope: str,
    inspectors: list[str],
    specialists: list[str],
    secret: bool,
) -> Inspection:
    title = f"Inspection: {subject}"[:300]
    with transaction() as session:
        roster = read_roster(session)
        for staff_id in inspectors:
            roster.member(staff_id)
        proc = session.scalar(
            select(Procedure).where(
                Procedure.kind == ProcedureKind.INSPECTION,
                Procedure.title == title,
                Procedure.status != ProcedureStatus.CLOSED,
            )
        )
        if proc is None:
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=ProcedureKind.INSPECTION,
                title=title,
                year=today().year,
                assignee_id=inspectors[0],
                actor=inspectors[0],
            )
            context = FlowRunContext.get()
            proc.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
            proc.details = {
                "subject": subject,
                "grounds": grounds,
                "scope": scope,
                "inspectors": inspectors,
                "specialists": specialists,
                "secret": secret,
            }
            procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, inspectors[0])
        return _inspection(proc)


@task(name="request-registration", cache_policy=NO_CACHE)
def request_registration(inspection: Inspection, adapter: RegistrationAdapter | None = None) -> int:
    """Ask the legal-statistics body to register the order; the inspection waits for it."""
    with transaction() as session:
        existing = session.scalar(
            select(Duty).where(
                Duty.procedure_id == inspection.procedure_id, Duty.step == "registration"
            )
        )
        if existing is not None:
            return existing.id
        note = (adapter or RecordingAdapter()).request(inspection)
        duty = procedure_store.open_duty(
            session,
            procedure_id=inspection.procedure_id,
            step="registration",
            title="Registration of the order with the legal-statistics body",
            assignee_id=inspection.inspectors[0],
            due_date=today(),
            term_id="inspection.registration",
            actor=inspection.inspectors[0],
        )
        audit.append(
            session,
            actor=inspection.inspectors[0],
            action="inspection.registration_requested",
            entity_kind="procedure",
            entity_id=inspection.registration_number,
            payload={"note": note},
        )
        return duty.id


@task(name="start-inspection", cache_policy=NO_CACHE)
def start_inspection(inspection: Inspection, registration: str) -> Inspection:
    """Registered: the inspection starts today and runs its statutory term."""
    with transaction() as session:
        proc = session.get_one(Procedure, inspection.procedure_id)
        details = proc.details or {}
        if not details.get("started"):
            started = today()
            proc.due_date = default_terms().due("inspection.duration", started, WorkingCalendar())
            proc.details = {**details, "started": started.isoformat(), "registration": registration}
            procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="inspect",
                title=f"Inspect {inspection.subject}"[:300],
                assignee_id=inspection.inspectors[0],
                due_date=proc.due_date,
                term_id="inspection.duration",
                actor=inspection.inspectors[0],
            )
            audit.append(
                session,
                actor=inspection.inspectors[0],
                action="inspection.started",
                entity_kind="procedure",
                entity_id=proc.registration_number,
                payload={"registration": registration, "due_date": proc.due_date},
            )
        return _inspection(proc)


@task(name="check-inspector", cache_policy=NO_CACHE)
def check_inspector(inspection: Inspection, staff_id: str) -> bool:
    with transaction() as session:
        return staff_id in inspection.inspectors or may_report(
            read_roster(session), today(), inspection.inspectors[0], staff_id
        )


@task(name="record-inspection-steps", cache_policy=NO_CACHE)
def record_steps(inspection: Inspection, report: InspectionReport, attempt: int) -> None:
    """Demands, summons and specialists, each a duty with its own due date; the expert
    examination stops the clock and its end restarts it, the term moved by the days it took."""
    cal, on = WorkingCalendar(), today()
    terms = default_terms()
    with transaction() as session:
        for i, d in enumerate(report.demands, start=1):
            procedure_store.open_duty(
                session,
                procedure_id=inspection.procedure_id,
                step=f"demand-{attempt}-{i}",
                title=f"{d.addressee}: {d.what}"[:300],
                assignee_id=report.inspector,
                due_date=terms.due("demand.documents", on, cal),
                term_id="demand.documents",
                actor=report.inspector,
            )
        for i, person in enumerate(report.summons, start=1):
            procedure_store.open_duty(
                session,
                procedure_id=inspection.procedure_id,
                step=f"summons-{attempt}-{i}",
                title=f"Explanations of {person}"[:300],
                assignee_id=report.inspector,
                due_date=due_date(on, 3, TermUnit.WORKING_DAYS, cal),
                actor=report.inspector,
            )
        proc = session.get_one(Procedure, inspection.procedure_id)
        details = dict(proc.details or {})
        if report.specialists:
            details["specialists"] = sorted({*details.get("specialists", []), *report.specialists})
        if report.expert_examination == "start" and not details.get("suspended_on"):
            details["suspended_on"] = on.isoformat()
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.SUSPENDED, report.inspector
            )
        elif report.expert_examination == "end" and details.get("suspended_on"):
            stopped = (on - dt.date.fromisoformat(details.pop("suspended_on"))).days
            proc.due_date = (
                cal.on_or_next_working_day(proc.due_date + dt.timedelta(days=stopped))
                if proc.due_date
                else None
            )
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.IN_PROGRESS, report.inspector
            )
            _move_inspect_duty(session, proc)
            audit.append(
                session,
                actor=report.inspector,
                action="inspection.resumed",
                entity_kind="procedure",
                entity_id=proc.registration_number,
                payload={"stopped_days": stopped, "due_date": proc.due_date},
            )
        proc.details = details


def _move_inspect_duty(session, proc: Procedure) -> None:  # type: ignore[no-untyped-def]
    duty = session.scalar(select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "inspect"))
    if duty is not None:
        duty.due_date = proc.due_date


@task(name="request-consent", cache_policy=NO_CACHE)
def open_consent(inspection: Inspection, attempt: int) -> int:
    with transaction() as session:
        return procedure_store.open_duty(
            session,
            procedure_id=inspection.procedure_id,
            step=f"pg-consent-{attempt}",
            title="Consent of the Prosecutor General to extend the inspection",
            assignee_id=inspection.inspectors[0],
            due_date=due_date(today(), 5, TermUnit.WORKING_DAYS, WorkingCalendar()),
            actor=inspection.inspectors[0],
        ).id


@task(name="extend-inspection", cache_policy=NO_CACHE)
def extend_inspection(inspection: Inspection, consent: str) -> dt.date:
    """At most 30 days more, counted from the current end, only with the consent."""
    extra = default_terms().get("inspection.duration").extension
    assert extra is not None and extra.max_extra is not None and extra.unit is not None
    with transaction() as session:
        proc = session.get_one(Procedure, inspection.procedure_id)
        details = dict(proc.details or {})
        if not details.get("extended"):
            assert proc.due_date is not None
            proc.due_date = due_date(proc.due_date, extra.max_extra, extra.unit, WorkingCalendar())
            details["extended"] = consent
            proc.details = details
            _move_inspect_duty(session, proc)
            audit.append(
                session,
                actor="consent",
                action="inspection.extended",
                entity_kind="procedure",
                entity_id=proc.registration_number,
                payload={"due_date": proc.due_date, "consent": consent},
            )
        assert proc.due_date is not None
        return proc.due_date


@task(name="finish-inspection", cache_policy=NO_CACHE)
def finish_inspection(inspection: Inspection, response: str, decided_by: str) -> None:
    with transaction() as session:
        proc = session.get_one(Procedure, inspection.procedure_id)
        proc.details = {
            **(proc.details or {}),
            "finished": today().isoformat(),
            "response": response,
        }
        for duty in session.scalars(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "inspect")
        ):
            procedure_store.complete_duty(session, duty.id, decided_by)
        if proc.status is not ProcedureStatus.CLOSED:
            procedure_store.set_status(session, proc.id, ProcedureStatus.CLOSED, decided_by)
        audit.append(
            session,
            actor=decided_by,
            action="inspection.response_decided",
            entity_kind="procedure",
            entity_id=proc.registration_number,
            payload={"response": response},
        )
