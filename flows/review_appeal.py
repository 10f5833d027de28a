"""Review of an appeal (рассмотрение обращения): CL-155 art. 24 (lex specialis), the APPC where
it says nothing else (arts. 64, 65).

Started by the event ``prosecutor.appeal.received`` (or by reconciliation), named after the
appeal's registration number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.appeals import GROUNDS, NO_GROUND, Competence, considered_when_anonymous
from models.approvals import Decision
from models.procedures import ProcedureStatus
from models.records.markdown_text import literal_inline
from models.timing.dates_kk import DateCase, date_text
from models.vocabulary import LetterStep, Step, keyed
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
    status_of,
)
from tasks.consideration import REPORT_FORM, ConsiderationReport, check_reporter, open_requests
from tasks.documents import approval_due, dispatch_document
from tasks.letters import (
    apply_extension,
    extension_notice_sent,
    inspection_ended,
    record_inspection,
)
from tasks.procedure_page import publish_procedure
from tasks.signing import signed_document
from tasks.waiting import ask


class Route(StrEnum):
    """What the review did with the appeal."""

    REVIEWED_ELSEWHERE = "reviewed elsewhere"  # another run holds it
    CPC_COMPLAINT = "cpc-complaint"  # not an appeal: CL-155 art. 24(9)
    ANONYMOUS = "anonymous"  # not considered: CL-155 art. 24(6)
    REDIRECTED = "redirected"  # to the competent body: CL-155 art. 24(1), APPC art. 65(1)
    REPEATED = "repeated"  # ended: CL-155 art. 24(8)
    ANSWERED = "answered"  # considered and replied to: CL-155 art. 24(3)-(7)


@dataclass(frozen=True, slots=True)
class AppealReview:
    """The end of a review, as a supervisor reads it: the appeal, where its procedure stands
    and why. ``status`` None only when another run reviews it."""

    registration_number: str
    route: Route
    status: ProcedureStatus | None
    outcome: str | None = None  # the reply's outcome (upheld, not_upheld, ...)
    ground: int | None = None  # CL-155 art. 24(1) item; 0: none, forwarded
    assignee: str | None = None
    signer: str | None = None  # who signed the last letter sent
    reply_document_id: int | None = None
    redirected_to: str | None = None  # the competent body
    repeats: str | None = None  # the answered appeal this one repeats
    cpc_complaint_assignee: str | None = None
    reviewed_by_run: str | None = None  # the run that reviews it, when not this one

    @property
    def summary(self) -> str:
        """One line for the run's name and the procedure's page."""
        match self.route:
            case Route.CPC_COMPLAINT:
                return "not an appeal: CPC complaint (CL-155 art. 24(9))"
            case Route.ANONYMOUS:
                return "not considered: anonymous"
            case Route.REDIRECTED:
                return f"redirected to {self.redirected_to}"
            case Route.REPEATED:
                return f"terminated: repeats {self.repeats}"
            case Route.REVIEWED_ELSEWHERE:
                return f"reviewed by run {self.reviewed_by_run}"
        return self.status.value if self.status else self.route.value


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
def review_appeal(appeal_ref: str) -> AppealReview:
    """Registration → a CPC complaint leaves (24(9)) → anonymous (24(6)) → competence: forward
    (24(1), APPC art. 65(1)) → repeated (24(8)) → assignment → ground of 24(1) (classified by
    the assistant when the topic fixes none) → consideration (requests, summons, inspection with
    an interim reply, extension to a chosen date) → reply → signature → sending → closing."""
    case = register(appeal_number(appeal_ref))
    if case.claimed_elsewhere:
        get_run_logger().warning(
            "%s is reviewed by run %s", case.registration_number, case.claimed_elsewhere
        )
        return AppealReview(
            case.registration_number,
            Route.REVIEWED_ELSEWHERE,
            None,
            reviewed_by_run=case.claimed_elsewhere,
        )
    review = route(case)
    publish_procedure(case.procedure_id, review.summary)
    return review


def route(case: AppealCase) -> AppealReview:
    """The path the law gives the appeal, in the order the law checks it."""
    competence = competence_of(case)
    if competence.cpc_term is not None:
        assignee = route_cpc_complaint(case, competence)
        return reviewed(case, Route.CPC_COMPLAINT, cpc_complaint_assignee=assignee)
    if case.anonymous and not considered_when_anonymous(competence):
        set_aside_anonymous(case)
        return reviewed(case, Route.ANONYMOUS)
    if competence.redirect_to is not None:
        return forward(case, body_of(competence, case.language))
    if previous := find_repeated(case):
        return terminate_repeat(case, previous)
    return consider(case, competence)


def reviewed(case: AppealCase, way: Route, **facts: Any) -> AppealReview:
    """The typed result, with the procedure's status as it stands now."""
    return AppealReview(case.registration_number, way, status_of(case), **facts)


def terminate_repeat(case: AppealCase, previous: str) -> AppealReview:
    """A repeat bringing nothing new of an answered appeal is ended, the applicant told
    (CL-155 art. 24(8))."""
    document_id, outcome = signed_letter(
        case, "termination_notice", LetterStep.TERMINATE, None, {"previous_number": previous}
    )
    signer = None
    if outcome.decision == Decision.APPROVE:
        signer = outcome.signer_id
        send_and_close(
            case,
            document_id,
            signer,
            ProcedureStatus.CLOSED,
            "repeated without new arguments, the earlier one answered",
        )
    return reviewed(case, Route.REPEATED, repeats=previous, signer=signer)


def forward(
    case: AppealCase,
    body: dict[str, str],
    drafted_by: str | None = None,
    assignee: str | None = None,
) -> AppealReview:
    """To the competent body within the term of APPC art. 65(1), the applicant told."""
    open_redirect_duty(case)
    document_id, outcome = signed_letter(
        case, "redirection_notice", Step.REDIRECT, drafted_by, {"body_name": body["name"]}
    )
    signer = None
    if outcome.decision == Decision.APPROVE:
        signer = outcome.signer_id
        send_and_close(
            case, document_id, signer, ProcedureStatus.REDIRECTED, f"forwarded to {body['id']}"
        )
    return reviewed(
        case,
        Route.REDIRECTED,
        redirected_to=body["id"],
        ground=case.ground,
        assignee=assignee,
        signer=signer,
    )


def grounded(case: AppealCase, competence: Competence, assignee: str) -> AppealCase:
    """The ground of 24(1) from the register, or a duty to classify it (no ground presumed)."""
    if case.ground is None and competence.ground is not None:
        record_ground(case, competence.ground, "competence-register")
        return register(case.registration_number)
    if case.ground is None:
        open_classify_duty(case, assignee)
    return case


def consider(case: AppealCase, competence: Competence) -> AppealReview:
    """The assistant reports until a final report's reply is signed; a report classifying the
    appeal as outside 24(1) forwards it instead."""
    assignee = assign(case, competence.area or "appeals")
    case = grounded(case, competence, assignee)

    def refuse(report: ConsiderationReport, attempt: int) -> str | None:
        return check_reporter(case, report, attempt)  # the case as it stands at that report

    attempt = 0
    while True:
        asked = ask(
            ConsiderationReport,
            report_description(case, assignee),
            REPORT_FORM,
            after=attempt,
            refuse=refuse,
            page=(case.procedure_id, f"report of {assignee}"),
            assistant=assignee,
        )
        report, attempt = asked.answer, asked.attempt
        case = classified(case, report)
        if case.ground == NO_GROUND:
            body = {"id": report.forward_to or "", "name": report.forward_to or ""}
            return forward(case, body, report.assistant, assignee)
        open_requests(case, report, attempt)
        case = interim_steps(case, report, attempt)
        if report.final and (answered := reply(case, report, attempt, assignee)):
            return answered


def classified(case: AppealCase, report: ConsiderationReport) -> AppealCase:
    """The ground the report gives, when it is new (CL-155 art. 24(1))."""
    if report.ground is None or report.ground == case.ground:
        return case
    record_ground(case, report.ground, report.assistant)
    return register(case.registration_number)


def reply(
    case: AppealCase, report: ConsiderationReport, attempt: int, assignee: str
) -> AppealReview | None:
    """The reply signed, sent and the appeal closed; None when the signatory sent it back, so
    the assistant reports again."""
    document_id, outcome = signed_letter(
        case,
        "reply",
        keyed(LetterStep.REPLY, attempt),
        report.assistant,
        reply_fields(case, report),
    )
    if outcome.decision != Decision.APPROVE:
        get_run_logger().info(
            "Reply %s by %s: the assistant reports again", outcome.decision, outcome.signer_id
        )
        return None
    send_and_close(
        case, document_id, outcome.signer_id, ProcedureStatus.CLOSED, report.outcome or ""
    )
    return reviewed(
        case,
        Route.ANSWERED,
        outcome=report.outcome,
        ground=case.ground,
        assignee=assignee,
        signer=outcome.signer_id,
        reply_document_id=document_id,
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
            case, "interim_reply", keyed(LetterStep.INTERIM, attempt), report.assistant, fields
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
            case, "extension_notice", keyed(LetterStep.EXTEND, attempt), report.assistant, fields
        )
        if outcome.decision == Decision.APPROVE:
            apply_extension(
                case, report.extension_until, report.extension_reason, outcome.signer_id
            )
            send(case, document_id, outcome.signer_id)
            extension_notice_sent(case, outcome.signer_id)
            case = register(case.registration_number)
    return case
