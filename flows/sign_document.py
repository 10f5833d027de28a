"""Sign and send an outgoing document of a procedure (Regulation cl. 15): draft, an optional
visa (виза) of an assistant or deputy, the signature of the person authorised on the day of
decision, dispatch. A visa is never a signature: nothing leaves the office on a visa alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import flow, get_run_logger

from models.approvals.decisions import VISA_GIVEN, DecisionOutcome
from models.office.schemas import Language
from models.vocabulary import Step, keyed
from tasks.approvals import request_approval
from tasks.documents import (
    ProcedureRef,
    approval_due,
    dispatch_document,
    draft_document,
    find_procedure,
)
from tasks.procedure_page import publish_procedure


@dataclass(frozen=True, slots=True)
class SignedDocument:
    """What became of the document: the last decision on it (approve, reject, return, or
    ``visa`` refused at the visa), who gave it, who gave the visa and when it was sent."""

    registration_number: str
    document_id: int
    decision: str
    signer: str
    visa: str | None  # who gave the visa, when one was asked for and given
    signature_id: int | None
    dispatched_at: dt.datetime | None  # None: not sent (returned, rejected or never signed)


def _approval(
    procedure: ProcedureRef,
    step: Step,
    document_id: int,
    due: dt.date,
    drafter: str | None,
    visa_by: str | None = None,
) -> DecisionOutcome:
    """The visa asked of ``visa_by`` (or whoever replaces them that day), or with no
    ``visa_by`` the signature of the person authorised on the day of decision."""
    return request_approval(
        procedure.id,
        step=keyed(step, document_id),
        document_id=document_id,
        due_date=due,
        drafter_id=drafter,
        visa_by=visa_by,
    )


@flow(name="sign-document", flow_run_name="{registration_number}: {kind} for signature")
def sign_document(
    registration_number: str,
    title: str,
    body: str,
    language: Language = Language.RU,
    kind: str = "letter",
    drafter_id: str | None = None,
    due_date: dt.date | None = None,
    visa_by: str | None = None,
    channel: str = "post",
) -> SignedDocument:
    """Draft → visa (when asked for) → sign → send. A document returned or rejected at either
    step is not sent; a visa given leads to the signatory, never straight to dispatch."""
    procedure = find_procedure(registration_number)
    document_id = draft_document(procedure.id, kind, language.value, title, body, drafter_id)
    due = due_date or approval_due(procedure.due_date)
    visa = None
    if visa_by is not None:
        visa = _approval(procedure, Step.VISA, document_id, due, drafter_id, visa_by)
        if visa.decision != VISA_GIVEN:
            publish_procedure(procedure.id, f"{kind} {visa.decision} at the visa")
            return _result(registration_number, document_id, visa, None, visa_by=None)
    outcome = _approval(procedure, Step.SIGN, document_id, due, drafter_id)
    sent = None
    if outcome.signed:
        sent = dispatch_document(document_id, actor=outcome.signer_id, channel=channel)
        get_run_logger().info("%s sent by %s on %s", title, channel, sent)
    publish_procedure(procedure.id, f"{kind} sent" if sent else f"{kind} {outcome.decision}")
    return _result(
        registration_number, document_id, outcome, sent, visa.signer_id if visa else None
    )


def _result(
    registration_number: str,
    document_id: int,
    outcome: DecisionOutcome,
    sent: dt.datetime | None,
    visa_by: str | None,
) -> SignedDocument:
    return SignedDocument(
        registration_number=registration_number,
        document_id=document_id,
        decision=outcome.decision,
        signer=outcome.signer_id,
        visa=visa_by,
        signature_id=outcome.signature_id,
        dispatched_at=sent,
    )
