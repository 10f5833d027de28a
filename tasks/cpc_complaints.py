"""Steps of the prosecutor's review of a complaint about the investigating body (CPC art. 105).
Each is keyed by the procedure and step, so a resumed run that replays them repeats nothing.
The rules are in ``models/procedures/cpc_complaints.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field
from sqlalchemy import select

from models.appeals import may_report
from models.db import transaction
from models.db.tables import Duty, DutyStatus, Procedure
from models.office.masking import mask_name, redact
from models.office.roster_store import read_roster
from models.procedures import ProcedureStatus
from models.procedures import store as procedure_store
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
    choose_prosecutor,
    complaint_of,
    conclusion_problem,
)
from models.records import audit
from models.records.markdown_text import literal_inline
from models.timing.calendar import WorkingCalendar, today

PREFIX = "prosecutor.cpc_complaint."


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


@task(name="take-cpc-complaint", cache_policy=NO_CACHE)
def take_complaint(number: str) -> ComplaintCase:
    """Take the registered complaint into review (its run recorded on the procedure)."""
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else None
    with transaction() as session:
        _, proc = complaint_of(session, number)
        if proc.flow_run_id is None:
            proc.flow_run_id = run_id
        if proc.status is ProcedureStatus.REGISTERED:
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.IN_PROGRESS, "review-cpc-complaint"
            )
        return _case(proc)


@task(name="assign-cpc-complaint", cache_policy=NO_CACHE)
def assign_complaint(case: ComplaintCase) -> str:
    """A prosecutor of the criminal area present today, the least loaded, with the duty to
    consider it by its CPC term (art. 105(2))."""
    with transaction() as session:
        duty = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "consider")
        )
        if duty is not None:
            return duty.assignee_id or ""
        loads = procedure_store.open_duty_loads(session)
        staff, why = choose_prosecutor(read_roster(session), today(), loads)
        proc = session.get_one(Procedure, case.procedure_id)
        proc.assignee_id = staff.id
        procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="consider",
            title=f"Consider CPC complaint {case.registration_number} (CPC art. 105(2))",
            assignee_id=staff.id,
            due_date=case.due_date,
            term_id=case.term_id,
            actor="review-cpc-complaint",
        )
        audit.append(
            session,
            actor="review-cpc-complaint",
            action="cpc_complaint.assigned",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"assignee": staff.id, "why": why, "term": case.term_id},
        )
        return staff.id


@task(name="describe-cpc-complaint", cache_policy=NO_CACHE)
def describe(case: ComplaintCase, assignee: str) -> str:
    """The form's Markdown: the complaint with its personal data masked (the UI is open)."""
    with transaction() as session:
        record, _ = complaint_of(session, case.registration_number)
    name = record.complainant_name()
    summary = redact(record.summary, [name])
    term = "3" if case.term_id.endswith("urgent") else "7"
    due_line = (
        f"**Decide by:** {case.due_date:%d.%m.%Y} (extended to 15 сутки, CPC art. 105(2))"
        if case.extended
        else f"**Decide by:** {case.due_date:%d.%m.%Y} ({term} сутки, CPC arts. 105(2), 48)"
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
        " materials, other measures), extend the term to 15 сутки from receipt — the"
        " complainant is then sent a signed notice."
    )


@task(name="check-cpc-conclusion", cache_policy=NO_CACHE)
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
            audit.append(
                session,
                actor=conclusion.prosecutor,
                action="cpc_complaint.conclusion_refused",
                entity_kind="procedure",
                entity_id=case.registration_number,
                payload={"why": problem},
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


@task(name="complaint-letter-fields", cache_policy=NO_CACHE)
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


@task(name="extend-cpc-complaint", cache_policy=NO_CACHE)
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
        proc = session.get_one(Procedure, case.procedure_id)
        details = dict(proc.details or {})
        if "extended_to" not in details:
            details.update(
                extended_to=new_due.isoformat(), extension_ground=ground.value, notice=notice_id
            )
            proc.details = details
            proc.due_date = new_due
            duty = session.scalar(
                select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "consider")
            )
            if duty is not None:
                duty.due_date, duty.term_id, duty.escalation_level = new_due, TERM_EXTENDED, 0
                duty.reminded_on = None
            audit.append(
                session,
                actor=decided_by,
                action="cpc_complaint.extended",
                entity_kind="procedure",
                entity_id=case.registration_number,
                payload={
                    "due_date": new_due.isoformat(),
                    "ground": ground.value,
                    "notice_document": notice_id,
                    "rule": "CPC art. 105(2)",
                },
            )
        return replace(case, due_date=proc.due_date or new_due, extended=True)


@task(name="close-cpc-complaint", cache_policy=NO_CACHE)
def close_complaint(case: ComplaintCase, outcome: Outcome, document_id: int, actor: str) -> None:
    """The decision is sent: the duties are done and the procedure closed."""
    with transaction() as session:
        for duty in session.scalars(
            select(Duty).where(
                Duty.procedure_id == case.procedure_id, Duty.status == DutyStatus.OPEN
            )
        ):
            procedure_store.complete_duty(session, duty.id, actor)
        proc = session.get_one(Procedure, case.procedure_id)
        if proc.status is ProcedureStatus.CLOSED:
            return
        proc.details = {**(proc.details or {}), "outcome": outcome.value}
        procedure_store.set_status(session, case.procedure_id, ProcedureStatus.CLOSED, actor)
        audit.append(
            session,
            actor=actor,
            action="cpc_complaint.decided",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={
                "outcome": outcome.value,
                "document": document_id,
                "rule": "CPC art. 105(3)-(4)",
            },
        )
