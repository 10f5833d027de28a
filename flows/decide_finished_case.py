"""The prosecutor's decision on a finished case (CPC arts. 190(7), 290, 301-305, 528(3)).

The case arrives with a completion report, an accelerated-investigation protocol, a protocol on
a criminal misdemeanour or a termination decree (CPC art. 192(2)); the procedural prosecutor
studies it within the code's term and drafts the decision, which the head (or the deputy
replacing the head) signs: these are the head's own powers (CPC art. 193(2)(8)-(10)). The
signed document is sent to the court or to the body; a return carries written указания tracked
item by item; a case sent to court starts the state prosecution (``support-prosecution``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import flow, get_run_logger

from models.approvals.decisions import DecisionOutcome
from models.procedures.case_decisions import (
    FURTHER,
    Addressee,
    CaseForm,
    Outcome,
    OutcomeRule,
    rule_for,
)
from models.vocabulary import LetterStep, Step, keyed
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
from tasks.instructions import InstructionsGiven, give_instructions
from tasks.procedure_page import finished, masked
from tasks.signing import signed_document
from tasks.waiting import ask

TITLES = {
    "committal_to_court": "О направлении уголовного дела в суд / Қылмыстық істі сотқа жіберу",
    "case_return": "Постановление о возвращении дела / Істі қайтару туралы қаулы",
    "termination_refusal": "Отказ в утверждении прекращения / Тоқтатуды бекітуден бас тарту",
    "termination_approval": "Утверждение прекращения / Тоқтатуды бекіту",
}
STUDY_FORM = Step.STUDY  # the forms study-1, study-2, ... of the study of the case


@dataclass(frozen=True, slots=True)
class CaseDecided:
    """The signed decision on a finished case and what it set going: the указания of a
    returned case, the run of the state prosecution of a case sent to court."""

    registration_number: str
    form: CaseForm
    outcome: Outcome
    due_date: dt.date  # the code's term of the decision
    signer: str
    document_id: int
    instructions: InstructionsGiven | None = None
    prosecution_run: str | None = None

    @property
    def sent_to_court(self) -> bool:
        return self.outcome is Outcome.SEND_TO_COURT


@dataclass(frozen=True, slots=True)
class Signed:
    """A decision drafted from the form ``attempt`` and the signatory's answer on it."""

    given: StudyInput
    attempt: int
    rule: OutcomeRule
    due: dt.date | None  # the term of a returned case
    document_id: int
    outcome: DecisionOutcome


@flow(name="decide-finished-case", flow_run_name="case-decision-{case_ref}")
def decide_finished_case(case_ref: str, language: str = "ru") -> CaseDecided:
    """Study → decision drafted by the procedural prosecutor → signed by the head (or the acting
    deputy) → sent to the court or the body → указания tracked / state prosecution started →
    closed.

    Args:
        case_ref: ``prosecutor.case_decision.<registration number>`` (the resource of the
            ``prosecutor.case.submitted`` event) or the bare registration number of the case.
        language: the language of the decision's document.
    """
    case = open_study(case_ref)
    attempt = 0
    while True:
        decision = draft_and_sign(case, attempt, language)
        if decision.outcome.signed:
            return carry_out(case, decision, language)
        get_run_logger().info(
            "decision %s by %s: study again", decision.outcome.decision, decision.outcome.signer_id
        )
        attempt = decision.attempt


def study(case: FinishedCase, after: int) -> tuple[StudyInput, int]:
    """The procedural prosecutor's decision, asked until it may be drafted (CPC art. 193(2))."""
    asked = ask(
        StudyInput,
        masked(case.procedure_id, description(case)),
        STUDY_FORM,
        after=after,
        refuse=lambda given, _attempt: check_decision(case, given),
        page=(case.procedure_id, f"study by {case.assignee}"),
    )
    return asked.answer, asked.attempt


def draft_and_sign(case: FinishedCase, after: int, language: str) -> Signed:
    """The decision studied, drafted and put to the head (or the deputy acting for the head)."""
    given, attempt = study(case, after)
    rule = rule_for(case.form).outcome(given.outcome)
    due = further_due(case, attempt, given.due_days) if rule.gives_instructions else None
    document_id, outcome = signed_document(
        case.procedure_id,
        kind=rule.document,
        language=language,
        title=f"{TITLES[rule.document]}, ЕРДР {case.erdr_number}"[:300],
        step=keyed(LetterStep.DECISION, attempt),
        due_date=approval_due(case.due_date),
        drafted_by=given.prosecutor,
        fields=decision_fields(case, given, language, due),
    )
    return Signed(given, attempt, rule, due, document_id, outcome)


def carry_out(case: FinishedCase, decision: Signed, language: str) -> CaseDecided:
    """The signed decision sent to the court or the body; a return's указания tracked item by
    item, a case in court prosecuted; the study closed."""
    given, rule, signer = decision.given, decision.rule, decision.outcome.signer_id
    to_court = rule.addressee is Addressee.COURT
    dispatch_document(decision.document_id, actor=signer, channel="court" if to_court else "body")
    instructions = None
    if rule.gives_instructions:
        instructions = give_instructions(
            case.registration_number,
            given.instructions,
            due=decision.due,
            term_id=rule.addressee_term or FURTHER,
            language=language,
            signed=(decision.document_id, signer),
            key=f"{case.registration_number}-{decision.attempt}",
        )
    prosecution_run = start_prosecution(case, signer) if to_court else None
    close_decision(
        case,
        given.outcome,
        signer,
        decision.document_id,
        instructions.registration_number if instructions else None,
    )
    return finished(
        case.procedure_id,
        given.outcome.value,
        CaseDecided(
            case.registration_number,
            case.form,
            given.outcome,
            case.due_date,
            signer,
            decision.document_id,
            instructions,
            prosecution_run,
        ),
    )
