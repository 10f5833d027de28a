"""The prosecutor's decision on a finished case (CPC arts. 190(7), 290, 301-305, 528(3)).

The case arrives with a completion report, an accelerated-investigation protocol, a protocol on
a criminal misdemeanour or a termination decree (CPC art. 192(2)); the procedural prosecutor
studies it within the code's term and drafts the decision, which the head (or the deputy
replacing the head) signs: these are the head's own powers (CPC art. 193(2)(8)-(10)). The
signed document is sent to the court or to the body; a return carries written указания tracked
item by item; a case sent to court starts the state prosecution (``support-prosecution``)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from models.procedures.case_decisions import Addressee, Outcome, rule_for
from tasks.case_decisions import (
    FinishedCase,
    StudyInput,
    check_decision,
    close_decision,
    decision_fields,
    description,
    further_due,
    open_study,
    start_prosecution,
)
from tasks.documents import approval_due, dispatch_document
from tasks.instructions import give_instructions
from tasks.procedure_page import finished, masked
from tasks.signing import signed_document
from tasks.waiting import wait_for

TITLES = {
    "committal_to_court": "О направлении уголовного дела в суд / Қылмыстық істі сотқа жіберу",
    "case_return": "Постановление о возвращении дела / Істі қайтару туралы қаулы",
    "termination_refusal": "Отказ в утверждении прекращения / Тоқтатуды бекітуден бас тарту",
    "termination_approval": "Утверждение прекращения / Тоқтатуды бекіту",
}


def _result(case: FinishedCase, outcome: Outcome, **extra: Any) -> dict[str, Any]:
    return {
        "registration_number": case.registration_number,
        "form": case.form.value,
        "outcome": outcome.value,
        "due_date": case.due_date,
        "sent_to_court": outcome is Outcome.SEND_TO_COURT,
        **extra,
    }


@flow(name="decide-finished-case", flow_run_name="case-decision-{case_ref}")
def decide_finished_case(case_ref: str, language: str = "ru") -> dict[str, Any]:
    """Study → decision drafted by the procedural prosecutor → signed by the head (or the acting
    deputy) → sent to the court or the body → указания tracked / state prosecution started →
    closed.

    Args:
        case_ref: ``prosecutor.case_decision.<registration number>`` (from the event) or the bare
            registration number of the submitted case.
        language: the language of the decision's document.
    """
    logger = get_run_logger()
    case = open_study(case_ref)
    attempt = 0
    while True:
        attempt += 1
        given = wait_for(
            StudyInput,
            masked(case.procedure_id, description(case)),
            f"study-{attempt}",
            page=(case.procedure_id, f"study by {case.assignee}"),
        )
        problem = check_decision(case, given)
        if problem:
            logger.warning("%s: decide again: %s", case.registration_number, problem)
            continue
        rule = rule_for(case.form).outcome(given.outcome)
        due = further_due(case, attempt, given.due_days) if rule.gives_instructions else None
        document_id, signed = signed_document(
            case.procedure_id,
            kind=rule.document,
            language=language,
            title=f"{TITLES[rule.document]}, ЕРДР {case.erdr_number}"[:300],
            step=f"decision-{attempt}",
            due_date=approval_due(case.due_date),
            drafted_by=given.prosecutor,
            fields=decision_fields(case, given, language, due),
        )
        if not signed.signed:
            logger.info("decision %s by %s: study again", signed.decision, signed.signer_id)
            continue
        to_court = rule.addressee is Addressee.COURT
        dispatch_document(
            document_id, actor=signed.signer_id, channel="court" if to_court else "body"
        )
        instructions = None
        if rule.gives_instructions:
            instructions = give_instructions(
                case.registration_number,
                given.instructions,
                due=due,
                term_id=rule.addressee_term or "case_decision.further_investigation",
                language=language,
                signed=(document_id, signed.signer_id),
                key=f"{case.registration_number}-{attempt}",
            )
        prosecution_run = start_prosecution(case, signed.signer_id) if to_court else None
        close_decision(
            case,
            given.outcome,
            signed.signer_id,
            document_id,
            instructions["registration_number"] if instructions else None,
        )
        return finished(
            case.procedure_id,
            given.outcome.value,
            _result(
                case,
                given.outcome,
                signer=signed.signer_id,
                document_id=document_id,
                instructions=instructions,
                prosecution_run=prosecution_run,
            ),
        )
