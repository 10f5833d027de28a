"""Review of an appeal (рассмотрение обращения): CL-155 art. 24 (lex specialis), the APPC where
it says nothing else (arts. 64, 65).

Started by the event ``prosecutor.appeal.received`` (or by reconciliation), named after the
appeal's registration number.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.appeals import GROUNDS, NO_GROUND, Competence, considered_when_anonymous
from models.approvals import Decision
from models.procedures import ProcedureStatus
from models.records.markdown_text import literal_inline
from models.timing.dates_kk import DateCase, date_text
from tasks.appeals import (
    AppealCase,
    appeal_number,
    assign,
    body_of,
    close,
    competence_of,
    find_repeated,
    open_classify_duty,
    open_redirect_duty,
    record_ground,
    register,
    route_cpc_complaint,
    set_aside_anonymous,
)
from tasks.consideration import ConsiderationReport, check_reporter, open_requests
from tasks.documents import approval_due, dispatch_document
from tasks.letters import (
    apply_extension,
    extension_notice_sent,
    inspection_ended,
    record_inspection,
)
from tasks.procedure_page import masked, publish_procedure
from tasks.signing import signed_document
from tasks.waiting import wait_for

LETTER_TITLES = {
    "reply": "Ответ на обращение / Өтінішке жауап",
    "redirection_notice": "Уведомление о перенаправлении / Жолдау туралы хабарлама",
    "extension_notice": "Уведомление о продлении срока / Мерзімді ұзарту туралы хабарлама",
    "termination_notice": "Уведомление о прекращении / Тоқтату туралы хабарлама",
    "interim_reply": "Промежуточный ответ / Аралық жауап",
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
            # The reply refers to the incoming appeal ("на № … от …"): its registration number
            # and the date it was received.
            "incoming_number": case.registration_number,
            "incoming_date": case.received_on,
            # Running text: kk "2026 жылғы 27 қарашадағы өтінішіңіз" (attributive), ru numeric.
            "received": date_text(case.received_on, case.language, DateCase.ATTRIBUTIVE),
            **fields,
        },
    )


def send(case: AppealCase, document_id: int, signer: str) -> None:
    """To the applicant; an anonymous applicant has no address: the letter stays on file."""
    if not case.anonymous:
        dispatch_document(document_id, actor=signer, channel="applicant")


def send_and_close(
    case: AppealCase, document_id: int, signer: str, status: ProcedureStatus, outcome: str
) -> None:
    send(case, document_id, signer)
    close(case, status, outcome, signer)


def report_description(case: AppealCase, assignee: str) -> str:
    return (
        f"## Appeal {case.registration_number}: {literal_inline(case.subject)}\n\n"
        f"**Assigned to:** `{assignee}`  \n"
        f"**Consider by:** {case.due_date:%d.%m.%Y} (CL-155 art. 24(3)-(4))  \n"
        f"**Ground (CL-155 art. 24(1)):** {ground_line(case)}\n\n"
        "Report what you established. Leave *outcome* empty for an interim report: information"
        " requests, summons, the applicant's request to see the materials, an inspection ordered"
        " on the appeal (its registration number, then the day it ended), or an extension to a"
        " date you propose, at most two months from receipt (decided by the head or a deputy,"
        " the applicant notified)."
    )


def ground_line(case: AppealCase) -> str:
    if case.ground is None:
        return "to classify in this report: 1-7, or 0 with the body to forward it to"
    if case.ground == NO_GROUND:
        return "none: forwarded to the competent body (APPC art. 65(1))"
    return f"item {case.ground}: {GROUNDS[case.ground]['ru']}"


@flow(name="review-appeal", flow_run_name=_run_name)
def review_appeal(appeal_ref: str) -> dict[str, Any]:
    """Registration → a CPC complaint leaves (24(9)) → anonymous (24(6)) → competence: forward
    (24(1), APPC art. 65(1)) → repeated (24(8)) → assignment → ground of 24(1) (classified by
    the assistant when the topic fixes none) → consideration (requests, summons, inspection with
    an interim reply, extension to a chosen date) → reply → signature → sending → closing."""
    logger = get_run_logger()
    case = register(appeal_number(appeal_ref))
    if case.claimed_elsewhere:
        logger.warning("%s is reviewed by run %s", case.registration_number, case.claimed_elsewhere)
        return {"registration_number": case.registration_number, "status": "reviewed elsewhere"}
    result: dict[str, Any] = {"registration_number": case.registration_number}

    competence = competence_of(case)
    if competence.cpc_term is not None:
        route_cpc_complaint(case, competence)
        result["status"] = "not an appeal: CPC complaint (CL-155 art. 24(9))"
    elif case.anonymous and not considered_when_anonymous(competence):
        set_aside_anonymous(case)
        result["status"] = "not considered: anonymous"
    elif competence.redirect_to is not None:
        result["status"] = forward(case, body_of(competence, case.language))
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
                "repeated without new arguments, the earlier one answered",
            )
        result["status"] = f"terminated: repeats {previous}"
    else:
        result.update(consider(case, competence))
    publish_procedure(case.procedure_id, result["status"])
    return result


def forward(case: AppealCase, body: dict[str, str], drafted_by: str | None = None) -> str:
    """To the competent body within 3 working days, the applicant told (APPC art. 65(1))."""
    open_redirect_duty(case)
    document_id, outcome = signed_letter(
        case, "redirection_notice", "redirect", drafted_by, {"body_name": body["name"]}
    )
    if outcome.decision == Decision.APPROVE:
        send_and_close(
            case,
            document_id,
            outcome.signer_id,
            ProcedureStatus.REDIRECTED,
            f"forwarded to {body['id']}",
        )
    return f"redirected to {body['id']}"


def grounded(case: AppealCase, competence: Competence, assignee: str) -> AppealCase:
    """The ground of 24(1) from the register, or a duty to classify it (no ground presumed)."""
    if case.ground is None and competence.ground is not None:
        record_ground(case, competence.ground, "competence-register")
        return register(case.registration_number)
    if case.ground is None:
        open_classify_duty(case, assignee)
    return case


def consider(case: AppealCase, competence: Competence) -> dict[str, Any]:
    logger = get_run_logger()
    assignee = assign(case, competence.area or "appeals")
    case = grounded(case, competence, assignee)
    attempt = 0
    while True:
        attempt += 1
        report = wait_for(
            ConsiderationReport,
            masked(case.procedure_id, report_description(case, assignee)),
            f"report-{attempt}",
            page=(case.procedure_id, f"report of {assignee}"),
            assistant=assignee,
        )
        refusal = check_reporter(case, report, attempt)
        if refusal:
            logger.warning(refusal)
            continue
        if report.ground is not None and report.ground != case.ground:
            record_ground(case, report.ground, report.assistant)
            case = register(case.registration_number)
        if case.ground == NO_GROUND:
            body = {"id": report.forward_to or "", "name": report.forward_to or ""}
            return {"status": forward(case, body, report.assistant), "assignee": assignee}
        open_requests(case, report, attempt)
        case = interim_steps(case, report, attempt)
        if not report.final:
            continue
        document_id, outcome = signed_letter(
            case, "reply", f"reply-{attempt}", report.assistant, reply_fields(case, report)
        )
        if outcome.decision == Decision.APPROVE:
            send_and_close(
                case, document_id, outcome.signer_id, ProcedureStatus.CLOSED, report.outcome or ""
            )
            return {
                "status": "closed",
                "outcome": report.outcome,
                "ground": case.ground,
                "assignee": assignee,
                "signer": outcome.signer_id,
                "reply_document_id": document_id,
            }
        logger.info(
            "Reply %s by %s: the assistant reports again", outcome.decision, outcome.signer_id
        )


def reply_fields(case: AppealCase, report: ConsiderationReport) -> dict[str, object]:
    assert case.ground is not None
    return {
        "findings": report.findings,
        "measures": report.measures,
        "outcome": report.outcome,
        "ground": case.ground,
        "ground_text": GROUNDS[case.ground][case.language],
    }


def interim_steps(case: AppealCase, report: ConsiderationReport, attempt: int) -> AppealCase:
    """An inspection ordered or ended (24(4) ¶2), an extension (24(4)-(5)): each moves the
    due date; the applicant gets an interim reply or a notice signed by the head or a deputy."""
    if report.inspection_number and case.inspection_number != report.inspection_number:
        record_inspection(case, report.inspection_number, report.assistant)
        case = register(case.registration_number)
        fields = {"inspection_number": report.inspection_number}
        document_id, outcome = signed_letter(
            case, "interim_reply", f"interim-{attempt}", report.assistant, fields
        )
        if outcome.decision == Decision.APPROVE:
            send(case, document_id, outcome.signer_id)
    if report.inspection_ended_on and case.inspection_ended_on != report.inspection_ended_on:
        inspection_ended(case, report.inspection_ended_on, report.assistant)
        case = register(case.registration_number)
    if report.extension_reason and report.extension_until:
        fields = {
            # kk "… қарашаға дейін" (dative), ru "до 27.11.2026".
            "new_due": date_text(report.extension_until, case.language, DateCase.DATIVE),
            "reason": report.extension_reason,
        }
        document_id, outcome = signed_letter(
            case, "extension_notice", f"extend-{attempt}", report.assistant, fields
        )
        if outcome.decision == Decision.APPROVE:
            apply_extension(
                case, report.extension_until, report.extension_reason, outcome.signer_id
            )
            send(case, document_id, outcome.signer_id)
            extension_notice_sent(case, outcome.signer_id)
            case = register(case.registration_number)
    return case
