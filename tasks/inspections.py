"""Steps of an inspection of compliance with the law (проверка соблюдения законности),
CL-155 arts. 18, 19, 26(3), 37(1)(6): the order registered before the start, the term in working
days with its suspensions and extension, demands for documents, and the справка acknowledged by
the subject. The rules are in ``models.procedures.inspections``, the storage in
``models.procedures.inspection_store``."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import BaseModel, Field

from models.appeals import may_report
from models.db import transaction
from models.office.roster_store import read_roster
from models.procedures import inspection_store
from models.procedures import store as procedure_store
from models.procedures.inspection_store import Receipt
from models.procedures.inspections import (
    Acknowledgement,
    Authorisation,
    DecidedResponse,
    Ground,
    Inspection,
    InspectionRecord,
    Suspension,
    inspection_due,
    named_person,
)
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms
from models.vocabulary import Step, numbered
from tasks.step import step

# Term rows this module counts (the office checks them at start-up).
REGISTRATION_TERM = "inspection.registration"
SUMMONS_TERM = "inspection.summons"
CONSENT_ANSWER_TERM = "inspection.consent_answer"
EXTENSION_CONSENT_TERM = "inspection.extension_consent"
CERTIFICATE_TERM = "inspection.certificate"
DEMAND_TERM = "demand.documents"
TERMS = (
    REGISTRATION_TERM,
    SUMMONS_TERM,
    CONSENT_ANSWER_TERM,
    EXTENSION_CONSENT_TERM,
    CERTIFICATE_TERM,
    DEMAND_TERM,
)

__all__ = ["AcknowledgementInput", "DemandInput", "Inspection", "InspectionReport"]


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


@step
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
    record = InspectionRecord(
        subject=subject,
        ground=ground,
        facts=facts,
        private_business=private_business,
        authorisation=authorisation,
        scope=scope,
        inspectors=tuple(inspectors),
        specialists=tuple(specialists),
        secret=secret,
    )
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else None
    with transaction() as session:
        return inspection_store.register(session, record, on=today(), flow_run_id=run_id)


@step
def name_inspectors(inspectors: list[str] | tuple[str, ...], language: str) -> list[str]:
    """Name and position of each inspector from the roster (CL-155 art. 19(1)(1))."""
    with transaction() as session:
        roster = read_roster(session)
        return [
            named_person(roster.member(i).name, roster.member(i).position, language)
            for i in inspectors
        ]


@step
def request_registration(inspection: Inspection, adapter: RegistrationAdapter | None = None) -> int:
    """Ask the legal-statistics body to register the order: the inspection does not start
    before it is registered (CL-155 arts. 18(4), 19(1)(1))."""
    lead = inspection.inspectors[0]
    with transaction() as session:
        existing = procedure_store.duty_of(session, inspection.procedure_id, Step.REGISTRATION)
        if existing is not None:
            return existing.id
        note = (adapter or RecordingAdapter()).request(inspection)
        duty = procedure_store.open_duty(
            session,
            procedure_id=inspection.procedure_id,
            step=Step.REGISTRATION,  # of the order, with the legal-statistics body
            title="Registration of the order with the legal-statistics body",
            assignee_id=lead,
            due_date=today(),
            term_id=REGISTRATION_TERM,
            actor=lead,
        )
        inspection_store.record_event(
            session, inspection.registration_number, lead, "registration_requested", note=note
        )
        return duty.id


@step
def start_inspection(inspection: Inspection, registration: str) -> Inspection:
    """Registered: the inspection starts today and lasts at most 30 working days (18(4))."""
    on = today()
    due = inspection_due(on, WorkingCalendar())
    with transaction() as session:
        return inspection_store.start(session, inspection, registration, on, due)


@step
def check_inspector(inspection: Inspection, staff_id: str) -> bool:
    with transaction() as session:
        return staff_id in inspection.inspectors or may_report(
            read_roster(session), today(), inspection.inspectors[0], staff_id
        )


@step
def refuse_report(inspection: Inspection, inspector: str, reason: str) -> None:
    """A report the law does not allow is refused as a whole, and the refusal audited."""
    with transaction() as session:
        inspection_store.record_event(
            session, inspection.registration_number, inspector, "report_refused", reason=reason
        )


@step
def record_steps(
    inspection: Inspection, report: InspectionReport, attempt: int, demand_dues: list[dt.date]
) -> Inspection:
    """Demands (their terms already checked, CL-155 art. 26(3)), summons and specialists, each
    a duty; a suspension stops the clock and the resumption restarts it (18(4))."""
    cal, on = WorkingCalendar(), today()
    summons_due = default_terms().due(SUMMONS_TERM, on, cal)
    duties = [
        (numbered("demand", attempt, i), f"{d.addressee}: {d.what}", due, DEMAND_TERM)
        for i, (d, due) in enumerate(zip(report.demands, demand_dues, strict=True), start=1)
    ] + [
        (
            numbered(Step.SUMMONS, attempt, i),
            f"Explanations of {p}",
            summons_due,
            SUMMONS_TERM,
        )
        for i, p in enumerate(report.summons, start=1)
    ]
    with transaction() as session:
        for duty_step, title, due, term_id in duties:
            procedure_store.open_duty(
                session,
                procedure_id=inspection.procedure_id,
                step=duty_step,
                title=title[:300],
                assignee_id=report.inspector,
                due_date=due,
                term_id=term_id,
                actor=report.inspector,
            )
        return inspection_store.record_progress(
            session,
            inspection,
            actor=report.inspector,
            specialists=report.specialists,
            suspension=report.suspension,
            resumed=report.resumed,
            on=on,
            calendar=cal,
        )


@step
def extension_state(inspection: Inspection) -> tuple[int, bool]:
    """Working days already added by extensions, and whether the inspection is suspended."""
    with transaction() as session:
        return inspection_store.extension_state(session, inspection.procedure_id)


@step
def open_consent(inspection: Inspection, attempt: int) -> int:
    """The duty waiting for the consent to extend (PG order No. 32, to be confirmed)."""
    due = default_terms().due(CONSENT_ANSWER_TERM, today(), WorkingCalendar())
    with transaction() as session:
        return procedure_store.open_duty(
            session,
            procedure_id=inspection.procedure_id,
            step=numbered("pg-consent", attempt),
            title="Consent to extend the inspection",
            assignee_id=inspection.inspectors[0],
            due_date=due,
            term_id=EXTENSION_CONSENT_TERM,
            actor=inspection.inspectors[0],
        ).id


@step
def extend_inspection(inspection: Inspection, number: int, days: int, basis: str) -> dt.date:
    """The ``number``-th extension by ``days`` working days from the current end (18(4)),
    applied once; only called on an explicit positive decision."""
    with transaction() as session:
        return inspection_store.extend(session, inspection.procedure_id, number, days, basis)


@step
def extension_not_given(inspection: Inspection, number: int, answer: str) -> None:
    """No explicit consent: the term stays as it is."""
    with transaction() as session:
        inspection_store.record_event(
            session,
            inspection.registration_number,
            "consent",
            "extension_not_given",
            number=number,
            answer=answer,
        )


@step
def open_acknowledgement(inspection: Inspection, attempt: int) -> int:
    """After the справка is signed: the subject acknowledges it against signature, or refuses
    (CL-155 art. 19(2)(3)); due within the inspection's term."""
    on = today()
    with transaction() as session:
        return procedure_store.open_duty(
            session,
            procedure_id=inspection.procedure_id,
            step=numbered("certificate-acknowledgement", attempt),
            title=f"Справка handed to {inspection.subject} against signature"[:300],
            assignee_id=inspection.inspectors[0],
            due_date=inspection_store.term_end(session, inspection.procedure_id) or on,
            term_id=CERTIFICATE_TERM,
            actor=inspection.inspectors[0],
        ).id


@step
def finish_inspection(
    inspection: Inspection,
    response: str,
    decided_by: str,
    acknowledgement: AcknowledgementInput | None = None,
    acknowledgement_duty: int | None = None,
) -> None:
    """The closing step: the subject's acknowledgement of the справка (or the order never
    signed) and the act decided on."""
    receipt = None
    if acknowledgement is not None:
        receipt = Receipt(
            acknowledgement.acknowledgement,
            acknowledgement.inspector,
            acknowledgement.note,
            acknowledgement_duty,
        )
    with transaction() as session:
        inspection_store.finish(
            session,
            inspection,
            response=response,
            decided_by=decided_by,
            on=today(),
            receipt=receipt,
        )
