"""A criminal case under supervision (надзор за досудебным расследованием, CPC art. 193).

The case registered in ЕРДР (CPC art. 179(1)) is given to a procedural prosecutor of the criminal
area; the term of the investigation (one month for inquiry, two for preliminary investigation,
CPC art. 192(2); ten сутки in the protocol form, art. 526(1)) and the notice of its start (CPC
art. 196(1)) become duties the deadline checks watch. The run then waits for what happens in the
case: the investigator's reasoned request to extend the term, decided by the district prosecutor
(or the deputy replacing the head, Regulation cl. 14-15) up to three months in all (art. 192(4)),
referred to the regional office beyond that; or the end of the investigation, after which the
finished case is decided in ``decide-finished-case``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.procedures.criminal_cases import FORM_NAMES, Authority, ExtensionRoute
from models.procedures.erdr_intake import case_number
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit, due_date
from tasks.criminal_cases import (
    NEXT_FLOW,
    CaseEvent,
    CriminalCase,
    assign_prosecutor,
    case_details,
    close_case,
    decision_fields,
    extend_term,
    may_act,
    record_notice,
    record_refusal,
    refer_upward,
    reload,
    request_problem,
    route_request,
    take_case,
)
from tasks.documents import dispatch_document
from tasks.procedure_page import finished, masked
from tasks.signing import signed_document
from tasks.waiting import wait_for

TITLES = {
    "pretrial_extension": "Постановление о продлении срока досудебного расследования",
    "pretrial_extension_refusal": "Постановление об отказе в продлении срока расследования",
}


def _run_name() -> str:
    return case_number(str(flow_run.parameters.get("case_ref", "criminal-case")))


def _description(case: CriminalCase, prosecutor: str) -> str:
    return (
        f"## Дело ЕРДР № {case.erdr_number} ({case.registration_number})\n\n"
        f"**Form:** {FORM_NAMES[case.form]['ru']}  \n"
        f"**Procedural prosecutor:** `{prosecutor}`  \n"
        f"**Term of the investigation ends:** {case.due:%d.%m.%Y} (CPC art. 192(2))\n\n"
        "Record what happened: *extension_request* - the investigator's reasoned request to"
        " extend the term (CPC art. 192(4): the district prosecutor up to three months in all,"
        " for complexity; beyond that the regional prosecutor), with the new last day, the"
        " reasons and your proposal (grant or refuse); *notice_received* - the body's notice of"
        " the start of the investigation (CPC art. 196(1)); *finished* - the case was sent to"
        f" the prosecutor (CPC art. 192(2)): it is then decided in `{NEXT_FLOW}`."
    )


def _result(case: CriminalCase, status: str, **extra: Any) -> dict[str, Any]:
    return {"registration_number": case.registration_number, "status": status, **extra}


@flow(name="supervise-criminal-case", flow_run_name=_run_name)
def supervise_criminal_case(case_ref: str, language: Literal["ru", "kk"] = "ru") -> dict[str, Any]:
    """Assignment → the term and the start notice watched → requests to extend decided and
    signed (or referred upward) → the end of the investigation closes the watch.

    Args:
        case_ref: the registration number of the case, or ``prosecutor.criminal_case.<number>``
            (the resource id of the ``prosecutor.case.registered`` event).
        language: the language of the decisions.
    """
    logger = get_run_logger()
    case = take_case(case_number(case_ref))
    if case.claimed_elsewhere:
        logger.warning(
            "%s is supervised by run %s", case.registration_number, case.claimed_elsewhere
        )
        return _result(case, "supervised elsewhere")
    prosecutor = assign_prosecutor(case)
    extensions: list[str] = []
    attempt = 0
    while True:
        attempt += 1
        case = reload(case)
        given = wait_for(
            CaseEvent,
            masked(case.procedure_id, _description(case, prosecutor)),
            f"case-event-{attempt}",
            page=(case.procedure_id, "investigation under supervision"),
        )
        if not may_act(case, given.prosecutor):
            logger.warning("%s may not act in %s", given.prosecutor, case.registration_number)
            continue
        if given.event == "notice_received":
            record_notice(
                case, given.prosecutor, given.notice_received_at or dt.datetime.now(dt.UTC)
            )
            continue
        if given.event == "finished":
            close_case(case, given.outcome, given.prosecutor)
            return finished(
                case.procedure_id,
                f"investigation finished: to {NEXT_FLOW}",
                _result(case, "finished", next=NEXT_FLOW, extensions=extensions),
            )
        problem = request_problem(given)
        if problem:
            logger.warning("%s: %s", case.registration_number, problem)
            continue
        route = route_request(case, given, attempt)
        if route.authority is Authority.NONE:  # nothing to extend, or a protocol-form case
            logger.warning("%s: %s", case.registration_number, route.reason)
            continue
        if not route.here:
            # The district office may not grant it (CPC art. 192(4)-(5)): referred, not signed.
            refer_upward(case, given, route, attempt)
            logger.warning("%s: %s", case.registration_number, route.reason)
            continue
        until = decide_extension(case, given, route, attempt, language)
        if until:
            extensions.append(until)


def decide_extension(
    case: CriminalCase, given: CaseEvent, route: ExtensionRoute, attempt: int, language: str
) -> str | None:
    """The постановление (extension or refusal) signed by the head or the deputy replacing the
    head, sent to the body; an extension moves the term. The new last day, or None."""
    kind = "pretrial_extension" if given.grant else "pretrial_extension_refusal"
    document_id, outcome = signed_document(
        case.procedure_id,
        kind=kind,
        language=language,
        title=f"{TITLES[kind]} (ЕРДР № {case.erdr_number})",
        step=f"extension-{attempt}",
        # decided before the term runs out, and within a working day where the term allows
        due_date=max(
            today(),
            min(case.due, due_date(today(), 1, TermUnit.WORKING_DAYS, WorkingCalendar())),
        ),
        drafted_by=given.prosecutor,
        fields=decision_fields(case, given, language, case_details(case)),
    )
    if not outcome.signed:
        get_run_logger().warning(
            "%s: the decision was %s: the request waits", case.registration_number, outcome.decision
        )
        return None
    dispatch_document(document_id, actor=outcome.signer_id, channel="investigating_body")
    if not given.grant:
        record_refusal(case, document_id, outcome.signer_id)
        return None
    assert given.requested_until is not None and route.here
    return extend_term(case, given.requested_until, document_id, outcome.signer_id).isoformat()
