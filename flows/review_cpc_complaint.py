"""Review of a complaint about the investigating body by the prosecutor (CPC art. 105).

Started by the event ``prosecutor.complaint.received`` (an intake of ``prosecutor complaints
submit``, or an appeal filed on a CPC topic, CL-155 art. 24(9)), named after the complaint's
registration number. A prosecutor of the criminal area considers it within 3 сутки (the closed
list of art. 105(2)) or 7 сутки, in exceptional cases up to 15 сутки with a signed notice to the
complainant; the постановление upholding it in full or in part, or refusing it, is signed by the
head (or the deputy replacing the head) and sent to the complainant with the further appeal: to
the higher prosecutor (art. 105(1)) or the investigating judge (art. 106)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.procedures.cpc_complaints import Outcome
from models.vocabulary import LetterStep, keyed
from tasks.cpc_complaints import (
    ComplaintCase,
    ComplaintConclusion,
    apply_extension,
    assign_complaint,
    close_complaint,
    complaint_number,
    conclusion_refused,
    decision_fields,
    describe,
    extended_to,
    letter_fields,
    notice_fields,
    take_complaint,
)
from tasks.documents import approval_due, dispatch_document
from tasks.procedure_page import finished
from tasks.signing import signed_document
from tasks.waiting import Asked, ask

TITLES = {
    "complaint_decision": "Постановление по жалобе / Шағым бойынша қаулы",
    "complaint_extension_notice": "Уведомление о продлении срока рассмотрения жалобы /"
    " Шағымды қарау мерзімін ұзарту туралы хабарлама",
}

# what follows when the letter is not signed (logged for the supervisor)
UNSIGNED = {
    "complaint_decision": "the decision was %s: conclude again",
    "complaint_extension_notice": "the notice was %s: the term is not extended",
}


class ReviewStatus(StrEnum):
    DECIDED = "decided"  # the постановление signed and sent, the complaint closed
    ALREADY_DECIDED = "already_decided"  # a replay found it closed


@dataclass(frozen=True, slots=True)
class ComplaintReview:
    """How the review ended: the outcome (CPC art. 105(3)), who signed, the term."""

    registration_number: str
    status: ReviewStatus
    outcome: Outcome | None = None
    signer: str | None = None
    due_date: dt.date | None = None
    extended: bool = False


def _run_name() -> str:
    return complaint_number(str(flow_run.parameters.get("complaint_ref", "complaint")))


def signed_letter(
    case: ComplaintCase,
    kind: str,
    step: LetterStep,
    conclusion: ComplaintConclusion,
    attempt: int,
    fields: dict[str, Any],
) -> tuple[int, str] | None:
    """A document to the complainant, in the complaint's language, drafted by the concluding
    prosecutor and signed for the office: its id and who signed, None when it was not signed."""
    document_id, signed = signed_document(
        case.procedure_id,
        kind=kind,
        language=case.language,
        title=TITLES[kind],
        step=keyed(step, attempt),
        due_date=approval_due(case.due_date),
        drafted_by=conclusion.prosecutor,
        fields=fields,
    )
    if not signed.signed:
        get_run_logger().warning(UNSIGNED[kind], signed.decision)
        return None
    return document_id, signed.signer_id


def extend(case: ComplaintCase, conclusion: ComplaintConclusion, attempt: int) -> ComplaintCase:
    """Up to 15 сутки, the complainant told (CPC art. 105(2)): the extension takes effect with
    the signed notice, which is sent at once; unsigned, the term is not extended."""
    assert conclusion.extension_ground is not None
    new_due = extended_to(case, conclusion)
    fields = notice_fields(case, letter_fields(case), new_due, conclusion)
    kind = "complaint_extension_notice"
    signed = signed_letter(case, kind, LetterStep.EXTENSION, conclusion, attempt, fields)
    if signed is None:
        return case
    notice_id, signer = signed
    case = apply_extension(
        case, new_due, conclusion.extension_ground, notice_id, conclusion.prosecutor
    )
    dispatch_document(notice_id, actor=signer, channel="applicant")
    return case


def conclusion_of(case: ComplaintCase, assignee: str, after: int) -> Asked[ComplaintConclusion]:
    """The prosecutor's conclusion, asked until one is accepted (form ``conclusion-<n>``)."""
    return ask(
        ComplaintConclusion,
        describe(case, assignee),
        "conclusion",
        after=after,
        refuse=lambda given, _n: conclusion_refused(case, assignee, given),
        page=(case.procedure_id, "conclusion of the prosecutor"),
    )


def decide(case: ComplaintCase, conclusion: ComplaintConclusion, attempt: int) -> str | None:
    """The постановление signed for the office, sent to the complainant, the complaint closed;
    who signed (None: not signed, the prosecutor concludes again)."""
    assert conclusion.outcome is not None
    fields = decision_fields(case, letter_fields(case), conclusion)
    signed = signed_letter(
        case, "complaint_decision", LetterStep.DECISION, conclusion, attempt, fields
    )
    if signed is None:
        return None
    document_id, signer = signed
    dispatch_document(document_id, actor=signer, channel="applicant")
    close_complaint(case, conclusion.outcome, document_id, signer)
    return signer


@flow(name="review-cpc-complaint", flow_run_name=_run_name)
def review_cpc_complaint(complaint_ref: str) -> ComplaintReview:
    """Registration → assignment (criminal area, by load) → the prosecutor's conclusion (or an
    extension to 15 сутки with a signed notice, then the conclusion) → постановление signed by
    the head or the deputy replacing the head → sent to the complainant → closed."""
    case = take_complaint(complaint_number(complaint_ref))
    if case.closed:
        return ComplaintReview(case.registration_number, ReviewStatus.ALREADY_DECIDED)
    assignee = assign_complaint(case)
    attempt = 0
    while True:
        asked = conclusion_of(case, assignee, attempt)
        conclusion, attempt = asked.answer, asked.attempt
        if conclusion.extend:
            case = extend(case, conclusion, attempt)
            continue
        signer = decide(case, conclusion, attempt)
        if signer is None:
            continue
        assert conclusion.outcome is not None
        return finished(
            case.procedure_id,
            f"decided: {conclusion.outcome.value}",
            ComplaintReview(
                case.registration_number,
                ReviewStatus.DECIDED,
                outcome=conclusion.outcome,
                signer=signer,
                due_date=case.due_date,
                extended=case.extended,
            ),
        )
