"""State prosecution of a case the prosecutor sent to court (поддержание государственного
обвинения): the prosecutor taking part in the trial upholds the charge on behalf of the state
(CPC art. 58(1); CL-155 arts. 22(1), 23), and must take part in the main trial (CPC art.
337(1)).

A state prosecutor of the criminal area is assigned by presence and load; the hearings go on the
calendar as duties due on their days (the deadline check reminds); the court may adjourn one
(CPC art. 341(1)); the verdict's pronouncement (CPC art. 402) closes the prosecution and starts
the review of the verdict, whose window runs 15 сутки from the pronouncement (CPC art. 418(1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.procedures.state_prosecution import EntryKind
from models.vocabulary import attempt_key
from tasks.procedure_page import finished, masked
from tasks.state_prosecution import (
    ENTRY_FORM,
    CourtOfCase,
    EntryOutcome,
    ProsecutionCase,
    ProsecutionEntry,
    calendar_markdown,
    case_decision_number,
    open_prosecution,
    record_entry,
    set_court,
    start_review,
)
from tasks.waiting import wait_for


@dataclass(frozen=True, slots=True)
class ProsecutionEnded:
    """The verdict ended the prosecution: the parameters of the review of the verdict (CPC art.
    418(1)) and its run, None where no server started one."""

    registration_number: str
    state_prosecutor: str
    review_parameters: dict[str, Any]
    review_flow_run_id: str | None


def _run_name() -> str:
    return f"prosecution-{case_decision_number(str(flow_run.parameters.get('case_ref', '')))}"


@flow(name="support-prosecution", flow_run_name=_run_name)
def support_prosecution(case_ref: str) -> ProsecutionEnded:
    """Open → the court of the case (asked when the decision does not name it) → the state
    prosecutor's entries: hearings scheduled or adjourned, until the verdict → the review of
    the verdict started.

    Args:
        case_ref: the registration number of the decision that sent the case to court
            (CASE_DECISION), or ``prosecutor.case_decision.<number>`` from its event.
    """
    case = open_prosecution(case_decision_number(case_ref))
    if not case.has_court:
        case = court_of_case(case)
    verdict = entries_until_verdict(case)
    review_run = start_review(case, verdict.review)
    return finished(
        case.procedure_id,
        "verdict pronounced: review started",
        ProsecutionEnded(
            case.registration_number, case.state_prosecutor, verdict.review, review_run
        ),
    )


def court_of_case(case: ProsecutionCase) -> ProsecutionCase:
    """The court that tries the case, when the decision that sent it there did not name it."""
    court = wait_for(
        CourtOfCase,
        masked(
            case.procedure_id,
            f"## State prosecution {case.registration_number}\n\nWhich court tries the case?",
        ),
        "court",
        page=(case.procedure_id, "the court of the case"),
    )
    return set_court(case, court)


def entries_until_verdict(case: ProsecutionCase) -> EntryOutcome:
    """The state prosecutor's entries (hearings scheduled, adjourned) until the verdict. Each
    form shows the calendar as it stands and why the last entry was refused, if it was."""
    refused: str | None = None
    attempt = 0
    while True:
        attempt += 1
        key = attempt_key(ENTRY_FORM, attempt)
        entry = wait_for(
            ProsecutionEntry,
            masked(case.procedure_id, calendar_markdown(case, refused)),
            key,
            page=(case.procedure_id, "the state prosecutor's entry"),
            state_prosecutor=case.state_prosecutor,
        )
        outcome = record_entry(case, key, entry)
        refused = outcome.refused
        if refused:
            get_run_logger().warning("%s: entry refused: %s", case.registration_number, refused)
        elif outcome.kind == EntryKind.VERDICT_PRONOUNCED:
            return outcome
