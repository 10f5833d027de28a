"""Steps of the prosecutor's decision on a finished case: open the study, check the procedural
prosecutor's decision, fill the decision's document, start the state prosecution, close. The
rules are in ``models/procedures/case_decisions.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field

from models.appeals import may_report
from models.db import transaction
from models.db.tables import Body, Procedure
from models.office.roster_store import read_roster
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.case_decisions import (
    Addressee,
    CaseForm,
    Outcome,
    decision_problems,
    further_investigation_due,
    rule_for,
)
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import DateCase, date_text
from models.timing.terms import TermNotAllowed
from models.vocabulary import EVENT_PREFIX
from tasks.events import prefect_configured
from tasks.step import step

REF_PREFIX = f"{EVENT_PREFIX}{ProcedureKind.CASE_DECISION.value}."  # the event's resource
PROSECUTION_DEPLOYMENT = "support-prosecution/support-prosecution"


@dataclass(frozen=True, slots=True)
class FinishedCase:
    procedure_id: int
    registration_number: str
    erdr_number: str
    form: CaseForm
    body_id: str
    due_date: dt.date
    assignee: str | None
    received_at: str
    detained: bool


class StudyInput(RunInput):
    """Решение процессуального прокурора / Процестік прокурордың шешімі: the decision on the
    finished case, drafted for the head's signature (CPC art. 193(2)(8)-(10))."""

    prosecutor: str = Field(description="your staff id (the procedural prosecutor)")
    outcome: Outcome = Field(
        description="send_to_court, return (with указания), approve_termination, "
        "refuse_termination (with указания); the form of the case limits the choice"
    )
    grounds: str = Field(
        "", max_length=10000, description="the reasons of the decision (printed in the decree)"
    )
    instructions: list[str] = Field(
        default_factory=list,
        description="указания, one per item, when the case goes back (CPC art. 193(1)(5))",
    )
    due_days: int | None = Field(
        None,
        ge=1,
        le=31,
        description="сутки for the further investigation; empty: one month (CPC art. 192(7))",
    )
    court: str | None = Field(
        None, max_length=300, description="the court the case goes to, as it is named"
    )


def case_number_of(case_ref: str) -> str:
    """The registration number from ``prosecutor.case_decision.<number>`` or the bare number."""
    return case_ref.removeprefix(REF_PREFIX)


def _case(proc: Procedure) -> FinishedCase:
    d = proc.details or {}
    assert proc.due_date is not None
    return FinishedCase(
        proc.id,
        proc.registration_number,
        d["erdr_number"],
        CaseForm(d["form"]),
        d["body_id"],
        proc.due_date,
        proc.assignee_id,
        d["received_at"],
        bool(d.get("detained")),
    )


@step
def open_study(case_ref: str) -> FinishedCase:
    """The submitted case, its study begun under this run (idempotent on replay)."""
    number = case_number_of(case_ref)
    with transaction() as session:
        proc = procedure_store.procedure_by_number(session, number)
        if proc.kind is not ProcedureKind.CASE_DECISION:
            raise LookupError(f"no finished case {number}")
        context = FlowRunContext.get()
        if context and context.flow_run:
            proc.flow_run_id = str(context.flow_run.id)
        if proc.status is ProcedureStatus.REGISTERED:
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.IN_PROGRESS, proc.assignee_id or "system"
            )
        return _case(proc)


def description(case: FinishedCase) -> str:
    """The form a supervisor sees in Prefect: no personal data (the accused's initials)."""
    rule = rule_for(case.form)
    outcomes = ", ".join(f"`{r.outcome.value}` ({r.source})" for r in rule.outcomes)
    return "\n".join(
        [
            f"## Finished case, ЕРДР {case.erdr_number} ({case.registration_number})",
            f"Received with: **{rule.name_ru}** on {case.received_at[:16].replace('T', ' ')}; "
            f"decide by **{case.due_date:%d.%m.%Y}** ({rule.source}).",
            f"Procedural prosecutor: `{case.assignee}`. Body: `{case.body_id}`.",
            "",
            f"Decisions allowed: {outcomes}.",
            "A return lists the указания, one per item; sending to court names the court.",
        ]
    )


@step
def check_decision(case: FinishedCase, given: StudyInput) -> str | None:
    """None when the decision may be drafted; else why not (audited)."""
    problems = decision_problems(
        case.form, given.outcome, given.instructions, given.court, given.grounds
    )
    with transaction() as session:
        if not may_report(read_roster(session), today(), case.assignee, given.prosecutor):
            problems.insert(0, f"{given.prosecutor} is not the procedural prosecutor of the case")
        rule = rule_for(case.form)
        if not problems and rule.outcome(given.outcome).gives_instructions:
            try:
                further_investigation_due(today(), WorkingCalendar(), given.due_days)
            except TermNotAllowed as exc:
                problems.append(str(exc))
        if not problems:
            return None
        audit.append(
            session,
            actor=given.prosecutor,
            action="case_decision.refused",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"outcome": given.outcome.value, "problems": problems},
        )
        return "; ".join(problems)


@step
def further_due(case: FinishedCase, attempt: int, due_days: int | None) -> dt.date:
    """The term of the returned case, fixed once per decision (CPC art. 192(7)): a run resumed
    on a later day prints and tracks the same day as the document first drafted."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        fixed = dict((proc.details or {}).get("further_due") or {})
        if str(attempt) not in fixed:
            due = further_investigation_due(today(), WorkingCalendar(), due_days)
            fixed[str(attempt)] = due.isoformat()
            proc.details = {**(proc.details or {}), "further_due": fixed}
        return dt.date.fromisoformat(fixed[str(attempt)])


@step
def decision_fields(
    case: FinishedCase, given: StudyInput, language: str, due: dt.date | None
) -> dict[str, Any]:
    """The decision's document fields; names stand on label lines in the nominative. ``due``:
    the term of a returned case."""
    rule = rule_for(case.form)
    outcome = rule.outcome(given.outcome)
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        body = session.get_one(Body, case.body_id)
        details = proc.details or {}
    kk = language == "kk"
    addressee = given.court if outcome.addressee is Addressee.COURT else None
    return {
        "addressee_name": addressee or (body.name_kk if kk else body.name_ru),
        "addressee_address": None,
        "form": case.form.value,
        "form_name": rule.name_kk if kk else rule.name_ru,
        "erdr_number": case.erdr_number,
        "accused": details.get("person", ""),
        "cc_article": details.get("cc_article", ""),
        "grounds": given.grounds.strip().rstrip("."),
        "items": [i.strip() for i in given.instructions if i.strip()],
        "due": date_text(due, language, DateCase.DATIVE) if due else "",
    }


@step
def start_prosecution(case: FinishedCase, signer: str) -> str | None:
    """The case went to court: the state prosecution is due (recorded once), and started on a
    real server through ``support-prosecution``; the run id, or None when none was started."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        details = dict(proc.details or {})
        due = details.get("state_prosecution") or {}
        if due.get("flow_run_id"):
            return str(due["flow_run_id"])
        due = {"due": True, "since": dt.datetime.now(dt.UTC).isoformat(), "flow_run_id": None}
        details["state_prosecution"] = due
        proc.details = details
        audit.append(
            session,
            actor=signer,
            action="case_decision.prosecution_due",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"deployment": PROSECUTION_DEPLOYMENT, "started": prefect_configured()},
        )
    if not prefect_configured():
        return None
    from prefect.deployments import run_deployment

    run = run_deployment(
        PROSECUTION_DEPLOYMENT,
        parameters={"case_ref": case.registration_number},
        timeout=0,
        as_subflow=False,
        idempotency_key=f"prosecution-{case.registration_number}",
    )
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        details = dict(proc.details or {})
        details["state_prosecution"] = {
            **details.get("state_prosecution", {}),
            "flow_run_id": str(run.id),
        }
        proc.details = details
    return str(run.id)


@step
def close_decision(
    case: FinishedCase,
    outcome: Outcome,
    signer: str,
    document_id: int,
    instructions: str | None,
) -> None:
    """The decision taken: the study duty done, the decision recorded (and on the supervised
    case, when one is registered), the procedure closed."""
    rule = rule_for(case.form).outcome(outcome)
    decided_on = today()
    with transaction() as session:
        decision = {
            "outcome": outcome.value,
            "source": rule.source,
            "signed_by": signer,
            "document_id": document_id,
            "decided_on": decided_on.isoformat(),
            "within_term": decided_on <= case.due_date,
            "instructions": instructions,
        }
        proc = procedure_store.close_procedure(
            session, case.procedure_id, signer, details={"decision": decision}
        )
        audit.append(
            session,
            actor=signer,
            action="case_decision.decided",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload=decision,
        )
        linked = (proc.details or {}).get("criminal_case")
        if linked:
            audit.append(
                session,
                actor=signer,
                action="criminal_case.decided",
                entity_kind="procedure",
                entity_id=linked,
                payload={"case_decision": case.registration_number, "outcome": outcome.value},
            )
