"""Immediate release of a person held illegally: every prosecutor must release such a person at
once (CL-155 art. 10(2)(9)), by the prosecutor's order (CPC art. 133(1); CPC art. 14(4)); the
term is counted in hours (CPC art. 14(2): 48 hours, a minor 24, 72 where the code allows).

The order is drafted in the name of the prosecutor who found the illegal detention, or of
whoever is authorised right now (the head, the deputy replacing the head, or at night the
prosecutor on duty); any prosecutor of the office present may sign it. It is escalated by the
hour by ``check-urgent``; once signed it is sent, the head (or the person replacing the head) is
told at once who ordered it, and the facility's confirmation arrives as an event that closes
the case.

Started for a detention past its limit (by ``check-urgent``) or by hand, it takes only the
number of the stored detention protocol and a ground chosen from a list, and reads the facts
from the office's database: no name goes into Prefect."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.procedures import detention
from models.timing.calendar import ALMATY
from tasks.documents import dispatch_document
from tasks.procedure_page import finished
from tasks.release import (
    ReleaseGround,
    await_confirmation,
    detention_release_facts,
    register_release,
    report_to_head,
)
from tasks.signing import signed_document


def _run_name() -> str:
    return f"release-{detention.number_of(str(flow_run.parameters.get('detention_ref', '')))}"


@flow(name="release-detained", flow_run_name=_run_name)
def release_detained(
    detention_ref: str,
    ground: ReleaseGround = ReleaseGround.LIMIT_PASSED,
    ordered_by: str | None = None,
    language: str = "ru",
) -> dict[str, Any]:
    """Register → release order → signed by any prosecutor present → sent to the facility →
    reported to the head → the facility's confirmation (event ``prosecutor.release.confirmed``)
    closes the case.

    Args:
        detention_ref: the stored detention protocol (``prosecutor detention record``): its
            registration number or ``prosecutor.detention.<number>``. The person, the facility
            and the moment of detention are read from it, never given here.
        ground: why the person must be released (CPC arts. 133, 148(7)(3)); at the limit
            without a sanction, ``limit_passed``.
        ordered_by: the prosecutor who found the illegal detention (their staff id).
        language: the language of the order.
    """
    logger = get_run_logger()
    facts = detention_release_facts(detention_ref, ReleaseGround(ground))
    facility, person, held_since = facts.facility, facts.person, facts.held_since
    grounds = facts.grounds
    case = register_release(facts, ordered_by)
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
