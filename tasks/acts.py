"""Steps of an act of the prosecutor's office (CL-155 art. 32): register, watch the addressee's
term, record the hearing notice and a suspension, escalate a refusal, close."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.input import RunInput
from sqlalchemy import select

from models.db import transaction
from models.db.sql import insert_ignoring_duplicates
from models.db.tables import Document, Duty, Escalation, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureStatus
from models.procedures import store as procedure_store
from models.procedures.acts import (
    Act,
    AdminOffence,
    SetTerm,
    addressee_due,
    hearing_notice_late,
    hearing_result_due,
    spec,
)
from models.records import audit
from models.sweeps import notifications
from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import DateCase, kk_date
from models.timing.terms import default_terms


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


@task(name="register-act", cache_policy=NO_CACHE)
def register_act(
    act: Act, reference: str, addressee: str, responsible: str | None, details: dict[str, Any]
) -> ActCase:
    """Register the act once per (act, reference): a replayed or re-triggered run finds it."""
    entry = spec(act)
    title = f"{entry.name_ru}: {reference}"[:300]
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(
                Procedure.kind == entry.procedure,
                Procedure.title == title,
            )
        )
        if proc is None:
            signatory = read_roster(session).signatory_on(today()).staff
            who = responsible or (signatory.id if signatory else None)
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=entry.procedure,
                title=title,
                year=today().year,
                assignee_id=who,
                actor=who or "system",
            )
            context = FlowRunContext.get()
            proc.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
            proc.details = {"act": act.value, "addressee": addressee, **details}
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.IN_PROGRESS, who or "system"
            )
        return ActCase(proc.id, proc.registration_number, act, proc.assignee_id or "")


@task(name="await-addressee", cache_policy=NO_CACHE)
def open_consideration(
    case: ActCase, set_term: SetTerm | None, step: str = "consideration", due: dt.date | None = None
) -> int:
    """The addressee's term runs from delivery: one duty watches it (answered by an event)."""
    entry = spec(case.act)
    due = due or addressee_due(case.act, today(), WorkingCalendar(), set_term)
    with transaction() as session:
        duty = procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step=step,
            title=f"Answer of the addressee to {case.registration_number}",
            assignee_id=case.responsible or None,
            due_date=due,
            term_id="submission.result_report" if step.startswith("hearing") else entry.term_id,
            actor=case.responsible or "system",
        )
        proc = session.get_one(Procedure, case.procedure_id)
        proc.due_date = duty.due_date
        if proc.status is not ProcedureStatus.AWAITING_ANSWER:
            procedure_store.set_status(
                session,
                case.procedure_id,
                ProcedureStatus.AWAITING_ANSWER,
                case.responsible or "system",
            )
        return duty.id


@task(name="record-hearing-notice", cache_policy=NO_CACHE)
def record_hearing_notice(
    case: ActCase, hearing: dt.date, place: str | None, notified: dt.date
) -> tuple[dt.date, bool]:
    """The addressee tells the prosecutor when and where the act is considered (CL-155 arts.
    33(3), 36(2)). Returns the day the result is due and whether a submission's notice was late
    (less than 3 working days before the hearing)."""
    cal = WorkingCalendar()
    late = case.act is Act.SUBMISSION and hearing_notice_late(notified, hearing, cal)
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        due = hearing_result_due(hearing, cal) if case.act is Act.SUBMISSION else proc.due_date
        proc.details = {
            **(proc.details or {}),
            "hearing": {"date": hearing.isoformat(), "place": place, "notice_late": late},
        }
        audit.append(
            session,
            actor="answer",
            action="act.hearing_notified",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"hearing": hearing, "place": place, "notified": notified, "late": late},
        )
    assert due is not None
    return due, late


@task(name="suspend-contested-act", cache_policy=NO_CACHE)
def record_suspension(case: ActCase, suspended_by: str) -> None:
    """The district prosecutor suspended the protested act until the protest is decided
    (CL-155 art. 33(5)); the signed protest says so."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        if (proc.details or {}).get("contested_act_suspended"):
            return
        proc.details = {**(proc.details or {}), "contested_act_suspended": True}
        audit.append(
            session,
            actor=suspended_by,
            action="act.contested_act_suspended",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"source": "CL-155 art. 33(5)"},
        )


@task(name="escalate-refusal", cache_policy=NO_CACHE)
def escalate_refusal(case: ActCase, duty_id: int, outcome: str) -> str | None:
    """Silence or refusal goes to the head (or the person replacing the head) at once: recorded
    and notified once."""
    on = today()
    with transaction() as session:
        head = read_roster(session).signatory_on(on).staff
        target = head.id if head else None
        reason = f"the addressee's answer to {case.registration_number}: {outcome}"
        session.execute(
            insert_ignoring_duplicates(session, Escalation)
            .values(
                subject_kind="duty",
                subject_id=duty_id,
                level=1,
                from_staff_id=case.responsible or None,
                to_staff_id=target,
                reason=reason,
                on_date=on,
            )
            .on_conflict_do_nothing(index_elements=["subject_kind", "subject_id", "level"])
        )
        notifications.notify(
            session,
            key=f"act-refused-{duty_id}",
            recipient=target,
            kind="escalation",
            subject_kind="duty",
            subject_id=duty_id,
            on=on,
            message=reason,
        )
        audit.append(
            session,
            actor=case.responsible or "system",
            action="act.escalated",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"outcome": outcome, "to": target},
        )
        return target


@task(name="open-follow-up", cache_policy=NO_CACHE)
def open_follow_up(case: ActCase, step: str, term_id: str, title: str) -> int:
    """The office's own next duty after a refusal (drafting the court application, or
    challenging a decision in an administrative-offence case)."""
    due = default_terms().due(term_id, today(), WorkingCalendar())
    with transaction() as session:
        return procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step=step,
            title=f"{title}: {case.registration_number}",
            assignee_id=case.responsible or None,
            due_date=due,
            term_id=term_id,
            actor=case.responsible or "system",
        ).id


@task(name="close-act", cache_policy=NO_CACHE)
def close_act(case: ActCase, outcome: str, decided_by: str, keep_open: str | None = None) -> None:
    """Close the procedure with its outcome; ``keep_open``: a follow-up duty that stays open."""
    with transaction() as session:
        for duty in session.scalars(select(Duty).where(Duty.procedure_id == case.procedure_id)):
            if duty.status.value == "open" and duty.step != keep_open:
                procedure_store.complete_duty(session, duty.id, decided_by)
        proc = session.get_one(Procedure, case.procedure_id)
        proc.details = {**(proc.details or {}), "outcome": outcome}
        if proc.status is not ProcedureStatus.CLOSED:
            procedure_store.set_status(
                session, case.procedure_id, ProcedureStatus.CLOSED, decided_by
            )
        audit.append(
            session,
            actor=decided_by,
            action="act.closed",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"outcome": outcome},
        )


@task(name="issued-reference", cache_policy=NO_CACHE)
def issued_reference(case: ActCase, document_id: int) -> dict[str, str]:
    """The issued act's outgoing number and date, as a court application names it (APPC art.
    131(2)(5): the pre-trial step taken); the matter's number until the act has its own."""
    with transaction() as session:
        doc = session.get_one(Document, document_id)
        number = getattr(doc, "outgoing_number", None) or case.registration_number
        issued = getattr(doc, "outgoing_date", None) or (
            doc.dispatched_at.date() if doc.dispatched_at else today()
        )
    return {
        "number": number,
        "date": f"{issued:%d.%m.%Y}",
        "date_kk": kk_date(issued, DateCase.ATTRIBUTIVE),
    }
