"""Steps of the prosecutor's review of a complaint about the investigating body (CPC art. 105).
Each is keyed by the procedure and step, so a resumed run that replays them repeats nothing.
The rules are in ``models/procedures/cpc_complaints.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field

from models.appeals import may_report
from models.db import transaction
from models.db.tables import Procedure
from models.office.masking import mask_name, redact
from models.office.roster_store import read_roster
from models.procedures import ProcedureKind, ProcedureStatus, cpc_complaint_store
from models.procedures.cpc_complaints import (
    EXTENSION_GROUND_TEXT,
    OUTCOME_TEXT,
    SUBJECT_TEXT,
    TERM_EXTENDED,
    ComplaintSubject,
    ExtensionGround,
    ExtensionRefused,
    Outcome,
    check_extension,
    complaint_of,
    conclusion_problem,
)
from models.records.markdown_text import literal_inline
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms
from models.vocabulary import EVENT_PREFIX
from tasks.step import step

ACTOR = "review-cpc-complaint"
PREFIX = f"{EVENT_PREFIX}{ProcedureKind.CPC_COMPLAINT.value}."


def complaint_number(ref: str) -> str:
    """The registration number from a trigger's resource id or the number itself."""
    return ref.removeprefix(PREFIX)


@dataclass(frozen=True, slots=True)
class ComplaintCase:
    """What the flow knows of a complaint: numbers and dates, no personal data."""

    procedure_id: int
    registration_number: str
    subject: ComplaintSubject
    term_id: str
    language: str
    received_on: dt.date
    due_date: dt.date
    extended: bool
    closed: bool


class ComplaintConclusion(RunInput):
    """Заключение прокурора по жалобе / Шағым бойынша прокурордың қорытындысы (CPC arts.
    104-105): extend the term to 15 сутки, or the outcome with its reasons and measures."""

    prosecutor: str = Field(description="your staff id")
    extend: bool = Field(
        False,
        description="consider it within up to 15 сутки from receipt (CPC art. 105(2)); the"
        " complainant is sent a signed notice",
    )
    extension_ground: ExtensionGround | None = Field(
        None, description="why: further materials must be requested, or other measures taken"
    )
    extension_reason: str | None = Field(
        None, max_length=2000, description="what is awaited (told to the complainant)"
    )
    outcome: Outcome | None = Field(
        None, description="upheld, partly_upheld or rejected (CPC art. 105(3))"
    )
    findings: str = Field(
        "",
        max_length=20000,
        description="what was established on each argument (CPC art. 104(2)); a refusal is"
        " reasoned (art. 105(4))",
    )
    remedy: str = Field(
        "",
        max_length=5000,
        description="when upheld: the contested decision cancelled or changed, and the measures"
        " restoring the rights (CPC arts. 104(3), 105(3))",
    )
    worsens_position: bool = Field(
        False,
        description="the change would worsen the position of the complainant or of the person"
        " on whose behalf they complain: not allowed (CPC art. 105(3))",
    )
    harm_caused: bool = Field(
        False, description="harm was caused: explain the right to compensation (CPC art. 104(4))"
    )


def _case(proc: Procedure) -> ComplaintCase:
    d = proc.details or {}
    return ComplaintCase(
        procedure_id=proc.id,
        registration_number=proc.registration_number,
        subject=ComplaintSubject(d["complaint_subject"]),
        term_id=d["term_id"],
        language=d.get("language", "ru"),
        received_on=dt.date.fromisoformat(d["received_on"]),
        due_date=proc.due_date or today(),
        extended="extended_to" in d,
        closed=proc.status is ProcedureStatus.CLOSED,
    )


@step
def take_complaint(number: str) -> ComplaintCase:
    """Take the registered complaint into review (its run recorded on the procedure)."""
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else None
    with transaction() as session:
        return _case(cpc_complaint_store.take_into_review(session, number, run_id, ACTOR))


@step
def assign_complaint(case: ComplaintCase) -> str:
    """A prosecutor of the criminal area present today, the least loaded, with the duty to
    consider it by its CPC term (art. 105(2))."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        return cpc_complaint_store.assign_prosecutor(
            session, proc, case.due_date, case.term_id, ACTOR
        )


@step
def describe(case: ComplaintCase, assignee: str) -> str:
    """The form's Markdown: the complaint with its personal data masked (the UI is open)."""
    with transaction() as session:
        record, _ = complaint_of(session, case.registration_number)
    name = record.complainant_name()
    summary = redact(record.summary, [name])
    terms = default_terms()
    longest = terms.get(TERM_EXTENDED).term
    due_line = (
        f"**Decide by:** {case.due_date:%d.%m.%Y} (extended to {longest} сутки, CPC art. 105(2))"
        if case.extended
        else f"**Decide by:** {case.due_date:%d.%m.%Y}"
        f" ({terms.get(case.term_id).term} сутки, CPC arts. 105(2), 48)"
    )
    return (
        f"## CPC complaint {case.registration_number}\n\n"
        f"**Complainant:** {mask_name(name)}  \n"
        f"**Contested:** {literal_inline(record.body_name)}  \n"
        f"**Subject:** {SUBJECT_TEXT[case.subject]['ru']}  \n"
        f"**Summary:** {literal_inline(summary)}  \n"
        f"**Assigned to:** `{assignee}`  \n"
        f"{due_line}\n\n"
        "Check every argument (CPC art. 104(2)) and conclude: the outcome with what you"
        " established and, when upheld, the measures; or, in an exceptional case (further"
        f" materials, other measures), extend the term to {longest} сутки from receipt — the"
        " complainant is then sent a signed notice."
    )


@step
def conclusion_refused(
    case: ComplaintCase, assignee: str, conclusion: ComplaintConclusion
) -> str | None:
    """Why this conclusion is not accepted (audited), or None: only the assignee, whoever
    replaces them or those above them conclude; the content must satisfy CPC arts. 104-105."""
    with transaction() as session:
        if not may_report(read_roster(session), today(), assignee, conclusion.prosecutor):
            problem = f"{conclusion.prosecutor} is not assigned to {case.registration_number}"
        elif conclusion.extend:
            problem = _extension_problem(case, conclusion)
        else:
            problem = conclusion_problem(
                conclusion.outcome,
                conclusion.findings,
                conclusion.remedy,
                conclusion.worsens_position,
            )
        if problem:
            cpc_complaint_store.record_refusal(
                session, case.registration_number, conclusion.prosecutor, problem
            )
        return problem


def _extension_problem(case: ComplaintCase, conclusion: ComplaintConclusion) -> str | None:
    try:
        extended_to(case, conclusion)
    except ExtensionRefused as exc:
        return str(exc)
    return None


def extended_to(case: ComplaintCase, conclusion: ComplaintConclusion) -> dt.date:
    """The due date an accepted extension sets (CPC art. 105(2))."""
    if case.extended:
        raise ExtensionRefused("the term was already extended to 15 сутки (CPC art. 105(2))")
    return check_extension(
        ground=conclusion.extension_ground,
        reason=conclusion.extension_reason,
        received_on=case.received_on,
        current_due=case.due_date,
        decided_on=today(),
        calendar=WorkingCalendar(),
    )


@step
def letter_fields(case: ComplaintCase) -> dict[str, Any]:
    """What every letter to the complainant prints: the addressee and the complaint."""
    with transaction() as session:
        record, _ = complaint_of(session, case.registration_number)
    return {
        "addressee_name": record.complainant_name(),
        "addressee_address": record.contact.address if record.contact else None,
        "complainant": record.complainant_name(),
        "capacity": record.capacity,
        "received": f"{case.received_on:%d.%m.%Y}",
        "body_name": record.body_name,
        "case_number": record.case_number,
        "subject_text": SUBJECT_TEXT[case.subject][case.language],
        "summary": record.summary.rstrip(". "),
    }


def notice_fields(
    case: ComplaintCase, base: dict[str, Any], new_due: dt.date, conclusion: ComplaintConclusion
) -> dict[str, Any]:
    assert conclusion.extension_ground is not None
    return {
        **base,
        "new_due": f"{new_due:%d.%m.%Y}",
        "ground_text": EXTENSION_GROUND_TEXT[conclusion.extension_ground][case.language],
        "reason": (conclusion.extension_reason or "").strip().rstrip("."),
    }


def decision_fields(
    case: ComplaintCase, base: dict[str, Any], conclusion: ComplaintConclusion
) -> dict[str, Any]:
    assert conclusion.outcome is not None
    texts = OUTCOME_TEXT[conclusion.outcome]
    return {
        **base,
        "outcome": conclusion.outcome.value,
        "decision_title": texts["title"][case.language],
        "operative": texts["operative"][case.language],
        "findings": conclusion.findings.strip(),
        "remedy": conclusion.remedy.strip() if conclusion.outcome is not Outcome.REJECTED else "",
        "harm_caused": conclusion.harm_caused,
    }


@step
def apply_extension(
    case: ComplaintCase,
    new_due: dt.date,
    ground: ExtensionGround,
    notice_id: int,
    decided_by: str,
) -> ComplaintCase:
    """The complaint is considered within up to 15 сутки, its complainant told by the signed
    notice ``notice_id`` (CPC art. 105(2)); the duty's due date moves."""
    with transaction() as session:
        proc = cpc_complaint_store.extend_term(
            session, case.procedure_id, new_due, ground, notice_id, decided_by
        )
        return replace(case, due_date=proc.due_date or new_due, extended=True)


@step
def close_complaint(case: ComplaintCase, outcome: Outcome, document_id: int, actor: str) -> None:
    """The decision is sent: the duties are done and the procedure closed."""
    with transaction() as session:
        cpc_complaint_store.close_decided(session, case.procedure_id, outcome, document_id, actor)
