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

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from tasks.procedure_page import finished, masked
from tasks.state_prosecution import (
    CourtOfCase,
    ProsecutionEntry,
    calendar_markdown,
    case_decision_number,
    open_prosecution,
    record_entry,
    set_court,
    start_review,
)
from tasks.waiting import wait_for


def _run_name() -> str:
    return f"prosecution-{case_decision_number(str(flow_run.parameters.get('case_ref', '')))}"


@flow(name="support-prosecution", flow_run_name=_run_name)
def support_prosecution(case_ref: str) -> dict[str, Any]:
    """Open → the court of the case (asked when the decision does not name it) → the state
    prosecutor's entries: hearings scheduled or adjourned, until the verdict → the review of
    the verdict started.

    Args:
        case_ref: the registration number of the decision that sent the case to court
            (CASE_DECISION), or ``prosecutor.case_decision.<number>`` from its event.
    """
    logger = get_run_logger()
    case = open_prosecution(case_decision_number(case_ref))
    if not case.has_court:
        court = wait_for(
            CourtOfCase,
            masked(
                case.procedure_id,
                f"## State prosecution {case.registration_number}\n\nWhich court tries the case?",
            ),
            "court",
            page=(case.procedure_id, "the court of the case"),
        )
        case = set_court(case, court)
    refused: str | None = None
    attempt = 0
    while True:
        attempt += 1
        key = f"entry-{attempt}"
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
            logger.warning("%s: entry refused: %s", case.registration_number, refused)
            continue
        if outcome.kind != "verdict_pronounced":
            continue
        review_run = start_review(case, outcome.review)
        return finished(
            case.procedure_id,
            "verdict pronounced: review started",
            {
                "registration_number": case.registration_number,
                "state_prosecutor": case.state_prosecutor,
                "review_parameters": outcome.review,
                "review_flow_run_id": review_run,
            },
        )
