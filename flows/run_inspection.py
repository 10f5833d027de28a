"""An inspection of compliance with the law (проверка соблюдения законности), CL-155 arts. 18,
19, 26, 37(1)(6): the постановление ordering it on one ground of art. 18(1)-(2) (private business
only on the instruction of, or by agreement with, the President or the Prosecutor General) →
signed → registered with the legal-statistics body before it starts (18(4)) → a copy to the
subject against signature (19(2)(3)) → at most 30 working days; a suspension stops the clock, an
exceptional extension adds at most 30 working days, applied only on an explicit positive decision
(whether the Prosecutor General consents rests on PG order No. 32: a setting, to be confirmed) →
demands for documents in a term of at least 3 working days (26(3)), summons, specialists → the
справка of the results, signed and handed to the subject against signature (19(2)(3)) → the act
decided on. Materials of a secret inspection are marked secret: only staff with clearance read
them, and every reading is audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from prefect import flow, get_run_logger
from prefect.events import emit_event
from pydantic import BaseModel, ConfigDict

from models.approvals import Decision
from models.approvals.decisions import DecisionOutcome
from models.db.tables import AccessLevel
from models.procedures.acts import Answer
from models.procedures.inspections import (
    CONSENT_ADDRESSEE,
    GROUND_TEXT,
    RESPONSE_TEXT,
    Acknowledgement,
    Authorisation,
    DecidedResponse,
    Ground,
    InspectionRefused,
    check_decision,
    check_grounds,
    demand_due,
    extension_days,
    extension_needs_consent,
)
from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import date_text
from models.timing.terms import default_terms
from models.vocabulary import (
    RESPONSE_DECIDED,
    LetterStep,
    attempt_key,
    inspection_resource,
    numbered,
)
from tasks.answers import await_answer
from tasks.documents import approval_due, dispatch_document
from tasks.inspections import (
    AcknowledgementInput,
    Inspection,
    InspectionReport,
    check_inspector,
    extend_inspection,
    extension_not_given,
    extension_state,
    finish_inspection,
    name_inspectors,
    open_acknowledgement,
    open_consent,
    record_steps,
    refuse_report,
    register_inspection,
    request_registration,
    start_inspection,
)
from tasks.procedure_page import finished
from tasks.signing import signed_document
from tasks.waiting import ask

# Term rows this module counts (the office checks them at start-up).
DURATION_TERM = "inspection.duration"  # срок проверки
TERMS = (DURATION_TERM,)

# What the office tells the addressee of an act decided after an inspection.
DEMANDS = "устранить выявленные нарушения закона, их причины и условия"


class InspectionResult(BaseModel):
    """How the inspection ended: started or not (the order unsigned), the act decided on and
    the subject's acknowledgement of the справка (CL-155 art. 19(2)(3))."""

    model_config = ConfigDict(frozen=True)

    registration_number: str
    started: bool
    response: DecidedResponse | None = None
    certificate: Acknowledgement | None = None


@dataclass(frozen=True, slots=True)
class Decided:
    """The final report whose справка was signed and handed over: what the inspectors found
    and the act decided on."""

    report: InspectionReport
    response: DecidedResponse
    attempt: int  # the report's number, part of its forms' keys
    signer_id: str


def _sign(
    inspection: Inspection,
    kind: str,
    title: str,
    step: str,
    drafted_by: str,
    language: str,
    fields: dict[str, Any],
) -> tuple[int, DecisionOutcome]:
    return signed_document(
        inspection.procedure_id,
        kind=kind,
        language=language,
        title=title,
        step=step,
        due_date=approval_due(inspection.due),  # never past the inspection's own term
        drafted_by=drafted_by,
        access_level=AccessLevel.SECRET if inspection.secret else AccessLevel.PUBLIC,
        fields={
            "addressee_name": inspection.subject,
            "addressee_address": None,
            "subject": inspection.subject,
            **fields,
        },
    )


def _authorisation_text(authorisation: Authorisation | None, language: str) -> str:
    if authorisation is None:
        return ""
    by = {
        ("president", "ru"): "Президента Республики Казахстан",
        ("prosecutor_general", "ru"): "Генерального Прокурора Республики Казахстан",
        ("president", "kk"): "Қазақстан Республикасы Президентінің",
        ("prosecutor_general", "kk"): "Қазақстан Республикасы Бас Прокурорының",
    }[(authorisation.by.value, language)]
    form = {
        ("instruction", "ru"): "поручение",
        ("agreement", "ru"): "согласование",
        ("instruction", "kk"): "тапсырмасы",
        ("agreement", "kk"): "келісімі",
    }[(authorisation.form.value, language)]
    if language == "ru":
        return f"{form} {by} {authorisation.reference}"
    return f"{by} {form} {authorisation.reference}"


def _order(
    inspection: Inspection,
    ground: Ground,
    facts: str,
    scope: str,
    authorisation: Authorisation | None,
    specialists: list[str],
    language: str,
) -> tuple[int, DecisionOutcome]:
    """The постановление ordering the inspection, drafted and put to signature: the ground,
    the facts, the instruction or agreement, the scope, the term and the persons by name and
    position (CL-155 arts. 18, 19(1)(1), 37(1)(6))."""
    duration = default_terms().get(DURATION_TERM)
    return _sign(
        inspection,
        "inspection_order",
        "Постановление о проведении проверки / Тексеру жүргізу туралы қаулы",
        "order",
        inspection.inspectors[0],
        language,
        {
            "ground_text": GROUND_TEXT[ground][language],
            "facts": facts,
            "authorisation_text": _authorisation_text(authorisation, language),
            "scope": scope,
            "days": duration.term,
            "inspectors": name_inspectors(inspection.inspectors, language),
            "specialists": specialists,
        },
    )


def _start(inspection: Inspection, order_id: int, signer_id: str) -> Inspection:
    """CL-155 art. 18(4): the order is registered with the legal-statistics body before the
    start; then the term runs and the subject gets a copy (19(2)(3))."""
    registration = await_answer(
        request_registration(inspection),
        f"## {inspection.registration_number}\n\n"
        "Waiting for the registration of the order (legal statistics, CL-155 art. 18(4)).",
        page=(inspection.procedure_id, "awaiting registration of the order"),
    )
    started = start_inspection(inspection, registration.text)
    dispatch_document(order_id, actor=signer_id, channel="subject")
    return started


def _extend(
    inspection: Inspection, report: InspectionReport, number: int, language: str
) -> Inspection:
    """An exceptional extension (CL-155 art. 18(4)): asked of the prosecutor whose consent is
    needed, or decided by the office where none is; applied only on an explicit yes."""
    already, suspended = extension_state(inspection)
    try:
        if suspended:  # its term is stopped: nothing to extend until it resumes
            raise InspectionRefused("a suspended inspection is resumed before it is extended")
        days = extension_days(report.extension_days, already)
    except InspectionRefused as refused:
        refuse_report(inspection, report.inspector, str(refused))
        get_run_logger().warning("%s", refused)
        return inspection
    needs_consent = extension_needs_consent()
    document_id, asked = _sign(
        inspection,
        "extension_request",
        "Ходатайство о продлении срока проверки / Тексеру мерзімін ұзарту туралы өтінішхат"
        if needs_consent
        else "Постановление о продлении срока проверки / Тексеру мерзімін ұзарту туралы қаулы",
        numbered(LetterStep.EXTENSION, number),
        report.inspector,
        language,
        {
            "addressee_name": CONSENT_ADDRESSEE[language] if needs_consent else inspection.subject,
            "needs_consent": needs_consent,
            "started": date_text(inspection.started, language),
            "due": date_text(inspection.due, language),
            "reason": report.extension_reason,
            "days": days,
        },
    )
    if asked.decision != Decision.APPROVE:
        extension_not_given(inspection, number, f"not signed: {asked.decision}")
        return inspection
    if not needs_consent:  # the signed постановление is the decision; the subject is told
        dispatch_document(document_id, actor=asked.signer_id, channel="subject")
        due = extend_inspection(inspection, number, days, f"decided by {asked.signer_id}")
        return replace(inspection, due=due)
    dispatch_document(document_id, actor=asked.signer_id, channel="consent")
    return _with_consent(inspection, number, days)


def _with_consent(inspection: Inspection, number: int, days: int) -> Inspection:
    """The extension applied on the consent asked for; nothing but an explicit yes extends."""
    consent = await_answer(
        open_consent(inspection, number),
        "## Consent to extend the inspection\n\nOnly *accepted* extends it. Whose consent is"
        " needed rests on PG order No. 32 (to be confirmed).",
    )
    if consent.outcome is not Answer.ACCEPTED:
        extension_not_given(inspection, number, consent.outcome or "no outcome given")
        return inspection
    due = extend_inspection(inspection, number, days, consent.text or "consent given")
    return replace(inspection, due=due)


def _demand_dues(report: InspectionReport) -> list[Any]:
    """The term of each demand, refused as a whole when one is shorter than the law allows."""
    cal, on = WorkingCalendar(), today()
    return [demand_due(on, cal, d.term_days) for d in report.demands]


def _refusal(inspection: Inspection) -> Callable[[InspectionReport, int], str | None]:
    """Why a report is not taken: not from an inspector (or the person replacing one), or a
    demand's term shorter than the law allows (CL-155 art. 26(3), audited)."""

    def refuse(report: InspectionReport, _attempt: int) -> str | None:
        if not check_inspector(inspection, report.inspector):
            return f"{report.inspector} is not an inspector of {inspection.subject}"
        try:
            _demand_dues(report)
        except ValueError as refused:  # not less than 3 working days
            refuse_report(inspection, report.inspector, str(refused))
            return str(refused)
        return None

    return refuse


def _inspect(inspection: Inspection, language: str) -> tuple[Inspection, Decided]:
    """The inspection's course: each report's demands, summons, specialists, a suspension or
    resumption and an extension are recorded, until a final report's справка is signed."""
    attempt = extensions = 0
    while True:
        asked = ask(
            InspectionReport,
            f"## {inspection.registration_number}: {inspection.subject}\n\nDue"
            f" {inspection.due}. Report demands, summons, specialists, a suspension or"
            " resumption, an extension, or the findings.",
            "report",
            after=attempt,
            refuse=_refusal(inspection),
            page=(inspection.procedure_id, "report of the inspectors"),
        )
        report, attempt = asked.answer, asked.attempt
        inspection = record_steps(inspection, report, attempt, _demand_dues(report))
        if report.extension_reason:
            extensions += 1
            inspection = _extend(inspection, report, extensions, language)
        decided = _certify(inspection, report, attempt, language) if report.final else None
        if decided is not None:
            return inspection, decided


def _certify(
    inspection: Inspection, report: InspectionReport, attempt: int, language: str
) -> Decided | None:
    """The справка of the results with the act decided on, signed and handed to the subject
    (CL-155 art. 19(2)(3)); None when the decision is refused (a protest or decree names the
    act it contests, arts. 33(1), 37(1)) or the справка is not signed."""
    response = DecidedResponse(report.response)
    try:
        check_decision(response, report.act_name)
    except InspectionRefused as refused:
        refuse_report(inspection, report.inspector, str(refused))
        get_run_logger().warning("report refused: %s", refused)
        return None
    certificate_id, approved = _sign(
        inspection,
        "inspection_certificate",
        "Справка о результатах проверки / Тексеру нәтижелері туралы анықтама",
        numbered(LetterStep.CERTIFICATE, attempt),
        report.inspector,
        language,
        {
            "started": date_text(inspection.started, language),
            "finished": date_text(today(), language),
            "inspectors": name_inspectors(inspection.inspectors, language),
            "findings": report.findings,
            "violations": report.violations,
            "act_name": report.act_name,
            "response_text": RESPONSE_TEXT[response][language],
        },
    )
    if approved.decision != Decision.APPROVE:
        return None
    dispatch_document(certificate_id, actor=approved.signer_id, channel="subject")
    return Decided(report, response, attempt, approved.signer_id)


def _acknowledged(inspection: Inspection, attempt: int) -> tuple[AcknowledgementInput, int]:
    """Wait until an inspector records that the subject received the справка against
    signature or refused to (CL-155 art. 19(2)(3))."""
    duty_id = open_acknowledgement(inspection, attempt)
    given = ask(
        AcknowledgementInput,
        f"## {inspection.registration_number}: the справка handed to {inspection.subject}\n\n"
        "Received against signature, or refused to acknowledge?",
        attempt_key("acknowledgement", attempt),
        refuse=lambda answer, _n: (
            None
            if check_inspector(inspection, answer.inspector)
            else f"{answer.inspector} is not an inspector of {inspection.subject}"
        ),
        page=(inspection.procedure_id, "the subject's acknowledgement of the справка"),
    )
    return given.answer, duty_id


def _announce(inspection: Inspection, decided: Decided) -> None:
    """The act decided on is its own flow (``issue-act``), started by this event."""
    report = decided.report
    emit_event(
        event=RESPONSE_DECIDED,
        resource={
            "prefect.resource.id": inspection_resource(inspection.registration_number),
            "prosecutor.response": decided.response.value,
        },
        payload={
            "act": decided.response.value,
            "reference": inspection.registration_number,
            "addressee": inspection.subject,
            "act_name": report.act_name or "",
            "violation": report.violations or report.findings,
            "demands": DEMANDS,
            "responsible": report.inspector,
        },
    )


@flow(name="run-inspection", flow_run_name="inspection-{subject}")
def run_inspection(
    subject: str,
    ground: Ground,
    facts: str,
    scope: str,
    inspectors: list[str],
    private_business: bool = False,
    authorisation: Authorisation | None = None,
    specialists: list[str] | None = None,
    secret: bool = False,
    language: str = "ru",
) -> InspectionResult:
    """``ground``: one of CL-155 art. 18(1)-(2); ``facts``: what gives that ground;
    ``authorisation``: the instruction of, or agreement with, the President or the Prosecutor
    General (needed for an instruction ground and for a subject of private business)."""
    ground = Ground(ground)
    check_grounds(ground, private_business, authorisation)  # refused before anything is stored
    inspection = register_inspection(
        subject,
        ground,
        facts,
        scope,
        inspectors,
        specialists or [],
        secret,
        private_business,
        authorisation,
    )
    number = inspection.registration_number
    order_id, signed = _order(
        inspection, ground, facts, scope, authorisation, specialists or [], language
    )
    if signed.decision != Decision.APPROVE:
        finish_inspection(inspection, f"order not signed: {signed.decision}", signed.signer_id)
        return finished(
            inspection.procedure_id,
            "not started",
            InspectionResult(registration_number=number, started=False),
        )
    inspection = _start(inspection, order_id, signed.signer_id)
    inspection, decided = _inspect(inspection, language)
    receipt, duty_id = _acknowledged(inspection, decided.attempt)
    finish_inspection(inspection, decided.response.value, decided.signer_id, receipt, duty_id)
    if decided.response is not DecidedResponse.NONE:
        _announce(inspection, decided)
    return finished(
        inspection.procedure_id,
        f"справка acknowledged ({receipt.acknowledgement.value}), "
        f"response: {decided.response.value}",
        InspectionResult(
            registration_number=number,
            started=True,
            response=decided.response,
            certificate=receipt.acknowledgement,
        ),
    )
