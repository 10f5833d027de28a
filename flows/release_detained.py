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

from dataclasses import dataclass
from enum import StrEnum

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.approvals.decisions import DecisionOutcome
from models.procedures import detention
from models.timing.calendar import ALMATY
from models.vocabulary import Step
from tasks.documents import dispatch_document
from tasks.procedure_page import finished
from tasks.release import (
    ReleaseCase,
    ReleaseFacts,
    ReleaseGround,
    await_confirmation,
    detention_release_facts,
    register_release,
    report_release_to_head,
)
from tasks.signing import signed_document

REGIONAL_OFFICE = "regional_office"  # told when nobody in the office manages it that day


class ReleaseStatus(StrEnum):
    AWAITING_FACILITY = "awaiting_facility"  # the order sent; the facility's word awaited
    NOT_SIGNED = "not_signed"  # the order was refused or returned


@dataclass(frozen=True, slots=True)
class ReleaseOrdered:
    """Where the release stands: the order's decision, who signed it (and so ordered the
    release), who was told, and the duty the facility's confirmation closes."""

    registration_number: str
    status: ReleaseStatus
    decision: str
    signer: str | None = None
    reported_to: str | None = None
    confirmation_duty_id: int | None = None


def _run_name() -> str:
    return f"release-{detention.number_of(str(flow_run.parameters.get('detention_ref', '')))}"


def sign_order(
    case: ReleaseCase, facts: ReleaseFacts, language: str
) -> tuple[int, DecisionOutcome]:
    """The постановление об освобождении, due by the hour, signed by any prosecutor present
    (at night, the one on duty is asked first)."""
    return signed_document(
        case.procedure_id,
        kind="release_order",
        language=language,
        title="Постановление об освобождении / Босату туралы қаулы",
        step=Step.RELEASE_ORDER,
        due_date=case.due_at.astimezone(ALMATY).date(),
        due_at=case.due_at,
        on_call=True,
        any_prosecutor=True,
        ordered_by=case.ordered_by,
        fields={
            "addressee_name": facts.facility,
            "addressee_address": None,
            "facility": facts.facility,
            "person": facts.person,
            "held_since": f"{facts.held_since.astimezone(ALMATY):%d.%m.%Y %H:%M}",
            "grounds": facts.grounds,
        },
    )


@flow(name="release-detained", flow_run_name=_run_name)
def release_detained(
    detention_ref: str,
    ground: ReleaseGround = ReleaseGround.LIMIT_PASSED,
    ordered_by: str | None = None,
    language: str = "ru",
) -> ReleaseOrdered:
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
    facts = detention_release_facts(detention_ref, ReleaseGround(ground))
    case = register_release(facts, ordered_by)
    get_run_logger().info(
        "%s: release order due by %s (%s)",
        case.registration_number,
        case.due_at,
        case.ordered_by or case.authorised,
    )
    document_id, outcome = sign_order(case, facts, language)
    if not outcome.signed:
        return finished(
            case.procedure_id,
            f"order {outcome.decision}",
            ReleaseOrdered(case.registration_number, ReleaseStatus.NOT_SIGNED, outcome.decision),
        )
    dispatch_document(document_id, actor=outcome.signer_id, channel="facility")
    told = report_release_to_head(case, outcome.signer_id, document_id)
    return finished(
        case.procedure_id,
        f"order sent by {outcome.signer_id}: awaiting the facility",
        ReleaseOrdered(
            case.registration_number,
            ReleaseStatus.AWAITING_FACILITY,
            outcome.decision,
            signer=outcome.signer_id,
            reported_to=told or REGIONAL_OFFICE,
            confirmation_duty_id=await_confirmation(case, outcome.signer_id),
        ),
    )
