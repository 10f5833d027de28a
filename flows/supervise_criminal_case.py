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
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.procedures.criminal_cases import FORM_NAMES, Authority, ExtensionRoute
from models.procedures.erdr_intake import case_number
from models.timing.calendar import today
from models.vocabulary import LetterStep, keyed
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
from tasks.documents import approval_due, dispatch_document
from tasks.procedure_page import finished, masked
from tasks.signing import signed_document
from tasks.waiting import ask

TITLES = {
    "pretrial_extension": "Постановление о продлении срока досудебного расследования",
    "pretrial_extension_refusal": "Постановление об отказе в продлении срока расследования",
}
EVENT_FORM = "case-event"  # the forms case-event-1, case-event-2, ...


class WatchEnd(StrEnum):
    """How the run's watch over the case ended."""

    FINISHED = "finished"  # the case went to the prosecutor: decided in NEXT_FLOW
    SUPERVISED_ELSEWHERE = "supervised elsewhere"  # another run watches the case


@dataclass(frozen=True, slots=True)
class CaseWatched:
    """What the supervision of a case came to: the new last days the extensions set."""

    registration_number: str
    end: WatchEnd
    next_flow: str | None = None
    extensions: tuple[dt.date, ...] = ()


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


@flow(name="supervise-criminal-case", flow_run_name=_run_name)
def supervise_criminal_case(case_ref: str, language: Literal["ru", "kk"] = "ru") -> CaseWatched:
    """Assignment → the term and the start notice watched → requests to extend decided and
    signed (or referred upward) → the end of the investigation closes the watch.

    Args:
        case_ref: the registration number of the case, or ``prosecutor.criminal_case.<number>``
            (the resource id of the ``prosecutor.case.registered`` event).
        language: the language of the decisions.
    """
    case = take_case(case_number(case_ref))
    if case.claimed_elsewhere:
        get_run_logger().warning(
            "%s is supervised by run %s", case.registration_number, case.claimed_elsewhere
        )
        return CaseWatched(case.registration_number, WatchEnd.SUPERVISED_ELSEWHERE)
    prosecutor = assign_prosecutor(case)
    extensions: list[dt.date] = []
    attempt = 0
    while True:
        case = reload(case)
        given, attempt = next_event(case, prosecutor, attempt)
        if given.event == "notice_received":
            record_notice(
                case, given.prosecutor, given.notice_received_at or dt.datetime.now(dt.UTC)
            )
        elif given.event == "finished":
            close_case(case, given.outcome, given.prosecutor)
            return finished(
                case.procedure_id,
                f"investigation finished: to {NEXT_FLOW}",
                CaseWatched(
                    case.registration_number, WatchEnd.FINISHED, NEXT_FLOW, tuple(extensions)
                ),
            )
        else:
            until = extension_request(case, given, attempt, language)
            if until:
                extensions.append(until)


def next_event(case: CriminalCase, prosecutor: str, after: int) -> tuple[CaseEvent, int]:
    """The next thing recorded in the case by someone who may act in it (the procedural
    prosecutor, whoever replaces them today, or above), and the number of its form."""

    def refuse(given: CaseEvent, _attempt: int) -> str | None:
        if may_act(case, given.prosecutor):
            return None
        return f"{given.prosecutor} may not act in {case.registration_number}"

    asked = ask(
        CaseEvent,
        masked(case.procedure_id, _description(case, prosecutor)),
        EVENT_FORM,
        after=after,
        refuse=refuse,
        page=(case.procedure_id, "investigation under supervision"),
    )
    return asked.answer, asked.attempt


def extension_request(
    case: CriminalCase, given: CaseEvent, attempt: int, language: str
) -> dt.date | None:
    """A request to extend the term: checked, routed by who may grant it (CPC art.
    192(4)-(5)), referred upward or decided here. The new last day, or None."""
    logger = get_run_logger()
    problem = request_problem(given)
    if problem:
        logger.warning("%s: %s", case.registration_number, problem)
        return None
    route = route_request(case, given, attempt)
    if route.authority is Authority.NONE:  # nothing to extend, or a protocol-form case
        logger.warning("%s: %s", case.registration_number, route.reason)
        return None
    if not route.here:
        # The district office may not grant it (CPC art. 192(4)-(5)): referred, not signed.
        refer_upward(case, given, route, attempt)
        logger.warning("%s: %s", case.registration_number, route.reason)
        return None
    return decide_extension(case, given, route, attempt, language)


def decide_extension(
    case: CriminalCase, given: CaseEvent, route: ExtensionRoute, attempt: int, language: str
) -> dt.date | None:
    """The постановление (extension or refusal) signed by the head or the deputy replacing the
    head, sent to the body; an extension moves the term. The new last day, or None."""
    kind = "pretrial_extension" if given.grant else "pretrial_extension_refusal"
    document_id, outcome = signed_document(
        case.procedure_id,
        kind=kind,
        language=language,
        title=f"{TITLES[kind]} (ЕРДР № {case.erdr_number})",
        step=keyed(LetterStep.EXTENSION, attempt),
        # the office's term for a signature, never past the term of the investigation
        due_date=max(today(), approval_due(case.due)),
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
    return extend_term(case, given.requested_until, document_id, outcome.signer_id)
