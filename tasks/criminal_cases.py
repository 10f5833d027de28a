"""Steps of the supervision of a criminal case (CPC art. 193): take the registered case, assign
the procedural prosecutor, watch the term of the investigation and the notice of its start,
decide the investigator's requests to extend the term (CPC art. 192(4)-(6)), close the case when
the investigation ends. Each step finds its work already done on a replay and repeats nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import AwareDatetime, Field

from models.appeals import inbox_store, may_report
from models.db import transaction
from models.db.tables import DutyStatus, Procedure
from models.office.roster_store import read_roster
from models.procedures import ProcedureKind, ProcedureStatus, criminal_case_store
from models.procedures import store as procedure_store
from models.procedures.criminal_cases import (
    FORM_NAMES,
    NOTICE_TERM,
    TERM_OF_FORM,
    ExtensionGround,
    ExtensionRoute,
    InvestigationForm,
    choose_procedural_prosecutor,
    extension_route,
    notice_due_at,
    request_is_late,
)
from models.records import audit
from models.sweeps.notifications import notify
from models.timing.calendar import ALMATY, WorkingCalendar, today
from models.timing.dates_kk import DateCase, date_text
from models.timing.terms import default_terms
from models.vocabulary import Step
from tasks.step import step

ACTOR = "supervise-criminal-case"
NEXT_FLOW = "decide-finished-case"  # the deployment that takes a finished case


@dataclass(frozen=True, slots=True)
class CriminalCase:
    procedure_id: int
    registration_number: str
    erdr_number: str
    form: InvestigationForm
    registered_at: dt.datetime
    due: dt.date
    assignee: str | None
    claimed_elsewhere: str | None = None


class CaseEvent(RunInput):
    """Ход дела / Іс барысы: what the procedural prosecutor records in the case.

    ``extension_request``: the investigator's reasoned request (мотивированное ходатайство) to
    extend the term (CPC art. 192(4)); ``notice_received``: the body's notice of the start of
    the investigation (CPC art. 196(1)); ``finished``: the case was sent to the prosecutor
    (CPC art. 192(2)), to be decided in ``decide-finished-case``.
    """

    event: Literal["extension_request", "notice_received", "finished"]
    prosecutor: str = Field(
        description="your staff id: the procedural prosecutor, whoever replaces them, or above"
    )
    requested_until: dt.date | None = Field(
        None, description="extension: the last day of the term the investigator asks for"
    )
    ground: ExtensionGround = Field(
        ExtensionGround.COMPLEXITY,
        description="extension: complexity (district prosecutor, up to 3 months); special"
        " complexity or a transfer abroad (regional prosecutor) - CPC art. 192(4)",
    )
    reasoning: str = Field(
        "",
        max_length=10000,
        description="extension: why the investigation cannot end in the term (the request's"
        " reasons); the decision states them",
    )
    request_date: dt.date | None = Field(None, description="extension: the date of the request")
    grant: bool = Field(True, description="extension: your proposal - grant, or refuse")
    refusal_reasoning: str = Field(
        "", max_length=10000, description="extension refused: why the term is not extended"
    )
    notice_received_at: AwareDatetime | None = Field(
        None, description="notice: when it arrived (default now)"
    )
    outcome: str = Field(
        "", max_length=2000, description="finished: how the case was sent (CPC art. 192(2))"
    )


def _current_run() -> str | None:
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


def _case(proc: Procedure, elsewhere: str | None = None) -> CriminalCase:
    d = proc.details or {}
    return CriminalCase(
        proc.id,
        proc.registration_number,
        d["erdr_number"],
        InvestigationForm(d["form"]),
        dt.datetime.fromisoformat(d["registered_at"]),
        proc.due_date or today(),
        proc.assignee_id,
        elsewhere,
    )


@step
def take_case(number: str) -> CriminalCase:
    """The registered case, taken under supervision by this run (one run per case)."""
    run_id = _current_run()
    with transaction() as session:
        _, proc = inbox_store.raw_of(session, number)
        if proc.kind is not ProcedureKind.CRIMINAL_CASE:
            raise LookupError(f"{number} is not a criminal case")
        if proc.flow_run_id not in {None, run_id}:
            return _case(proc, proc.flow_run_id)
        if proc.flow_run_id is None and run_id is not None:
            proc.flow_run_id = run_id
        if proc.status is ProcedureStatus.REGISTERED:
            procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, ACTOR)
        return _case(proc)


@step
def reload(case: CriminalCase) -> CriminalCase:
    with transaction() as session:
        return _case(session.get_one(Procedure, case.procedure_id))


@step
def assign_prosecutor(case: CriminalCase) -> str:
    """A prosecutor of the criminal area present today with the fewest open duties; the term of
    the investigation and the notice of its start become their duties, so the deadline checks
    remind and escalate them."""
    with transaction() as session:
        existing = procedure_store.duty_of(session, case.procedure_id, Step.INVESTIGATION_TERM)
        if existing is not None:
            return existing.assignee_id or ""
        loads = procedure_store.open_duty_loads(session)
        staff, why = choose_procedural_prosecutor(read_roster(session), today(), loads)
        proc = session.get_one(Procedure, case.procedure_id)
        proc.assignee_id = staff.id
        terms = default_terms()
        term_id = TERM_OF_FORM[case.form]
        procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step=Step.INVESTIGATION_TERM,
            title=f"Срок расследования по делу ЕРДР № {case.erdr_number}",
            assignee_id=staff.id,
            due_date=case.due,
            term_id=term_id,
            actor=ACTOR,
        )
        notice = procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step=Step.NOTICE_START,
            title=f"Уведомление о начале расследования, дело ЕРДР № {case.erdr_number}",
            assignee_id=staff.id,
            due_date=None,
            term_id=NOTICE_TERM,
            actor=ACTOR,
        )
        notice.due_at = notice_due_at(case.registered_at, terms)
        audit.append(
            session,
            actor=ACTOR,
            action="criminal_case.assigned",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={
                "assignee": staff.id,
                "why": why,
                "form": case.form.value,
                "term": {"id": term_id, "due": case.due, "source": terms.get(term_id).source},
                "notice": {
                    "id": NOTICE_TERM,
                    "due_at": notice.due_at.isoformat(),
                    "source": terms.get(NOTICE_TERM).source,
                },
            },
        )
        return staff.id


@step
def may_act(case: CriminalCase, staff_id: str) -> bool:
    """The procedural prosecutor, whoever replaces them today, or those above them."""
    with transaction() as session:
        assignee = session.get_one(Procedure, case.procedure_id).assignee_id
        return may_report(read_roster(session), today(), assignee, staff_id)


@step
def record_notice(case: CriminalCase, by: str, received_at: dt.datetime) -> bool:
    """The body's notice of the start of the investigation arrived; True when in time."""
    with transaction() as session:
        duty = procedure_store.duty_of(session, case.procedure_id, Step.NOTICE_START)
        if duty is None or duty.status is DutyStatus.DONE:
            return True
        in_time = duty.due_at is None or received_at <= _aware(duty.due_at)
        duty.answer = f"received {received_at.astimezone(ALMATY):%d.%m.%Y %H:%M}"
        procedure_store.complete_duty(session, duty.id, by)
        audit.append(
            session,
            actor=by,
            action="criminal_case.notice_received",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"received_at": received_at.isoformat(), "in_time": in_time},
        )
        return in_time


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def request_problem(given: CaseEvent) -> str | None:
    """What a request to extend lacks (CPC art. 192(4): a reasoned request, a term asked)."""
    if given.requested_until is None:
        return "the request names no new last day of the term"
    if not given.reasoning.strip():
        return "the request gives no reasons (CPC art. 192(4): a reasoned request)"
    if not given.grant and not given.refusal_reasoning.strip():
        return "a refusal needs its reasons"
    return None


@step
def route_request(case: CriminalCase, given: CaseEvent, attempt: int) -> ExtensionRoute:
    """Who may decide the request (CPC art. 192(4)-(5)); recorded once per request, with a note
    when the ruling came later than five сутки before the term ends (art. 192(6))."""
    assert given.requested_until is not None
    terms = default_terms()
    route = extension_route(
        case.form,
        case.registered_at,
        case.due,
        given.requested_until,
        given.ground,
        WorkingCalendar(),
        terms,
    )
    with transaction() as session:
        key = f"{case.registration_number}#request-{attempt}"
        if not criminal_case_store.is_recorded(session, key):
            audit.append(
                session,
                actor=given.prosecutor,
                action="criminal_case.extension_requested",
                entity_kind="procedure",
                entity_id=key,
                payload={
                    "requested_until": given.requested_until,
                    "ground": given.ground.value,
                    "due": case.due,
                    "authority": route.authority.value,
                    "why": route.reason,
                    "late": request_is_late(given.request_date or today(), case.due, terms),
                },
            )
    return route


@step
def refer_upward(case: CriminalCase, given: CaseEvent, route: ExtensionRoute, attempt: int) -> int:
    """Beyond the district prosecutor's power: not granted here; the request goes to the
    regional office (the Prosecutor General through it), which is notified once."""
    with transaction() as session:
        return notify(
            session,
            key=f"pretrial-extension:{case.procedure_id}:{attempt}",
            recipient=None,  # the regional office
            kind="extension_referred",
            subject_kind="procedure",
            subject_id=case.procedure_id,
            on=today(),
            message=(
                f"Дело ЕРДР № {case.erdr_number} ({case.registration_number}): ходатайство о"
                f" продлении срока расследования до {given.requested_until:%d.%m.%Y} вне"
                f" полномочий прокурора района - {route.reason}"
            ),
        )


@step
def extend_term(case: CriminalCase, until: dt.date, document_id: int, signer: str) -> dt.date:
    """The signed decision moves the term: the duty's due date, the case's due date; a replay
    finds the decision already applied."""
    with transaction() as session:
        return criminal_case_store.extend_term(
            session, case.procedure_id, until, document_id, signer
        )


@step
def record_refusal(case: CriminalCase, document_id: int, signer: str) -> None:
    with transaction() as session:
        audit.append(
            session,
            actor=signer,
            action="criminal_case.extension_refused",
            entity_kind="procedure",
            entity_id=f"{case.registration_number}#refusal-{document_id}",
            payload={
                "document_id": document_id,
                "due": case.due,
                "source": criminal_case_store.EXTENSION_SOURCE,
            },
        )


@step
def close_case(case: CriminalCase, outcome: str, actor: str) -> None:
    """The investigation ended (the case sent to the prosecutor, CPC art. 192(2)): the watch
    ends here and the decision on the finished case is taken in ``decide-finished-case``."""
    with transaction() as session:
        criminal_case_store.finish_investigation(
            session, case.procedure_id, outcome, actor, NEXT_FLOW
        )


def decision_fields(
    case: CriminalCase, given: CaseEvent, language: str, details: dict[str, Any]
) -> dict[str, Any]:
    """Values of the постановление (extension or refusal), each where its form is right."""
    return {
        "erdr_number": case.erdr_number,
        "registered_date": f"{case.registered_at.astimezone(ALMATY):%d.%m.%Y}",
        "cc_article": details.get("cc_article", ""),
        "form_name": FORM_NAMES[case.form][language],
        "body_name": details.get("body", ""),
        "investigator": details.get("investigator", ""),
        "request_date": f"{(given.request_date or today()):%d.%m.%Y}",
        "current_due": f"{case.due:%d.%m.%Y}",
        # running text: ru «до 20.02.2027», kk «2027 жылғы 20 ақпанға дейін»
        "new_due": (
            date_text(given.requested_until, language, DateCase.DATIVE)
            if given.requested_until
            else ""
        ),
        "reasoning": given.reasoning,
        "refusal_reasoning": given.refusal_reasoning,
    }


@step
def case_details(case: CriminalCase) -> dict[str, Any]:
    with transaction() as session:
        return dict(session.get_one(Procedure, case.procedure_id).details or {})
