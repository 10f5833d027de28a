"""Immediate release of a person held illegally (Regulation cl. 8, obligation 6): the term is
counted in hours. The order is drafted for whoever is authorised right now (the head, the deputy
replacing the head, or at night the prosecutor on duty), escalated by the hour by
``check-urgent``, and the facility's confirmation arrives as an event that closes the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger

from models.approvals import Decision
from models.calendar import ALMATY
from tasks.documents import dispatch_document
from tasks.procedure_page import finished
from tasks.release import await_confirmation, register_release
from tasks.signing import signed_document


@flow(name="release-detained", flow_run_name="release-{report_id}")
def release_detained(
    report_id: str,
    facility: str,
    person: str,
    held_since: dt.datetime,
    grounds: str,
    reported_at: dt.datetime | None = None,
    language: str = "ru",
) -> dict[str, Any]:
    """Register → release order for the person authorised now → signed → sent to the facility
    → the facility's confirmation (event ``prosecutor.release.confirmed``) closes the case."""
    logger = get_run_logger()
    reported = reported_at or dt.datetime.now(dt.UTC)
    case = register_release(report_id, facility, person, held_since, grounds, reported)
    logger.info(
        "%s: release order due by %s (%s)", case.registration_number, case.due_at, case.authorised
    )
    document_id, outcome = signed_document(
        case.procedure_id,
        kind="release_order",
        language=language,
        title="Постановление об освобождении / Босату туралы қаулы",
        step="release-order",
        due_date=case.due_at.astimezone(ALMATY).date(),
        due_at=case.due_at,
        on_call=True,
        fields={
            "addressee_name": facility,
            "addressee_address": None,
            "facility": facility,
            "person": person,
            "held_since": f"{held_since.astimezone(ALMATY):%d.%m.%Y %H:%M}",
            "grounds": grounds,
        },
    )
    if outcome.decision != Decision.APPROVE:
        return finished(
            case.procedure_id,
            f"order {outcome.decision}",
            {"registration_number": case.registration_number, "decision": outcome.decision},
        )
    dispatch_document(document_id, actor=outcome.signer_id, channel="facility")
    confirm_duty = await_confirmation(case, outcome.signer_id)
    return finished(
        case.procedure_id,
        f"order sent by {outcome.signer_id}: awaiting the facility",
        {
            "registration_number": case.registration_number,
            "decision": outcome.decision,
            "signer": outcome.signer_id,
            "confirmation_duty_id": confirm_duty,
        },
    )
