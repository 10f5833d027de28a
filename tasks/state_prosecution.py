"""Steps of state prosecution (поддержание государственного обвинения): open it for a case sent
to court, assign the state prosecutor, record the hearings and the verdict, start the review of
the verdict. The rules are in ``models/procedures/state_prosecution.py``.

Every entry is stored under the key of the form it came from (``entry-<n>``): a replayed run
gets the same outcome back, judged on the day it was first recorded."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from models.appeals import may_report
from models.db import transaction
from models.db.tables import Duty, DutyStatus, Procedure, StaffRow
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind, ProcedureStatus, prosecution_store
from models.procedures import store as procedure_store
from models.procedures.court_acts import WINDOWS, WindowKind
from models.procedures.state_prosecution import (
    AREA,
    EntryKind,
    EntryRefused,
    Hearing,
    Verdict,
    VerdictKind,
    check_adjournment,
    check_hearing,
    check_verdict,
    choose_state_prosecutor,
    convict_window_end,
    hearing_state,
    held_by,
    review_parameters,
)
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit
from models.timing.terms import default_terms
from models.vocabulary import EVENT_PREFIX, Step, keyed
from tasks.events import prefect_configured
from tasks.step import step

HEARING_STEP = keyed(Step.HEARING, "")  # hearing-<n>: the hearing of the entry-<n> form
ENTRY_FORM = "entry"  # the forms entry-1, entry-2, ... of the state prosecutor
REVIEW_DEPLOYMENT = "review-court-act/review-court-act"
ACTOR = "support-prosecution"


class CourtOfCase(RunInput):
    """Суд, рассматривающий дело / Істі қарайтын сот: asked when the decision that sent the case
    to court does not name it."""

    court_name_ru: str = Field(
        min_length=3, max_length=300, description="the court, nominative, in Russian"
    )
    court_name_kk: str = Field(
        min_length=3, max_length=300, description="the court, nominative, in Kazakh"
    )


class ProsecutionEntry(RunInput):
    """Запись государственного обвинителя / Мемлекеттік айыптаушының жазбасы: a hearing
    scheduled, a hearing adjourned (CPC art. 341(1)) or the verdict pronounced (CPC art. 402)."""

    state_prosecutor: str = Field(description="your staff id")
    entry: EntryKind
    hearing_on: dt.date | None = Field(
        None, description="the hearing's day (next one if adjourned)"
    )
    hearing_time: dt.time | None = Field(None, description="the hearing's time, HH:MM")
    courtroom: str | None = Field(None, max_length=40, description="зал судебного заседания")
    court_case_number: str | None = Field(None, max_length=100, description="№ дела in court")
    reason: str | None = Field(None, max_length=2000, description="why the court adjourned")
    verdict_kind: VerdictKind | None = None
    pronounced_on: dt.date | None = Field(None, description="the day the verdict was pronounced")
    convict_in_custody: bool = False
    copy_delivered_on: dt.date | None = Field(
        None, description="the copy delivered to the convict in custody (CPC art. 404)"
    )
    copy_received_on: dt.date | None = Field(
        None, description="the office received its copy (CPC art. 404): recorded only"
    )
    appellate_court_ru: str | None = Field(
        None, max_length=300, description="the appellate court as it follows «В» (accusative)"
    )
    appellate_court_kk: str | None = Field(
        None, max_length=300, description="the appellate court in the dative"
    )


@dataclass(frozen=True, slots=True)
class ProsecutionCase:
    procedure_id: int
    registration_number: str
    case_decision: str  # the CASE_DECISION procedure that sent the case to court
    erdr_number: str | None
    court_name_ru: str | None
    court_name_kk: str | None
    state_prosecutor: str

    @property
    def has_court(self) -> bool:
        return bool(self.court_name_ru and self.court_name_kk)


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    kind: str
    refused: str | None = None
    review: dict[str, Any] = field(default_factory=dict)  # the review's parameters (verdict)


def case_decision_number(ref: str) -> str:
    """The registration number from an event's resource id (``prosecutor.<kind>.<number>``)
    or the number itself."""
    return ref.rsplit(".", 1)[-1] if ref.startswith(EVENT_PREFIX) else ref


def _case(proc: Procedure) -> ProsecutionCase:
    d = proc.details or {}
    return ProsecutionCase(
        proc.id,
        proc.registration_number,
        d["case_decision"],
        d.get("erdr_number"),
        d.get("court_name_ru"),
        d.get("court_name_kk"),
        proc.assignee_id or "",
    )


def _title(case_decision: str) -> str:
    return f"State prosecution on {case_decision}"


@step
def open_prosecution(case_decision: str) -> ProsecutionCase:
    """Once per case sent to court: register the prosecution and assign the state prosecutor
    (CPC art. 58(1)): an assistant or deputy of the criminal area present today, by load."""
    with transaction() as session:
        found = prosecution_store.prosecution_titled(session, _title(case_decision))
        if found is not None:
            return _case(found)
        try:
            decision = procedure_store.procedure_by_number(session, case_decision)
        except LookupError:
            decision = None
        if decision is None or decision.kind is not ProcedureKind.CASE_DECISION:
            raise LookupError(f"no decision on a finished case numbered {case_decision}")
        facts = decision.details or {}
        loads = procedure_store.open_duty_loads(session)
        who, why = choose_state_prosecutor(read_roster(session), today(), loads)
        proc = procedure_store.register_procedure(
            session,
            office_code=office_code(session),
            kind=ProcedureKind.STATE_PROSECUTION,
            title=_title(case_decision),
            year=today().year,
            assignee_id=who.id,
            area=AREA,
            actor=ACTOR,
        )
        context = FlowRunContext.get()
        proc.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
        proc.details = {
            "case_decision": case_decision,
            "erdr_number": facts.get("erdr_number"),
            "court_name_ru": facts.get("court_name_ru"),
            "court_name_kk": facts.get("court_name_kk"),
            "court_case_number": None,
            "hearings": {},
            "entries": {},
        }
        procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, ACTOR)
        audit.append(
            session,
            actor=ACTOR,
            action="prosecution.assigned",
            entity_kind="procedure",
            entity_id=proc.registration_number,
            payload={"state_prosecutor": who.id, "why": why, "rule": "CPC art. 58(1)"},
        )
        return _case(proc)


@step
def set_court(case: ProsecutionCase, court: CourtOfCase) -> ProsecutionCase:
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        details = copy.deepcopy(proc.details or {})
        details["court_name_ru"] = court.court_name_ru.strip()
        details["court_name_kk"] = court.court_name_kk.strip()
        proc.details = details
        return _case(proc)


def _hearings(details: dict[str, Any]) -> dict[str, Hearing]:
    return {
        key: Hearing.model_validate({k: v for k, v in h.items() if k in Hearing.model_fields})
        for key, h in (details.get("hearings") or {}).items()
    }


def _open_hearing_duties(session: Session, procedure_id: int) -> dict[str, Duty]:
    return {
        d.step: d
        for d in procedure_store.open_duties(session, procedure_id)
        if d.step.startswith(HEARING_STEP)
    }


def _hearing_title(hearing: Hearing, case_number: str) -> str:
    when = f"{hearing.on:%d.%m.%Y}" + (f" {hearing.at:%H:%M}" if hearing.at else "")
    room = f", зал {hearing.courtroom}" if hearing.courtroom else ""
    return f"Hearing {when}: case No. {case_number}, {hearing.court_ru}{room}"[:300]


def _schedule(
    session: Session, proc: Procedure, details: dict[str, Any], hearing_step: str, hearing: Hearing
) -> None:
    """On the calendar: a duty due on the hearing's day, so the deadline check reminds."""
    number = details.get("court_case_number") or details.get("erdr_number") or "-"
    procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step=hearing_step,
        title=_hearing_title(hearing, number),
        assignee_id=proc.assignee_id,
        due_date=hearing.on,
        actor=ACTOR,
    )
    details["hearings"][hearing_step] = hearing.model_dump(mode="json")
    audit.append(
        session,
        actor=ACTOR,
        action="prosecution.hearing_scheduled",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"step": hearing_step, **hearing.model_dump(mode="json")},
    )


def _end_hearings(
    session: Session, duties: dict[str, Duty], held: list[str], actor: str, *, cancel_rest: bool
) -> None:
    """Hearings whose day has come took place; with ``cancel_rest`` later ones are dropped."""
    for hearing_step, duty in duties.items():
        if hearing_step in held:
            procedure_store.complete_duty(session, duty.id, actor)
        elif cancel_rest:
            duty.status = DutyStatus.CANCELLED
            duty.completed_at = dt.datetime.now(dt.UTC)
    session.flush()


def _hearing_of(entry: ProsecutionEntry, details: dict[str, Any]) -> Hearing:
    if entry.hearing_on is None:
        raise EntryRefused("enter the hearing's day")
    return Hearing(
        on=entry.hearing_on,
        at=entry.hearing_time,
        court_ru=details.get("court_name_ru") or "",
        court_kk=details.get("court_name_kk") or "",
        courtroom=(entry.courtroom or "").strip() or None,
    )


@step
def record_entry(case: ProsecutionCase, key: str, entry: ProsecutionEntry) -> EntryOutcome:
    """Record one entry of the state prosecutor, once per form ``key``; a refused entry is kept
    with its reason and the run asks again."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        details = copy.deepcopy(proc.details or {})
        stored = (details.get("entries") or {}).get(key)
        if stored is not None:
            return EntryOutcome(stored["kind"], stored.get("refused"), stored.get("review") or {})
        day = today()
        try:
            if not may_report(read_roster(session), day, proc.assignee_id, entry.state_prosecutor):
                raise EntryRefused(
                    f"{entry.state_prosecutor} is not the state prosecutor of "
                    f"{proc.registration_number} nor replacing or above them"
                )
            review = _apply(session, proc, details, key, entry, day)
            outcome = EntryOutcome(entry.entry.value, None, review)
        except (EntryRefused, ValidationError) as exc:
            outcome = EntryOutcome(entry.entry.value, _reason(exc))
            details = copy.deepcopy(proc.details or {})  # nothing of a refused entry is kept
        details.setdefault("entries", {})[key] = {
            "kind": outcome.kind,
            "by": entry.state_prosecutor,
            "on": day.isoformat(),
            "refused": outcome.refused,
            "review": outcome.review,
        }
        proc.details = details
        if outcome.refused:
            audit.append(
                session,
                actor=entry.state_prosecutor,
                action="prosecution.entry_refused",
                entity_kind="procedure",
                entity_id=proc.registration_number,
                payload={"entry": outcome.kind, "reason": outcome.refused},
            )
        return outcome


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
    return str(exc)


def _apply(
    session: Session,
    proc: Procedure,
    details: dict[str, Any],
    key: str,
    entry: ProsecutionEntry,
    day: dt.date,
) -> dict[str, Any]:
    if entry.court_case_number and entry.court_case_number.strip():
        details["court_case_number"] = entry.court_case_number.strip()
    duties = _open_hearing_duties(session, proc.id)
    hearings = _hearings(details)
    hearing_step = keyed(Step.HEARING, key.removeprefix(f"{ENTRY_FORM}-"))
    if entry.entry is EntryKind.HEARING_SCHEDULED:
        hearing = _hearing_of(entry, details)
        check_hearing(hearing, day)
        open_ones = {k: hearings[k] for k in duties if k in hearings}
        _end_hearings(
            session, duties, held_by(open_ones, day), entry.state_prosecutor, cancel_rest=False
        )
        _schedule(session, proc, details, hearing_step, hearing)
        return {}
    if entry.entry is EntryKind.HEARING_ADJOURNED:
        open_ones = {k: hearings[k] for k in duties if k in hearings}
        reason = (entry.reason or "").strip()
        check_adjournment(list(open_ones.values()), reason)
        adjourned = min(open_ones, key=lambda k: open_ones[k].on)
        next_hearing = _hearing_of(entry, details) if entry.hearing_on else None
        if next_hearing is not None:
            check_hearing(next_hearing, day)
        duty = duties[adjourned]
        duty.status, duty.completed_at = DutyStatus.CANCELLED, dt.datetime.now(dt.UTC)
        details["hearings"][adjourned]["adjourned"] = reason
        audit.append(
            session,
            actor=entry.state_prosecutor,
            action="prosecution.hearing_adjourned",
            entity_kind="procedure",
            entity_id=proc.registration_number,
            payload={"step": adjourned, "reason": reason, "rule": "CPC art. 341(1)"},
        )
        if next_hearing is not None:
            _schedule(session, proc, details, hearing_step, next_hearing)
        return {}
    return _verdict(session, proc, details, entry, duties, hearings, day)


def _verdict(
    session: Session,
    proc: Procedure,
    details: dict[str, Any],
    entry: ProsecutionEntry,
    duties: dict[str, Duty],
    hearings: dict[str, Hearing],
    day: dt.date,
) -> dict[str, Any]:
    if entry.verdict_kind is None or entry.pronounced_on is None:
        raise EntryRefused("enter the verdict's kind and the day it was pronounced")
    appellate_ru = (entry.appellate_court_ru or "").strip()
    appellate_kk = (entry.appellate_court_kk or "").strip()
    if len(appellate_ru) < 3 or len(appellate_kk) < 3:
        raise EntryRefused("enter the appellate court in Russian and Kazakh (CPC art. 416(1))")
    verdict = Verdict(
        kind=entry.verdict_kind,
        pronounced_on=entry.pronounced_on,
        convict_in_custody=entry.convict_in_custody,
        copy_delivered_on=entry.copy_delivered_on,
    )
    check_verdict(verdict, hearings.values(), day)
    if entry.copy_received_on is not None and not (
        verdict.pronounced_on <= entry.copy_received_on <= day
    ):
        raise EntryRefused("the office's copy is received between the pronouncement and today")
    held = held_by({k: hearings[k] for k in duties if k in hearings}, verdict.pronounced_on)
    _end_hearings(session, duties, held, entry.state_prosecutor, cancel_rest=True)
    review = review_parameters(
        verdict,
        case_number=details.get("court_case_number") or details.get("erdr_number") or "",
        court_ru=details.get("court_name_ru") or "",
        court_kk=details.get("court_name_kk") or "",
        appellate_court_ru=appellate_ru,
        appellate_court_kk=appellate_kk,
        received_on=entry.copy_received_on,
        state_prosecutor=entry.state_prosecutor,
    )
    convict_end = convict_window_end(verdict, WorkingCalendar())
    details["verdict"] = {
        **verdict.model_dump(mode="json"),
        "convict_window_end": convict_end.isoformat() if convict_end else None,
    }
    review_json = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in review.items()}
    procedure_store.set_status(session, proc.id, ProcedureStatus.CLOSED, entry.state_prosecutor)
    audit.append(
        session,
        actor=entry.state_prosecutor,
        action="prosecution.verdict",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={
            **details["verdict"],
            "review_window_from": review_json["window_starts_on"],
            "rule": "CPC art. 418(1)",
        },
    )
    return review_json


@dataclass(frozen=True, slots=True)
class CalendarRow:
    step: str
    on: dt.date
    at: dt.time | None
    court: str
    courtroom: str | None
    status: str


def hearing_rows(session: Session, procedure_id: int) -> list[CalendarRow]:
    """The procedure's hearings in date order, with what became of each."""
    proc = session.get_one(Procedure, procedure_id)
    details = proc.details or {}
    hearings = _hearings(details)
    duties = {
        hearing_step: procedure_store.duty_of(session, procedure_id, hearing_step)
        for hearing_step in hearings
    }
    status = {
        hearing_step: duty.status for hearing_step, duty in duties.items() if duty is not None
    }
    rows = [
        CalendarRow(
            hearing_step,
            h.on,
            h.at,
            h.court_ru,
            h.courtroom,
            hearing_state(
                status.get(hearing_step, DutyStatus.OPEN).value,
                details["hearings"][hearing_step].get("adjourned"),
            ),
        )
        for hearing_step, h in hearings.items()
    ]
    return sorted(rows, key=lambda r: (r.on, r.at or dt.time.min, r.step))


def _appeal_window() -> str:
    """The window of an appeal against a verdict, as the terms table sets it."""
    term = default_terms().get(WINDOWS[WindowKind.CRIMINAL_VERDICT].term_id)
    return (
        f"{term.term} сутки" if term.unit is TermUnit.CALENDAR_DAYS else f"{term.term} {term.unit}"
    )


@step
def calendar_markdown(case: ProsecutionCase, refused: str | None = None) -> str:
    """The form's description: the case, the state prosecutor, the hearing calendar."""
    with transaction() as session:
        rows = hearing_rows(session, case.procedure_id)
        staff = session.get(StaffRow, case.state_prosecutor)
        details = session.get_one(Procedure, case.procedure_id).details or {}
    number = details.get("court_case_number") or case.erdr_number or "-"
    lines = [
        f"## State prosecution {case.registration_number}: case No. {number}",
        f"{case.court_name_ru or ''}",
        "",
        f"**State prosecutor:** {staff.name if staff else '-'} (CPC art. 58(1), 337)",
        "",
    ]
    if refused:
        lines += [f"**The last entry was refused:** {refused}", ""]
    lines += ["### Hearings", "", "| day | time | courtroom | status |", "|---|---|---|---|"]
    lines += [
        f"| {r.on:%d.%m.%Y} | {r.at.strftime('%H:%M') if r.at else '-'} |"
        f" {r.courtroom or '-'} | {r.status} |"
        for r in rows
    ] or ["| - | - | - | none yet |"]
    lines += [
        "",
        "Record a hearing scheduled, a hearing adjourned (CPC art. 341(1)) with its reason and"
        " next day, or the verdict pronounced (CPC art. 402): its day starts the prosecutor's"
        f" {_appeal_window()} to bring an апелляционное ходатайство (CPC art. 418(1)).",
    ]
    return "\n".join(lines)


@step
def start_review(case: ProsecutionCase, parameters: dict[str, Any]) -> str | None:
    """Start the review of the verdict (review-court-act) on a real server; the id of the run
    started, or None where no server is configured (the parameters are returned instead)."""
    if not prefect_configured():
        return None
    from prefect.deployments import run_deployment

    run = run_deployment(
        REVIEW_DEPLOYMENT,
        parameters=parameters,
        timeout=0,
        idempotency_key=f"review-of-{case.registration_number}",  # a replay starts no second
    )
    return str(run.id)
