"""A supervisory inspection (проверка), Regulation cl. 6.2, 7.1, 8 (rights 2, 4, 5, 10,
obligations 4-5): the order signed → registered with the legal-statistics body before it starts
(it does not start without the confirmation) → a copy to the subject → the statutory term
(30 calendar days; an expert examination stops the clock; an extension of at most 30 days needs
the Prosecutor General's consent, requested inside the office first) → demands, summons,
specialists → the act → the decision on the act of response. Materials of a secret inspection
are marked secret: only staff with clearance read them, and every reading is audited."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.events import emit_event

from models.approvals import Decision
from models.calendar import WorkingCalendar, today
from models.deadlines import TermUnit, due_date
from models.tables import AccessLevel
from models.terms import default_terms
from tasks.answers import await_answer
from tasks.documents import dispatch_document
from tasks.inspections import (
    Inspection,
    InspectionReport,
    check_inspector,
    extend_inspection,
    finish_inspection,
    open_consent,
    record_steps,
    register_inspection,
    request_registration,
    start_inspection,
)
from tasks.procedure_page import finished
from tasks.signing import signed_document
from tasks.waiting import wait_for

RESPONSE_TEXT = {
    "protest": "протест",
    "submission": "представление",
    "order": "предписание",
    "suspension_demand": "требование о приостановлении",
    "admin_offence": "возбуждение производства об административном правонарушении",
    "none": "не требуется",
}


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
        due_date=due_date(today(), 2, TermUnit.WORKING_DAYS, WorkingCalendar()),
        drafted_by=drafted_by,
        access_level=AccessLevel.SECRET if inspection.secret else AccessLevel.PUBLIC,
        fields={
            "addressee_name": inspection.subject,
            "addressee_address": None,
            "subject": inspection.subject,
            **fields,
        },
    )


@flow(name="run-inspection", flow_run_name="inspection-{subject}")
def run_inspection(
    subject: str,
    grounds: str,
    scope: str,
    inspectors: list[str],
    specialists: list[str] | None = None,
    secret: bool = False,
    language: str = "ru",
) -> dict[str, Any]:
    logger = get_run_logger()
    inspection = register_inspection(subject, grounds, scope, inspectors, specialists or [], secret)
    days = default_terms().get("inspection.duration").term or 30
    order_id, signed = _sign(
        inspection,
        "inspection_order",
        "Постановление о назначении проверки / Тексеру тағайындау туралы қаулы",
        "order",
        inspectors[0],
        language,
        {
            "grounds": grounds,
            "scope": scope,
            "period_start": f"{today():%d.%m.%Y}",
            "days": days,
            "inspectors": inspectors,
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
    # the inspection does not start before the legal-statistics body confirms the registration
    registration = await_answer(
        request_registration(inspection),
        f"## {inspection.registration_number}\n\n"
        "Waiting for the registration of the order (legal statistics).",
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
            " demands, summons, specialists, an expert examination, an extension, or findings.",
            f"report-{attempt}",
            page=(inspection.procedure_id, "report of the inspectors"),
        )
        if not check_inspector(inspection, report.inspector):
            logger.warning(
                "%s is not an inspector of %s", report.inspector, inspection.registration_number
            )
            continue
        record_steps(inspection, report, attempt)
        if report.extension_reason:
            extensions += 1
            _req, asked = _sign(
                inspection,
                "extension_request",
                "Ходатайство о продлении / Ұзарту туралы өтінішхат",
                f"extension-{extensions}",
                report.inspector,
                language,
                {
                    "started": f"{inspection.started:%d.%m.%Y}",
                    "due": f"{inspection.due:%d.%m.%Y}",
                    "reason": report.extension_reason,
                    "days": 30,
                },
            )
            if asked.decision == Decision.APPROVE:
                consent = await_answer(
                    open_consent(inspection, extensions),
                    "## Consent of the Prosecutor General to the extension",
                )
                if consent.outcome is None or consent.outcome.value in {"accepted", "partly"}:
                    extend_inspection(inspection, consent.text or "consent given")
        if not report.final:
            continue
        response = str(
            report.response.value if hasattr(report.response, "value") else report.response
        )
        _act, approved = _sign(
            inspection,
            "inspection_act",
            "Акт проверки / Тексеру актісі",
            f"act-{attempt}",
            report.inspector,
            language,
            {
                "started": f"{inspection.started:%d.%m.%Y}",
                "finished": f"{today():%d.%m.%Y}",
                "findings": report.findings,
                "violations": report.violations,
                "response_text": RESPONSE_TEXT.get(response, response),
            },
        )
        if approved.decision != Decision.APPROVE:
            continue
        finish_inspection(inspection, response, approved.signer_id)
        if response != "none":  # the act of response is its own flow, started by this event
            emit_event(
                event="prosecutor.response.decided",
                resource={
                    "prefect.resource.id": "prosecutor.inspection."
                    + inspection.registration_number,
                    "prosecutor.response": response,
                },
                payload={
                    "reference": inspection.registration_number,
                    "addressee": subject,
                    "act_name": subject,
                    "violation": report.violations or report.findings,
                    "demands": "устранить выявленные нарушения, их причины и условия",
                    "responsible": report.inspector,
                },
            )
        return finished(
            inspection.procedure_id,
            f"act signed, response: {response}",
            {
                "registration_number": inspection.registration_number,
                "started": True,
                "response": response,
            },
        )
