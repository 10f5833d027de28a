"""Steps of an act of the prosecutor's office (CL-155 art. 32): register, watch the addressee's
term, record the hearing notice and a suspension, escalate a refusal, open the office's own
follow-up, close. The storage is ``models.procedures.act_store``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prefect.context import FlowRunContext
from prefect.input import RunInput

from models.db import transaction
from models.procedures import act_store
from models.procedures import store as procedure_store
from models.procedures.acts import (
    HEARING_RESULT_TERM,
    Act,
    AdminOffence,
    FollowUp,
    SetTerm,
    addressee_due,
    hearing_notice_late,
    hearing_result_due,
    spec,
)
from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import DateCase, kk_date
from models.timing.terms import default_terms
from models.vocabulary import Step
from tasks.step import step


@dataclass(frozen=True, slots=True)
class ActCase:
    procedure_id: int
    registration_number: str
    act: Act
    responsible: str


class OffenceDetails(RunInput):
    """Сведения о правонарушении / Құқық бұзушылық туралы мәліметтер: what the decree opening
    an administrative-offence case must state (CoAO arts. 805(3), 803(2))."""

    offence: AdminOffence


@step
def register_act(
    act: Act, reference: str, addressee: str, responsible: str | None, details: dict[str, Any]
) -> ActCase:
    """Register the act once per (act, reference): a replayed or re-triggered run finds it."""
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else None
    with transaction() as session:
        proc = act_store.register_act(
            session,
            spec(act),
            reference,
            responsible,
            {"addressee": addressee, **details},
            today(),
            run_id,
        )
        return ActCase(proc.id, proc.registration_number, act, proc.assignee_id or "")


@step
def open_consideration(
    case: ActCase,
    set_term: SetTerm | None,
    step: str = Step.CONSIDERATION,
    due: dt.date | None = None,
) -> int:
    """The addressee's term runs from delivery: one duty watches it (answered by an event).
    A hearing's duty (``step`` "hearing-n") runs to the hearing's result."""
    entry = spec(case.act)
    hearing = step.startswith(Step.HEARING)
    with transaction() as session:
        return act_store.await_addressee(
            session,
            case.procedure_id,
            step=step,
            title=f"Answer of the addressee to {case.registration_number}",
            assignee_id=case.responsible or None,
            due=due or addressee_due(case.act, today(), WorkingCalendar(), set_term),
            term_id=HEARING_RESULT_TERM if hearing and entry.reports_hearing else entry.term_id,
        )


@step
def record_hearing_notice(
    case: ActCase, hearing: dt.date, place: str | None, notified: dt.date
) -> tuple[dt.date, bool]:
    """The addressee tells the prosecutor when and where the act is considered (CL-155 arts.
    33(3), 36(2)). Returns the day the result is due and whether the notice was late (for an
    act whose hearing is reported: less than 3 working days before it)."""
    cal = WorkingCalendar()
    reported = spec(case.act).reports_hearing
    late = reported and hearing_notice_late(notified, hearing, cal)
    with transaction() as session:
        due = act_store.record_hearing_notice(
            session, case.procedure_id, hearing=hearing, place=place, notified=notified, late=late
        )
    if reported:
        due = hearing_result_due(hearing, cal)
    if due is None:
        raise ValueError(f"{case.registration_number} has no term running")
    return due, late


@step
def record_suspension(case: ActCase, suspended_by: str) -> None:
    """The district prosecutor suspended the protested act until the protest is decided
    (CL-155 art. 33(5)); the signed protest says so."""
    with transaction() as session:
        act_store.record_suspension(session, case.procedure_id, suspended_by)


@step
def escalate_refusal(case: ActCase, duty_id: int, outcome: str) -> str | None:
    """Silence or refusal goes to the head (or the person replacing the head) at once: recorded
    and notified once."""
    refusal = act_store.Refusal(case.procedure_id, duty_id, outcome, case.responsible or None)
    with transaction() as session:
        return act_store.escalate_refusal(session, refusal, today())


@step
def open_follow_up(case: ActCase, follow_up: FollowUp) -> int:
    """The office's own next duty after a refusal (drafting the court application, or
    challenging a decision in an administrative-offence case)."""
    due = default_terms().due(follow_up.term_id, today(), WorkingCalendar())
    with transaction() as session:
        return procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step=follow_up.step,
            title=f"{follow_up.title}: {case.registration_number}",
            assignee_id=case.responsible or None,
            due_date=due,
            term_id=follow_up.term_id,
            actor=case.responsible or "system",
        ).id


@step
def close_act(
    case: ActCase, outcome: str, decided_by: str, keep_open: frozenset[str] = frozenset()
) -> None:
    """Close the procedure with its outcome; ``keep_open``: follow-up duties that stay open."""
    with transaction() as session:
        act_store.close_act(session, case.procedure_id, outcome, decided_by, keep_open)


@step
def issued_reference(case: ActCase, document_id: int) -> dict[str, str]:
    """The issued act's outgoing number and date, as a court application names it (APPC art.
    131(2)(5): the pre-trial step taken); the matter's number until the act has its own."""
    with transaction() as session:
        number, issued = act_store.issued_on(session, document_id, today())
    return {
        "number": number or case.registration_number,
        "date": f"{issued:%d.%m.%Y}",
        "date_kk": kk_date(issued, DateCase.ATTRIBUTIVE),
    }
