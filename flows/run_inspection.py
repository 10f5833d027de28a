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

from dataclasses import replace
from typing import Any

from prefect import flow, get_run_logger
from prefect.events import emit_event

from models.approvals import Decision
from models.db.tables import AccessLevel
from models.procedures.acts import Answer
from models.procedures.inspections import (
    CONSENT_ADDRESSEE,
    GROUND_TEXT,
    RESPONSE_TEXT,
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
from tasks.waiting import wait_for

# What the office tells the addressee of an act decided after an inspection.
DEMANDS = "устранить выявленные нарушения закона, их причины и условия"


def _sign(
    inspection: Inspection,
    kind: str,
    title: str,
    step: str,
    drafted_by: str,
    language: str,
    fields: dict[str, Any],
) -> tuple[int, Any]:
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


def _extend(
    inspection: Inspection, report: InspectionReport, number: int, language: str
) -> Inspection:
    """An exceptional extension (CL-155 art. 18(4)): asked of the prosecutor whose consent is
    needed, or decided by the office where none is; applied only on an explicit yes."""
    logger = get_run_logger()
    already, suspended = extension_state(inspection)
    try:
        if suspended:  # its term is stopped: nothing to extend until it resumes
            raise InspectionRefused("a suspended inspection is resumed before it is extended")
        days = extension_days(report.extension_days, already)
    except InspectionRefused as refused:
        refuse_report(inspection, report.inspector, str(refused))
        logger.warning("%s", refused)
        return inspection
    needs_consent = extension_needs_consent()
    document_id, asked = _sign(
        inspection,
        "extension_request",
        "Ходатайство о продлении срока проверки / Тексеру мерзімін ұзарту туралы өтінішхат"
        if needs_consent
        else "Постановление о продлении срока проверки / Тексеру мерзімін ұзарту туралы қаулы",
        f"extension-{number}",
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
    consent = await_answer(
        open_consent(inspection, number),
        "## Consent to extend the inspection\n\nOnly *accepted* extends it. Whose consent is"
        " needed rests on PG order No. 32 (to be confirmed).",
    )
    if consent.outcome is not Answer.ACCEPTED:  # nothing but an explicit yes extends the term
        extension_not_given(inspection, number, consent.outcome or "no outcome given")
        return inspection
    due = extend_inspection(inspection, number, days, consent.text or "consent given")
    return replace(inspection, due=due)


def _demand_dues(report: InspectionReport) -> list[Any]:
    """The term of each demand, refused as a whole when one is shorter than the law allows."""
    cal, on = WorkingCalendar(), today()
    return [demand_due(on, cal, d.term_days) for d in report.demands]


def _acknowledged(inspection: Inspection, attempt: int) -> tuple[AcknowledgementInput, int]:
    """Wait until an inspector records that the subject received the справка against
    signature or refused to (CL-155 art. 19(2)(3))."""
    logger = get_run_logger()
    duty_id = open_acknowledgement(inspection, attempt)
    round_ = 0
    while True:
        round_ += 1
        given = wait_for(
            AcknowledgementInput,
            f"## {inspection.registration_number}: the справка handed to {inspection.subject}\n\n"
            "Received against signature, or refused to acknowledge?",
            f"acknowledgement-{attempt}-{round_}",
            page=(inspection.procedure_id, "the subject's acknowledgement of the справка"),
        )
        if check_inspector(inspection, given.inspector):
            return given, duty_id
        logger.warning("%s is not an inspector of %s", given.inspector, inspection.subject)


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
) -> dict[str, Any]:
    """``ground``: one of CL-155 art. 18(1)-(2); ``facts``: what gives that ground;
    ``authorisation``: the instruction of, or agreement with, the President or the Prosecutor
    General (needed for an instruction ground and for a subject of private business)."""
    logger = get_run_logger()
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
    duration = default_terms().get("inspection.duration")
    order_id, signed = _sign(
        inspection,
        "inspection_order",
        "Постановление о проведении проверки / Тексеру жүргізу туралы қаулы",
        "order",
        inspectors[0],
        language,
        {
            "ground_text": GROUND_TEXT[ground][language],
            "facts": facts,
            "authorisation_text": _authorisation_text(authorisation, language),
            "scope": scope,
            "days": duration.term,
            "inspectors": name_inspectors(inspectors, language),
            "specialists": specialists or [],
        },
    )
    if signed.decision != Decision.APPROVE:
        finish_inspection(inspection, f"order not signed: {signed.decision}", signed.signer_id)
        return finished(
            inspection.procedure_id,
            "not started",
            {"registration_number": inspection.registration_number, "started": False},
        )
    # CL-155 art. 18(4): the order is registered with the legal-statistics body before the start
    registration = await_answer(
        request_registration(inspection),
        f"## {inspection.registration_number}\n\n"
        "Waiting for the registration of the order (legal statistics, CL-155 art. 18(4)).",
        page=(inspection.procedure_id, "awaiting registration of the order"),
    )
    inspection = start_inspection(inspection, registration.text)
    dispatch_document(order_id, actor=signed.signer_id, channel="subject")
    attempt = extensions = 0
    while True:
        attempt += 1
        report = wait_for(
            InspectionReport,
            f"## {inspection.registration_number}: {subject}\n\nDue {inspection.due}. Report"
            " demands, summons, specialists, a suspension or resumption, an extension, or the"
            " findings.",
            f"report-{attempt}",
            page=(inspection.procedure_id, "report of the inspectors"),
        )
        if not check_inspector(inspection, report.inspector):
            logger.warning("%s is not an inspector of %s", report.inspector, subject)
            continue
        try:
            dues = _demand_dues(report)
        except ValueError as refused:  # CL-155 art. 26(3): not less than 3 working days
            refuse_report(inspection, report.inspector, str(refused))
            logger.warning("report refused: %s", refused)
            continue
        inspection = record_steps(inspection, report, attempt, dues)
        if report.extension_reason:
            extensions += 1
            inspection = _extend(inspection, report, extensions, language)
        if not report.final:
            continue
        response = DecidedResponse(report.response)
        try:
            check_decision(response, report.act_name)
        except InspectionRefused as refused:
            refuse_report(inspection, report.inspector, str(refused))
            logger.warning("report refused: %s", refused)
            continue
        _certificate, approved = _sign(
            inspection,
            "inspection_certificate",
            "Справка о результатах проверки / Тексеру нәтижелері туралы анықтама",
            f"certificate-{attempt}",
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
            continue
        dispatch_document(_certificate, actor=approved.signer_id, channel="subject")
        acknowledgement, duty_id = _acknowledged(inspection, attempt)
        finish_inspection(inspection, response.value, approved.signer_id, acknowledgement, duty_id)
        if response is not DecidedResponse.NONE:  # the act is its own flow, started by this
            emit_event(
                event="prosecutor.response.decided",
                resource={
                    "prefect.resource.id": "prosecutor.inspection."
                    + inspection.registration_number,
                    "prosecutor.response": response.value,
                },
                payload={
                    "act": response.value,
                    "reference": inspection.registration_number,
                    "addressee": subject,
                    "act_name": report.act_name or "",
                    "violation": report.violations or report.findings,
                    "demands": DEMANDS,
                    "responsible": report.inspector,
                },
            )
        return finished(
            inspection.procedure_id,
            f"справка acknowledged ({acknowledgement.acknowledgement.value}), "
            f"response: {response.value}",
            {
                "registration_number": inspection.registration_number,
                "started": True,
                "response": response.value,
                "certificate": acknowledgement.acknowledgement.value,
            },
        )
