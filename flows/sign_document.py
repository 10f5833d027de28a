"""Sign and send an outgoing document of a procedure (Regulation cl. 15): draft, approval by
the person authorised on the day of decision, dispatch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger

from models.approvals import Decision
from models.schemas import Language
from tasks.approvals import request_approval
from tasks.documents import approval_due, dispatch_document, draft_document, find_procedure
from tasks.procedure_page import publish_procedure


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
) -> dict[str, Any]:
    """Draft → approve and sign → send. A returned or rejected document is not sent."""
    logger = get_run_logger()
    procedure = find_procedure(registration_number)
    document_id = draft_document(procedure.id, kind, language.value, title, body, drafter_id)
    outcome = request_approval(
        procedure.id,
        step=f"sign-{document_id}",
        document_id=document_id,
        due_date=due_date or approval_due(procedure.due_date),
        drafter_id=drafter_id,
        visa_by=visa_by,
    )
    sent = None
    if outcome.decision == Decision.APPROVE:
        sent = dispatch_document(document_id, actor=outcome.signer_id, channel=channel)
        logger.info("%s sent by %s on %s", title, channel, sent)
    publish_procedure(procedure.id, f"{kind} sent" if sent else f"{kind} {outcome.decision}")
    return {
        "registration_number": registration_number,
        "document_id": document_id,
        "decision": outcome.decision,
        "signer": outcome.signer_id,
        "signature_id": outcome.signature_id,
        "dispatched_at": sent,
    }
