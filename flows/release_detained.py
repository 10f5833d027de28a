"""Immediate release of a person held illegally: every prosecutor must release such a person at
once (CL-155 art. 10(2)(9)), by the prosecutor's order (CPC art. 133(1); CPC art. 14(4)); the
term is counted in hours (CPC art. 14(2): 48 hours, a minor 24, 72 where the code allows).

The order is drafted in the name of the prosecutor who found the illegal detention, or of
whoever is authorised right now (the head, the deputy replacing the head, or at night the
prosecutor on duty); any prosecutor of the office present may sign it. It is escalated by the
hour by ``check-urgent``; once signed it is sent, the head (or the person replacing the head) is
told at once who ordered it, and the facility's confirmation arrives as an event that closes
the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger

from models.calendar import ALMATY
from tasks.documents import dispatch_document
from tasks.procedure_page import finished
from tasks.release import await_confirmation, register_release, report_to_head
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
    ordered_by: str | None = None,
) -> dict[str, Any]:
    """Register → release order → signed by any prosecutor present → sent to the facility →
    reported to the head → the facility's confirmation (event ``prosecutor.release.confirmed``)
    closes the case. ``ordered_by``: the prosecutor who found the illegal detention."""
    logger = get_run_logger()
    reported = reported_at or dt.datetime.now(dt.UTC)
    case = register_release(report_id, facility, person, held_since, grounds, reported, ordered_by)
    logger.info(
        "%s: release order due by %s (%s)",
        case.registration_number,
        case.due_at,
        case.ordered_by or case.authorised,
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
        any_prosecutor=True,
        ordered_by=case.ordered_by,
        fields={
            "addressee_name": facility,
            "addressee_address": None,
            "facility": facility,
            "person": person,
            "held_since": f"{held_since.astimezone(ALMATY):%d.%m.%Y %H:%M}",
            "grounds": grounds,
        },
    )
    if not outcome.signed:
        return finished(
            case.procedure_id,
            f"order {outcome.decision}",
            {"registration_number": case.registration_number, "decision": outcome.decision},
        )
    dispatch_document(document_id, actor=outcome.signer_id, channel="facility")
    told = report_to_head(case, outcome.signer_id, document_id)
    confirm_duty = await_confirmation(case, outcome.signer_id)
    return finished(
        case.procedure_id,
        f"order sent by {outcome.signer_id}: awaiting the facility",
        {
            "registration_number": case.registration_number,
            "decision": outcome.decision,
            "signer": outcome.signer_id,
            "ordered_by": outcome.signer_id,
            "reported_to": told or "regional_office",
            "confirmation_duty_id": confirm_duty,
        },
    )
