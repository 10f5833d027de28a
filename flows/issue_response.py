"""Acts of prosecutorial response (Regulation cl. 8 obligation 3, rights 8-9), each a flow started
by an inspection or on its own: draft (kk/ru) → approval and signature → delivery → the
addressee's statutory term → the answer as an event → on silence or refusal, escalation to the
head and what the law gives (an application to court) → closing with the outcome.

A district prosecutor cannot suspend a protested act (``models.responses.POWERS``): the protest
flow offers no such step; a demand to suspend an illegal act is an act of its own.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from models.approvals import Decision
from models.calendar import WorkingCalendar, today
from models.deadlines import TermUnit, due_date
from models.responses import Act, Answer, Next, consideration_due, next_step
from tasks.answers import await_answer
from tasks.documents import dispatch_document
from tasks.procedure_page import finished
from tasks.responses import (
    CourtDecision,
    ResponseCase,
    close_response,
    escalate_refusal,
    may_decide,
    open_consideration,
    register_response,
)
from tasks.signing import signed_document
from tasks.waiting import wait_for

TITLES = {
    Act.PROTEST: "Протест / Наразылық",
    Act.SUBMISSION: "Представление / Ұсыным",
    Act.ORDER: "Предписание / Нұсқама",
    Act.SUSPENSION_DEMAND: "Требование о приостановлении / Тоқтата тұру туралы талап",
    Act.ADMIN_OFFENCE: "Постановление о возбуждении дела об АП / ӘҚБ туралы іс қозғау қаулысы",
}


def _decision(case: ResponseCase, outcome: str) -> CourtDecision:
    logger = get_run_logger()
    attempt = 0
    while True:
        attempt += 1
        decision = wait_for(
            CourtDecision,
            f"## {case.registration_number}: the addressee's answer is *{outcome}*\n\n"
            "The head (or the person replacing the head) decides whether to apply to court.",
            f"court-{attempt}",
            page=(case.procedure_id, "the head decides on court"),
        )
        if may_decide(decision.decided_by):
            return decision
        logger.warning(
            "%s may not decide on %s today", decision.decided_by, case.registration_number
        )


def respond(
    act: Act,
    *,
    reference: str,
    addressee: str,
    act_name: str,
    violation: str,
    demands: str,
    language: str = "ru",
    responsible: str | None = None,
    longer_days: int | None = None,
) -> dict[str, Any]:
    cal = WorkingCalendar()
    case = register_response(
        act, reference, addressee, responsible, {"act_name": act_name, "violation": violation}
    )
    due = consideration_due(act, today(), cal, longer_days)
    document_id, signed = signed_document(
        case.procedure_id,
        kind=act.value,
        language=language,
        title=TITLES[act],
        step=act.value,
        due_date=due_date(today(), 2, TermUnit.WORKING_DAYS, cal),
        drafted_by=case.responsible or None,
        fields={
            "addressee_name": addressee,
            "addressee_address": None,
            "act_name": act_name,
            "violation": violation,
            "demands": demands,
            "due": f"{due:%d.%m.%Y}",
        },
    )
    if signed.decision != Decision.APPROVE:
        close_response(case, f"not signed: {signed.decision}", False, signed.signer_id)
        return finished(
            case.procedure_id,
            f"not signed: {signed.decision}",
            {
                "registration_number": case.registration_number,
                "outcome": f"not signed: {signed.decision}",
            },
        )
    dispatch_document(document_id, actor=signed.signer_id, channel="addressee")
    duty_id = open_consideration(case, longer_days)
    answer = await_answer(
        duty_id,
        f"## {case.registration_number}\n\n"
        "The addressee's answer (or *silence* when the term passed).",
        page=(case.procedure_id, "awaiting the addressee's answer"),
    )
    if act is Act.SUBMISSION and answer.hearing_date and answer.outcome is None:
        duty_id = open_consideration(case, None, "hearing-result", answer.hearing_date)
        answer = await_answer(
            duty_id,
            f"## {case.registration_number}\n\nThe result of the hearing of {answer.hearing_date}.",
            page=(case.procedure_id, f"awaiting the hearing of {answer.hearing_date}"),
        )
    outcome = answer.outcome or Answer.SILENCE
    if next_step(act, outcome) is Next.CLOSE:
        close_response(case, outcome.value, False, answer.decided_by or case.responsible)
        return finished(
            case.procedure_id,
            outcome.value,
            {
                "registration_number": case.registration_number,
                "outcome": outcome.value,
                "court": False,
            },
        )
    escalate_refusal(case, duty_id, outcome.value)
    decision = _decision(case, outcome.value)
    close_response(case, outcome.value, decision.apply_to_court, decision.decided_by)
    return finished(
        case.procedure_id,
        f"{outcome.value}: {'to court' if decision.apply_to_court else 'no court'}",
        {
            "registration_number": case.registration_number,
            "outcome": outcome.value,
            "court": decision.apply_to_court,
        },
    )


@flow(name="issue-protest", flow_run_name="protest-{reference}")
def issue_protest(
    reference: str,
    addressee: str,
    act_name: str,
    violation: str,
    demands: str,
    language: str = "ru",
    responsible: str | None = None,
    longer_days: int | None = None,
) -> dict[str, Any]:
    """Протест against an illegal act: 10 calendar days, or longer if the prosecutor sets it."""
    return respond(
        Act.PROTEST,
        reference=reference,
        addressee=addressee,
        act_name=act_name,
        violation=violation,
        demands=demands,
        language=language,
        responsible=responsible,
        longer_days=longer_days,
    )


def _act_flow(act: Act, name: str, doc: str) -> Any:
    """The flow of one act: the same procedure, its own deployment, name and form."""

    def act_flow(
        reference: str,
        addressee: str,
        act_name: str,
        violation: str,
        demands: str,
        language: str = "ru",
        responsible: str | None = None,
    ) -> dict[str, Any]:
        return respond(
            act,
            reference=reference,
            addressee=addressee,
            act_name=act_name,
            violation=violation,
            demands=demands,
            language=language,
            responsible=responsible,
        )

    act_flow.__doc__ = doc
    act_flow.__name__ = act_flow.__qualname__ = name.replace("-", "_")
    return flow(name=name, flow_run_name=f"{act.value}-{{reference}}")(act_flow)


issue_submission = _act_flow(
    Act.SUBMISSION,
    "issue-submission",
    "Представление: 30 calendar days; the hearing announced, the result within 3 working days.",
)
issue_order = _act_flow(Act.ORDER, "issue-order", "Предписание.")
demand_suspension = _act_flow(
    Act.SUSPENSION_DEMAND,
    "demand-suspension",
    "A demand to suspend an illegal act or lift a restrictive measure (cl. 8, right 8).",
)
initiate_admin_offence = _act_flow(
    Act.ADMIN_OFFENCE,
    "initiate-admin-offence",
    "Initiating administrative-offence proceedings (Regulation cl. 8, right 9).",
)
