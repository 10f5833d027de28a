"""Steps of an inspection of compliance with the law (проверка соблюдения законности),
CL-155 arts. 18, 19, 26(3), 37(1)(6): the order registered before the start, the term in working
days with its suspensions and extension, demands for documents, and the справка acknowledged by
the subject. The rules themselves are in ``models.procedures.inspections``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import may_report
from models.db import transaction
from models.db.tables import Duty, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.inspections import (
    Acknowledgement,
    Authorisation,
    DecidedResponse,
    Ground,
    Suspension,
    extended_due,
    extension_days,
    inspection_due,
    named_person,
    remaining_working_days,
    resumed_due,
)
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms


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
    """Требование прокурора (CL-155 art. 26(3))."""

    addressee: str = Field(min_length=2, max_length=300)
    what: str = Field(
        min_length=3, max_length=2000, description="documents or information demanded"
    )
    term_days: int | None = Field(
        None,
        description="working days set by the prosecutor, at least 3 (CL-155 art. 26(3)); "
        "empty: the office's default",
    )


class InspectionReport(RunInput):
    """Ход проверки / Тексеру барысы: leave *findings* empty for an interim report."""

    inspector: str = Field(description="your staff id")
    demands: list[DemandInput] = Field(default_factory=list)
    summons: list[str] = Field(
        default_factory=list, description="persons summoned for explanations"
    )
    specialists: list[str] = Field(default_factory=list, description="specialists involved")
    suspension: Suspension | None = Field(
        None, description="suspend: the clock stops (CL-155 art. 18(4))"
    )
    resumed: bool = Field(False, description="the suspended inspection resumes today")
    extension_reason: str | None = Field(
        None, description="exceptional case: more materials needed or a large volume"
    )
    extension_days: int | None = Field(None, description="working days; empty: all that is left")
    findings: str = Field("", max_length=20000)
    violations: str | None = None
    act_name: str | None = Field(
        None, max_length=500, description="the act or decision found illegal, if any"
    )
    response: DecidedResponse | None = Field(None, description="the act decided on")

    @property
    def final(self) -> bool:
        return bool(self.findings.strip()) and self.response is not None


class AcknowledgementInput(RunInput):
    """Справка вручена / Анықтама тапсырылды (CL-155 art. 19(2)(3))."""

    inspector: str = Field(description="your staff id")
    acknowledgement: Acknowledgement = Field(
        description="received against signature, or refused to acknowledge"
    )
    note: str = Field("", max_length=2000)


class RegistrationAdapter(Protocol):
    """The body for legal statistics and special accounts (CL-155 art. 18(4))."""

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
    ground: Ground,
    facts: str,
    scope: str,
    inspectors: list[str],
    specialists: list[str],
    secret: bool,
    private_business: bool = False,
    authorisation: Authorisation | None = None,
) -> Inspection:
    """The procedure with its ground recorded (CL-155 art. 18(1)-(2))."""
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
                "ground": ground.value,
                "facts": facts,
                "private_business": private_business,
                "authorisation": authorisation.model_dump(mode="json") if authorisation else None,
                "scope": scope,
                "inspectors": inspectors,
                "specialists": specialists,
                "secret": secret,
            }
            procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, inspectors[0])
        return _inspection(proc)


@task(name="name-inspectors", cache_policy=NO_CACHE)
def name_inspectors(inspectors: list[str] | tuple[str, ...], language: str) -> list[str]:
    """Name and position of each inspector from the roster (CL-155 art. 19(1)(1))."""
    with transaction() as session:
        roster = read_roster(session)
        return [
            named_person(roster.member(i).name, roster.member(i).position, language)
            for i in inspectors
        ]


@task(name="request-registration", cache_policy=NO_CACHE)
def request_registration(inspection: Inspection, adapter: RegistrationAdapter | None = None) -> int:
    """Ask the legal-statistics body to register the order: the inspection does not start
    before it is registered (CL-155 arts. 18(4), 19(1)(1))."""
    with transaction() as session:
        existing = _duty(session, inspection.procedure_id, "registration")
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
        _audit(session, inspection, inspection.inspectors[0], "registration_requested", note=note)
        return duty.id


@task(name="start-inspection", cache_policy=NO_CACHE)
def start_inspection(inspection: Inspection, registration: str) -> Inspection:
    """Registered: the inspection starts today and lasts at most 30 working days (18(4))."""
    with transaction() as session:
        proc = session.get_one(Procedure, inspection.procedure_id)
        details = proc.details or {}
        if not details.get("started"):
            started = today()
            proc.due_date = inspection_due(started, WorkingCalendar())
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
            _audit(
                session,
                inspection,
                inspection.inspectors[0],
                "started",
                registration=registration,
                due_date=proc.due_date,
            )
        return _inspection(proc)


@task(name="check-inspector", cache_policy=NO_CACHE)
def check_inspector(inspection: Inspection, staff_id: str) -> bool:
    with transaction() as session:
        return staff_id in inspection.inspectors or may_report(
            read_roster(session), today(), inspection.inspectors[0], staff_id
        )


@task(name="refuse-report", cache_policy=NO_CACHE)
def refuse_report(inspection: Inspection, inspector: str, reason: str) -> None:
    """A report the law does not allow is refused as a whole, and the refusal audited."""
    with transaction() as session:
        _audit(session, inspection, inspector, "report_refused", reason=reason)


@task(name="record-inspection-steps", cache_policy=NO_CACHE)
def record_steps(
    inspection: Inspection, report: InspectionReport, attempt: int, demand_dues: list[dt.date]
) -> Inspection:
    """Demands (their terms already checked, CL-155 art. 26(3)), summons and specialists, each
    a duty; a suspension stops the clock and the resumption restarts it (18(4))."""
    cal, on = WorkingCalendar(), today()
    with transaction() as session:
        for i, (d, due) in enumerate(zip(report.demands, demand_dues, strict=True), start=1):
            procedure_store.open_duty(
                session,
                procedure_id=inspection.procedure_id,
                step=f"demand-{attempt}-{i}",
                title=f"{d.addressee}: {d.what}"[:300],
                assignee_id=report.inspector,
                due_date=due,
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
                due_date=default_terms().due("inspection.summons", on, cal),
                term_id="inspection.summons",
                actor=report.inspector,
            )
        proc = session.get_one(Procedure, inspection.procedure_id)
        details = dict(proc.details or {})
        if report.specialists:
            details["specialists"] = sorted({*details.get("specialists", []), *report.specialists})
        proc.details = details
        if report.suspension and not details.get("suspended_on"):
            _suspend(session, proc, report.suspension, report.inspector, on, cal)
        elif report.resumed and details.get("suspended_on"):
            _resume(session, proc, report.inspector, on, cal)
        return _inspection(proc)


def _suspend(
    session: Session,
    proc: Procedure,
    reason: Suspension,
    actor: str,
    on: dt.date,
    cal: WorkingCalendar,
) -> None:
    """The clock stops: the working days left are kept, the duty has no due date meanwhile."""
    assert proc.due_date is not None
    remaining = remaining_working_days(on, proc.due_date, cal)
    proc.details = {
        **(proc.details or {}),
        "suspended_on": on.isoformat(),
        "suspension": reason.value,
        "remaining_working_days": remaining,
    }
    procedure_store.set_status(session, proc.id, ProcedureStatus.SUSPENDED, actor)
    _set_inspect_due(session, proc.id, None)
    _audit(session, proc, actor, "suspended", reason=reason.value, remaining=remaining)


def _resume(
    session: Session, proc: Procedure, actor: str, on: dt.date, cal: WorkingCalendar
) -> None:
    """The count continues from the resumption with the days left (CL-155 art. 18(4))."""
    details = dict(proc.details or {})
    details.pop("suspended_on")
    details.pop("suspension", None)
    remaining = int(details.pop("remaining_working_days", 0))
    proc.due_date = resumed_due(on, remaining, cal)
    proc.details = details
    procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, actor)
    _set_inspect_due(session, proc.id, proc.due_date)
    _audit(session, proc, actor, "resumed", remaining=remaining, due_date=proc.due_date)


def _set_inspect_due(session: Session, procedure_id: int, due: dt.date | None) -> None:
    duty = _duty(session, procedure_id, "inspect")
    if duty is not None:
        duty.due_date = due


def _duty(session: Session, procedure_id: int, step: str) -> Duty | None:
    return session.scalar(select(Duty).where(Duty.procedure_id == procedure_id, Duty.step == step))


@task(name="extension-state", cache_policy=NO_CACHE)
def extension_state(inspection: Inspection) -> tuple[int, bool]:
    """Working days already added by extensions, and whether the inspection is suspended."""
    with transaction() as session:
        details = session.get_one(Procedure, inspection.procedure_id).details or {}
        return int(details.get("extended_days", 0)), bool(details.get("suspended_on"))


@task(name="request-consent", cache_policy=NO_CACHE)
def open_consent(inspection: Inspection, attempt: int) -> int:
    """The duty waiting for the consent to extend (PG order No. 32, to be confirmed)."""
    with transaction() as session:
        return procedure_store.open_duty(
            session,
            procedure_id=inspection.procedure_id,
            step=f"pg-consent-{attempt}",
            title="Consent to extend the inspection",
            assignee_id=inspection.inspectors[0],
            due_date=default_terms().due("inspection.consent_answer", today(), WorkingCalendar()),
            term_id="inspection.extension_consent",
            actor=inspection.inspectors[0],
        ).id


@task(name="extend-inspection", cache_policy=NO_CACHE)
def extend_inspection(inspection: Inspection, number: int, days: int, basis: str) -> dt.date:
    """The ``number``-th extension by ``days`` working days from the current end (18(4)),
    applied once; only called on an explicit positive decision."""
    with transaction() as session:
        proc = session.get_one(Procedure, inspection.procedure_id)
        details = dict(proc.details or {})
        applied = [str(n) for n in details.get("extensions", {})]
        if str(number) not in applied:
            assert proc.due_date is not None
            extension_days(days, int(details.get("extended_days", 0)))  # re-checked at apply
            proc.due_date = extended_due(proc.due_date, days, WorkingCalendar())
            details["extensions"] = {**details.get("extensions", {}), str(number): basis}
            details["extended_days"] = int(details.get("extended_days", 0)) + days
            proc.details = details
            _set_inspect_due(session, proc.id, proc.due_date)
            _audit(session, proc, "consent", "extended", days=days, basis=basis, due=proc.due_date)
        assert proc.due_date is not None
        return proc.due_date


@task(name="refuse-extension", cache_policy=NO_CACHE)
def extension_not_given(inspection: Inspection, number: int, answer: str) -> None:
    """No explicit consent: the term stays as it is."""
    with transaction() as session:
        _audit(session, inspection, "consent", "extension_not_given", number=number, answer=answer)


@task(name="open-acknowledgement", cache_policy=NO_CACHE)
def open_acknowledgement(inspection: Inspection, attempt: int) -> int:
    """After the справка is signed: the subject acknowledges it against signature, or refuses
    (CL-155 art. 19(2)(3)); due within the inspection's term."""
    with transaction() as session:
        proc = session.get_one(Procedure, inspection.procedure_id)
        return procedure_store.open_duty(
            session,
            procedure_id=proc.id,
            step=f"certificate-acknowledgement-{attempt}",
            title=f"Справка handed to {inspection.subject} against signature"[:300],
            assignee_id=inspection.inspectors[0],
            due_date=proc.due_date or today(),
            term_id="inspection.certificate",
            actor=inspection.inspectors[0],
        ).id


@task(name="finish-inspection", cache_policy=NO_CACHE)
def finish_inspection(
    inspection: Inspection,
    response: str,
    decided_by: str,
    acknowledgement: AcknowledgementInput | None = None,
    acknowledgement_duty: int | None = None,
) -> None:
    """The closing step: the subject's acknowledgement of the справка (or the order never
    signed) and the act decided on."""
    with transaction() as session:
        proc = session.get_one(Procedure, inspection.procedure_id)
        details: dict[str, Any] = {
            **(proc.details or {}),
            "finished": today().isoformat(),
            "response": response,
        }
        if acknowledgement is not None:
            details["certificate"] = acknowledgement.acknowledgement.value
            _audit(
                session,
                proc,
                acknowledgement.inspector,
                "certificate_acknowledged",
                acknowledgement=acknowledgement.acknowledgement.value,
                note=acknowledgement.note,
            )
        proc.details = details
        inspect = _duty(session, proc.id, "inspect")
        for duty_id in (inspect.id if inspect else None, acknowledgement_duty):
            if duty_id is not None:
                procedure_store.complete_duty(session, duty_id, decided_by)
        if proc.status is not ProcedureStatus.CLOSED:
            procedure_store.set_status(session, proc.id, ProcedureStatus.CLOSED, decided_by)
        _audit(session, proc, decided_by, "response_decided", response=response)


def _audit(
    session: Session, subject: Inspection | Procedure, actor: str, what: str, **payload: Any
) -> None:
    """One audit entry of the inspection, whether the step holds the typed record or the row."""
    audit.append(
        session,
        actor=actor,
        action=f"inspection.{what}",
        entity_kind="procedure",
        entity_id=subject.registration_number,
        payload=payload,
    )
