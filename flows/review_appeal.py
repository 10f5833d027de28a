"""Review of an appeal (рассмотрение обращения): Regulation cl. 6.1, 8 (obligations 1-2, right 7);
APPC arts. 64, 65, 76.

Started by the event ``prosecutor.appeal.received`` (or by reconciliation), named after the
appeal's registration number.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.approvals import Decision
from models.procedures import ProcedureStatus
from tasks.appeals import (
    AppealCase,
    appeal_number,
    assign,
    close,
    competence_of,
    find_repeated,
    open_redirect_duty,
    register,
    set_aside_anonymous,
)
from tasks.consideration import ConsiderationReport, check_reporter, open_requests
from tasks.documents import approval_due, dispatch_document
from tasks.letters import apply_extension, extended_due
from tasks.procedure_page import publish_procedure
from tasks.signing import signed_document
from tasks.waiting import wait_for

LETTER_TITLES = {
    "reply": "Ответ на обращение / Өтінішке жауап",
    "redirection_notice": "Уведомление о перенаправлении / Жолдау туралы хабарлама",
    "extension_notice": "Уведомление о продлении срока / Мерзімді ұзарту туралы хабарлама",
    "termination_notice": "Уведомление о прекращении / Тоқтату туралы хабарлама",
}


def _run_name() -> str:
    return appeal_number(str(flow_run.parameters.get("appeal_ref", "appeal")))


def signed_letter(
    case: AppealCase, kind: str, step: str, drafted_by: str | None, fields: dict[str, object]
) -> tuple[int, Any]:
    """A letter to the applicant, in their language, signed by the person it names."""
    return signed_document(
        case.procedure_id,
        kind=kind,
        language=case.language,
        title=LETTER_TITLES[kind],
        step=step,
        due_date=approval_due(case.due_date),
        drafted_by=drafted_by,
        fields={
            "applicant_name": case.applicant_name,
            "addressee_name": case.applicant_name,
            "addressee_address": case.applicant_address,
            "subject": case.subject,
            "received": f"{case.received_on:%d.%m.%Y}",
            **fields,
        },
    )


def send_and_close(
    case: AppealCase, document_id: int, signer: str, status: ProcedureStatus, outcome: str
) -> None:
    dispatch_document(document_id, actor=signer, channel="applicant")
    close(case, status, outcome, signer)


def report_description(case: AppealCase, assignee: str) -> str:
    return (
        f"## Appeal {case.registration_number}: {case.subject}\n\n"
        f"**Assigned to:** `{assignee}`  \n"
        f"**Consider by:** {case.due_date:%d.%m.%Y} (APPC art. 76)\n\n"
        "Report what you established. Leave *outcome* empty for an interim report: information"
        " requests, summons, the applicant's request to see the materials, or an extension of the"
        " term (approved by the head or the acting deputy, the applicant notified)."
    )


@flow(name="review-appeal", flow_run_name=_run_name)
def review_appeal(appeal_ref: str) -> dict[str, Any]:
    """Registration → competence → anonymous and repeated appeals → assignment →
    consideration (requests, summons, extension) → reply → signature → sending → closing."""
    logger = get_run_logger()
    case = register(appeal_number(appeal_ref))
    if case.claimed_elsewhere:
        logger.warning("%s is reviewed by run %s", case.registration_number, case.claimed_elsewhere)
        return {"registration_number": case.registration_number, "status": "reviewed elsewhere"}
    result: dict[str, Any] = {"registration_number": case.registration_number}

    if case.anonymous:
        set_aside_anonymous(case)
        result["status"] = "not considered: anonymous"
    elif (competence := competence_of(case))[1] is not None:
        body = competence[1]
        open_redirect_duty(case)
        document_id, outcome = signed_letter(
            case, "redirection_notice", "redirect", None, {"body_name": body["name"]}
        )
        if outcome.decision == Decision.APPROVE:
            send_and_close(
                case,
                document_id,
                outcome.signer_id,
                ProcedureStatus.REDIRECTED,
                f"forwarded to {body['id']}",
            )
        result["status"] = f"redirected to {body['id']}"
    elif previous := find_repeated(case):
        document_id, outcome = signed_letter(
            case, "termination_notice", "terminate", None, {"previous_number": previous}
        )
        if outcome.decision == Decision.APPROVE:
            send_and_close(
                case,
                document_id,
                outcome.signer_id,
                ProcedureStatus.CLOSED,
                "repeated without new arguments",
            )
        result["status"] = f"terminated: repeats {previous}"
    else:
        result.update(consider(case, competence[0] or "appeals"))
    publish_procedure(case.procedure_id, result["status"])
    return result


def consider(case: AppealCase, area: str) -> dict[str, Any]:
    logger = get_run_logger()
    assignee = assign(case, area)
    attempt = extensions = 0
    while True:
        attempt += 1
        report = wait_for(
            ConsiderationReport,
            report_description(case, assignee),
            f"report-{attempt}",
            page=(case.procedure_id, f"report of {assignee}"),
            assistant=assignee,
        )
        refusal = check_reporter(case, report, attempt)
        if refusal:
            logger.warning(refusal)
            continue
        open_requests(case, report, attempt)
        if report.extension_reason:
            extensions += 1
            new_due = extended_due(case)
            fields = {"new_due": f"{new_due:%d.%m.%Y}", "reason": report.extension_reason}
            document_id, outcome = signed_letter(
                case, "extension_notice", f"extend-{extensions}", report.assistant, fields
            )
            if outcome.decision == Decision.APPROVE:
                apply_extension(case, new_due, report.extension_reason, outcome.signer_id)
                dispatch_document(document_id, actor=outcome.signer_id, channel="applicant")
                case = register(case.registration_number)
        if not report.final:
            continue
        fields = {
            "findings": report.findings,
            "measures": report.measures,
            "outcome": report.outcome,
        }
        document_id, outcome = signed_letter(
            case, "reply", f"reply-{attempt}", report.assistant, fields
        )
        if outcome.decision == Decision.APPROVE:
            send_and_close(
                case, document_id, outcome.signer_id, ProcedureStatus.CLOSED, report.outcome or ""
            )
            return {
                "status": "closed",
                "outcome": report.outcome,
                "assignee": assignee,
                "signer": outcome.signer_id,
                "reply_document_id": document_id,
            }
        logger.info(
            "Reply %s by %s: the assistant reports again", outcome.decision, outcome.signer_id
        )
