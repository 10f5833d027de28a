"""Review of a complaint about the investigating body by the prosecutor (CPC art. 105).

Started by the event ``prosecutor.complaint.received`` (an intake of ``prosecutor complaints
submit``, or an appeal filed on a CPC topic, CL-155 art. 24(9)), named after the complaint's
registration number. A prosecutor of the criminal area considers it within 3 сутки (the closed
list of art. 105(2)) or 7 сутки, in exceptional cases up to 15 сутки with a signed notice to the
complainant; the постановление upholding it in full or in part, or refusing it, is signed by the
head (or the deputy replacing the head) and sent to the complainant with the further appeal: to
the higher prosecutor (art. 105(1)) or the investigating judge (art. 106)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

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
from tasks.procedure_page import finished, masked
from tasks.signing import signed_document
from tasks.waiting import wait_for

TITLES = {
    "complaint_decision": "Постановление по жалобе / Шағым бойынша қаулы",
    "complaint_extension_notice": "Уведомление о продлении срока рассмотрения жалобы /"
    " Шағымды қарау мерзімін ұзарту туралы хабарлама",
}


def _run_name() -> str:
    return complaint_number(str(flow_run.parameters.get("complaint_ref", "complaint")))


def signed_letter(
    case: ComplaintCase, kind: str, step: str, drafted_by: str, fields: dict[str, Any]
) -> tuple[int, Any]:
    """A document to the complainant, in the complaint's language, signed for the office."""
    return signed_document(
        case.procedure_id,
        kind=kind,
        language=case.language,
        title=TITLES[kind],
        step=step,
        due_date=approval_due(case.due_date),
        drafted_by=drafted_by,
        fields=fields,
    )


def extend(case: ComplaintCase, conclusion: ComplaintConclusion, attempt: int) -> ComplaintCase:
    """Up to 15 сутки, the complainant told (CPC art. 105(2)): the extension takes effect with
    the signed notice, which is sent at once."""
    assert conclusion.extension_ground is not None
    new_due = extended_to(case, conclusion)
    fields = notice_fields(case, letter_fields(case), new_due, conclusion)
    notice_id, signed = signed_letter(
        case, "complaint_extension_notice", f"extension-{attempt}", conclusion.prosecutor, fields
    )
    if not signed.signed:
        get_run_logger().warning("the notice was %s: the term is not extended", signed.decision)
        return case
    case = apply_extension(
        case, new_due, conclusion.extension_ground, notice_id, conclusion.prosecutor
    )
    dispatch_document(notice_id, actor=signed.signer_id, channel="applicant")
    return case


@flow(name="review-cpc-complaint", flow_run_name=_run_name)
def review_cpc_complaint(complaint_ref: str) -> dict[str, Any]:
    """Registration → assignment (criminal area, by load) → the prosecutor's conclusion (or an
    extension to 15 сутки with a signed notice, then the conclusion) → постановление signed by
    the head or the deputy replacing the head → sent to the complainant → closed."""
    logger = get_run_logger()
    case = take_complaint(complaint_number(complaint_ref))
    result: dict[str, Any] = {"registration_number": case.registration_number}
    if case.closed:
        return {**result, "status": "already decided"}
    assignee = assign_complaint(case)
    attempt = 0
    while True:
        attempt += 1
        conclusion = wait_for(
            ComplaintConclusion,
            masked(case.procedure_id, describe(case, assignee)),
            f"conclusion-{attempt}",
            page=(case.procedure_id, "conclusion of the prosecutor"),
        )
        problem = conclusion_refused(case, assignee, conclusion)
        if problem:
            logger.warning("%s: conclusion refused: %s", case.registration_number, problem)
            continue
        if conclusion.extend:
            case = extend(case, conclusion, attempt)
            continue
        assert conclusion.outcome is not None
        fields = decision_fields(case, letter_fields(case), conclusion)
        document_id, signed = signed_letter(
            case, "complaint_decision", f"decision-{attempt}", conclusion.prosecutor, fields
        )
        if not signed.signed:
            logger.warning("the decision was %s: conclude again", signed.decision)
            continue
        dispatch_document(document_id, actor=signed.signer_id, channel="applicant")
        close_complaint(case, conclusion.outcome, document_id, signed.signer_id)
        return finished(
            case.procedure_id,
            f"decided: {conclusion.outcome.value}",
            {
                **result,
                "status": "decided",
                "outcome": conclusion.outcome.value,
                "signer": signed.signer_id,
                "due_date": case.due_date,
                "extended": case.extended,
            },
        )
