"""Control of a detention (задержание подозреваемого) to the minute: the rules, then their
storage.

The limit runs from the moment of actual detention, to the minute (CPC arts. 48(5), 128(5)):
48 hours, a minor 24 (CPC arts. 14(2), 131(4)); 72 hours in the cases of CPC art. 131(4)(1)-(6)
(especially grave, terrorist or extremist crimes, mass riots, a criminal group, drugs, sexual
crimes against minors, an intentional crime causing death, remoteness or an emergency). Terms
of detention are never moved by non-working days (CPC art. 48(4)).

The body tells the prosecutor in writing within 12 hours of drawing up the protocol (CPC art.
131(3)). Without the investigating judge's decision sanctioning custody (санкционирование
содержания под стражей, CPC arts. 147, 148(7)(1)-(2)) or house arrest (CPC art. 14(2)) by the
limit, the person must be released at once: by the facility (CPC art. 133(2)), by the body or
the prosecutor (CPC arts. 14(4), 133(1); CL-155 art. 10(2)(9)).

What ends the control: a sanction of custody or house arrest, or the release. A refusal to
sanction (CPC art. 148(7)(3)) ends nothing: it must be executed at once (CPC art. 148(10)), so
the prosecutor is told at once and the limit stays enforced until the release is recorded.
Nothing else (a charge, a qualification of the act) changes the limit.

Open reading: CPC arts. 14(2), 131(4) and 133(2) attach the 72-hour exceptions to the sentence
that names the minor's 24 hours; the office applies 24 hours to every minor (the earlier end;
the release order still needs a prosecutor's signature, who may refuse it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Duty, DutyStatus, Procedure
from models.office.identifiers import iin_birth_date
from models.office.roster_store import read_roster
from models.office.schemas import IIN, Name, Strict
from models.office.urgency import authorised_at
from models.procedures import ProcedureKind, ProcedureStatus
from models.procedures import store as procedure_store
from models.records import audit
from models.sweeps.notifications import notify
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.deadlines import due_moment
from models.timing.terms import TermsTable
from models.vocabulary import EVENT_PREFIX, Step

# --- the rules --------------------------------------------------------------------------------

LIMIT = "detention.limit"
LIMIT_MINOR = "detention.limit_minor"
LIMIT_EXTENDED = "detention.limit_extended"
NOTICE = "detention.notice"
ALERT = "detention.alert"
RELEASE = "detention.release"  # the signed release order (office practice: "immediately")
RELEASE_CONFIRMATION = "detention.release_confirmation"  # the facility's word
TERMS = (LIMIT, LIMIT_MINOR, LIMIT_EXTENDED, NOTICE, ALERT, RELEASE, RELEASE_CONFIRMATION)

NOTICE_STEP = Step.DETENTION_NOTICE
LIMIT_STEP = Step.DETENTION_LIMIT
AREA = "criminal"


class Decision(StrEnum):
    """The investigating judge's decision on the petition (CPC art. 148(7))."""

    CUSTODY = "custody"  # санкционировано содержание под стражей, art. 148(7)(1)-(2)
    HOUSE_ARREST = "house_arrest"  # домашний арест с санкции суда, art. 14(2)
    REFUSED = "refused"  # отказано в санкционировании, art. 148(7)(3)


SANCTIONS = frozenset({Decision.CUSTODY, Decision.HOUSE_ARREST})


class DetainedPerson(Strict):
    """The suspect as named in the protocol (CPC art. 131(2)(1))."""

    last_name: Name
    first_name: Name
    patronymic: Name | None = None
    iin: IIN
    birth_date: dt.date

    @model_validator(mode="after")
    def _birth_date_is_the_iins(self) -> DetainedPerson:
        if iin_birth_date(self.iin) != self.birth_date:
            raise ValueError("birth_date differs from the date of birth in the IIN")
        return self

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class DetentionProtocolIn(Strict):
    """A detention protocol (протокол задержания) sent by the body that detained."""

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    detained_at: AwareDatetime = Field(description="actual detention, to the minute")
    protocol_at: AwareDatetime | None = Field(None, description="protocol drawn up")
    notice_received_at: AwareDatetime | None = Field(
        None, description="the written notice reached the office (CPC art. 131(3))"
    )
    person: DetainedPerson
    body: Name = Field(description="the body that detained")
    facility: Name = Field(description="where the person is held (ИВС, гауптвахта)")
    erdr_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{6,20}$")] | None = None
    grounds: Annotated[str, StringConstraints(min_length=3, max_length=2000)]
    extended_ground: int | None = Field(
        None, ge=1, le=6, description="item of CPC art. 131(4) allowing 72 hours"
    )

    @model_validator(mode="after")
    def _moments_in_order(self) -> DetentionProtocolIn:
        if self.protocol_at is not None and self.protocol_at < self.detained_at:
            raise ValueError("protocol_at is before detained_at")
        if self.notice_received_at is not None and self.notice_received_at < self.detained_at:
            raise ValueError("notice_received_at is before detained_at")
        return self


def to_minute(moment: dt.datetime) -> dt.datetime:
    """The protocol gives the hour and minute (CPC arts. 48(5), 131(2)(2)); in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ALMATY)
    return moment.astimezone(dt.UTC).replace(second=0, microsecond=0)


def is_minor(birth_date: dt.date, at: dt.datetime) -> bool:
    """Under eighteen at the moment of detention (CC art. 17(1))."""
    day = at.astimezone(ALMATY).date()
    try:
        adult_on = birth_date.replace(year=birth_date.year + 18)
    except ValueError:  # born on 29 February
        adult_on = dt.date(birth_date.year + 18, 3, 1)
    return day < adult_on


def limit_term_id(minor: bool, extended_ground: int | None) -> str:
    """CPC arts. 14(2), 131(4): 24 hours for a minor (see the open reading above), 72 in the
    cases of art. 131(4)(1)-(6), else 48."""
    if minor:
        return LIMIT_MINOR
    return LIMIT_EXTENDED if extended_ground else LIMIT


@dataclass(frozen=True, slots=True)
class DetentionTerms:
    detained_at: dt.datetime
    minor: bool
    limit_term: str
    limit_hours: int
    limit_at: dt.datetime  # the end of the detention without a sanction
    notice_due_at: dt.datetime  # the written notice to the prosecutor
    alert_at: dt.datetime  # the prosecutor on duty alerted (office practice)

    def as_details(self) -> dict[str, Any]:
        return {
            "detained_at": self.detained_at.isoformat(),
            "minor": self.minor,
            "limit_term": self.limit_term,
            "limit_hours": self.limit_hours,
            "limit_at": self.limit_at.isoformat(),
            "notice_due_at": self.notice_due_at.isoformat(),
            "alert_at": self.alert_at.isoformat(),
        }


def hours_of(table: TermsTable, term_id: str) -> int:
    """The figure of a term in hours; a row without one is an error of the table."""
    term = table.get(term_id).term
    if term is None:
        raise ValueError(f"{term_id} has no figure")
    return term


def alert_hours(table: TermsTable) -> int:
    return hours_of(table, ALERT)


def detention_terms(
    table: TermsTable,
    detained_at: dt.datetime,
    birth_date: dt.date,
    protocol_at: dt.datetime | None = None,
    extended_ground: int | None = None,
) -> DetentionTerms:
    """Every term of one detention, to the minute, in UTC. The notice runs from the protocol;
    without its moment, from the detention (the earlier end)."""
    start = to_minute(detained_at)
    minor = is_minor(birth_date, start)
    term_id = limit_term_id(minor, extended_ground)
    hours = hours_of(table, term_id)
    limit_at = due_moment(start, hours)
    notice_from = to_minute(protocol_at) if protocol_at else start
    return DetentionTerms(
        detained_at=start,
        minor=minor,
        limit_term=term_id,
        limit_hours=hours,
        limit_at=limit_at,
        notice_due_at=due_moment(notice_from, hours_of(table, NOTICE)),
        alert_at=limit_at - dt.timedelta(hours=alert_hours(table)),
    )


def alert_due(limit_at: dt.datetime, at: dt.datetime, hours: int) -> bool:
    """At or after the alert moment (also when the limit has passed: the alert comes first)."""
    return at >= limit_at - dt.timedelta(hours=hours)


def release_due(limit_at: dt.datetime, at: dt.datetime) -> bool:
    """The limit has run out (CPC art. 133(2): "в течение сорока восьми часов")."""
    return at >= limit_at


def sanction_in_time(decided_at: dt.datetime, limit_at: dt.datetime) -> bool:
    """A sanction counts only when given before the limit ran out (CPC arts. 14(2), 133(2))."""
    return decided_at <= limit_at


def ends_control(decision: Decision | None, released: bool) -> bool:
    """The control ends with a sanction (custody, house arrest) or the release; a refusal must
    be executed at once (CPC art. 148(10)) and ends nothing by itself."""
    return released or decision in SANCTIONS


def parse_moment(text: str) -> dt.datetime:
    """``2026-12-01T22:10``, ``2026-12-01 22:10`` or with an offset; without one, Almaty."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a moment (expected YYYY-MM-DDTHH:MM)") from None
    return to_minute(moment)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment: SQLite gives it back naive, in UTC as it was written."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def local(moment: dt.datetime) -> str:
    """To the minute in Almaty, as the protocol gives it."""
    return f"{as_utc(moment).astimezone(ALMATY):%d.%m.%Y %H:%M}"


# --- storage ----------------------------------------------------------------------------------


def register_detention(
    session: Session, record: DetentionProtocolIn, office: str, table: TermsTable
) -> Procedure:
    """Open the detention's procedure: its terms in ``details``; no personal data outside the
    stored record (the title names only the number)."""
    terms = detention_terms(
        table,
        record.detained_at,
        record.person.birth_date,
        record.protocol_at,
        record.extended_ground,
    )
    proc = procedure_store.register_procedure(
        session,
        office_code=office,
        kind=ProcedureKind.DETENTION,
        title="Задержание",
        year=terms.detained_at.astimezone(ALMATY).year,
        due_date=terms.limit_at.astimezone(ALMATY).date(),
        area=AREA,
        actor="intake",
    )
    proc.title = f"Задержание № {proc.registration_number}"
    proc.details = {
        **terms.as_details(),
        "protocol_at": record.protocol_at.isoformat() if record.protocol_at else None,
        "notice_received_at": (
            to_minute(record.notice_received_at).isoformat() if record.notice_received_at else None
        ),
        "extended_ground": record.extended_ground,
        "erdr_number": record.erdr_number,
        "body": record.body,
        "facility": record.facility,
        "decision": None,
        "released_at": None,
    }
    session.flush()
    return proc


def detention_by_number(session: Session, number: str) -> Procedure:
    proc = session.scalar(
        select(Procedure).where(
            Procedure.registration_number == number, Procedure.kind == ProcedureKind.DETENTION
        )
    )
    if proc is None:
        raise LookupError(f"no detention {number}")
    return proc


def number_of(ref: str) -> str:
    """``prosecutor.detention.<number>`` (a trigger's resource id) or the bare number."""
    prefix = f"{EVENT_PREFIX}{ProcedureKind.DETENTION.value}."
    return ref[len(prefix) :] if ref.startswith(prefix) else ref


def _moment(details: dict[str, Any], key: str) -> dt.datetime | None:
    value = details.get(key)
    return dt.datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Control:
    procedure_id: int
    registration_number: str
    limit_at: dt.datetime
    notice_due_at: dt.datetime
    alert_at: dt.datetime
    assignee: str | None
    ended: bool


def _duties(session: Session, procedure_id: int) -> dict[str, Duty]:
    rows = session.scalars(select(Duty).where(Duty.procedure_id == procedure_id))
    return {d.step: d for d in rows}


def open_control(session: Session, number: str, assignee: str | None, actor: str) -> Control:
    """The notice and the limit as duties counted in hours (``due_at``), once; none for a
    detention already ended (a sanction or release recorded before the control began)."""
    proc = detention_by_number(session, number)
    details = dict(proc.details or {})
    limit_at = _moment(details, "limit_at")
    notice_due = _moment(details, "notice_due_at")
    assert limit_at and notice_due
    ended = ends_control(_decision(details), details.get("released_at") is not None)
    alert_at = _moment(details, "alert_at")
    assert alert_at
    if proc.status is ProcedureStatus.CLOSED:  # ended before its control began: nothing to do
        return Control(proc.id, number, limit_at, notice_due, alert_at, proc.assignee_id, True)
    if proc.status is ProcedureStatus.REGISTERED:
        procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, actor)
        proc.assignee_id = assignee
    notice = procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step=NOTICE_STEP,
        title="Письменное сообщение органа о задержании (УПК ст. 131 ч. 3)",
        assignee_id=assignee,
        due_date=None,
        term_id=NOTICE,
        actor=actor,
    )
    notice.due_at = notice.due_at or notice_due
    if details.get("notice_received_at") and notice.status is DutyStatus.OPEN:
        procedure_store.complete_duty(session, notice.id, actor)
    if not ended:
        limit = procedure_store.open_duty(
            session,
            procedure_id=proc.id,
            step=LIMIT_STEP,
            title="Санкция суда или освобождение до истечения срока задержания",
            assignee_id=assignee,
            due_date=None,
            term_id=details.get("limit_term"),
            actor=actor,
        )
        limit.due_at = limit.due_at or limit_at
    session.flush()
    return Control(proc.id, number, limit_at, notice_due, alert_at, proc.assignee_id, ended)


def _decision(details: dict[str, Any]) -> Decision | None:
    value = details.get("decision")
    return Decision(value) if value else None


def _close_if_done(session: Session, proc: Procedure, actor: str) -> None:
    open_left = [d for d in _duties(session, proc.id).values() if d.status is DutyStatus.OPEN]
    if not open_left and proc.status in {ProcedureStatus.REGISTERED, ProcedureStatus.IN_PROGRESS}:
        procedure_store.set_status(session, proc.id, ProcedureStatus.CLOSED, actor)


def _end_limit(session: Session, proc: Procedure, actor: str) -> None:
    limit = _duties(session, proc.id).get(LIMIT_STEP)
    if limit is not None and limit.status is DutyStatus.OPEN:
        procedure_store.complete_duty(session, limit.id, actor)


@dataclass(frozen=True, slots=True)
class Recorded:
    registration_number: str
    what: str
    at: dt.datetime
    in_time: bool  # a sanction before the limit / a release by the limit
    ended: bool  # the control is over
    changed: bool  # False: the same was recorded before


def record_decision(
    session: Session, number: str, decision: Decision, at: dt.datetime, actor: str
) -> Recorded:
    """The investigating judge's decision (CPC art. 148(7)); a sanction ends the control."""
    proc = detention_by_number(session, number)
    details = dict(proc.details or {})
    limit_at = _moment(details, "limit_at")
    detained_at = _moment(details, "detained_at")
    assert limit_at and detained_at
    at = to_minute(at)
    if at < detained_at:
        raise ValueError(f"the decision cannot precede the detention ({local(detained_at)})")
    in_time = sanction_in_time(at, limit_at)
    if details.get("decision") == decision.value and details.get("decision_at") == at.isoformat():
        return Recorded(number, decision.value, at, in_time, ends_control(decision, False), False)
    details.update(decision=decision.value, decision_at=at.isoformat())
    proc.details = details
    audit.append(
        session,
        actor=actor,
        action="detention.decision",
        entity_kind="procedure",
        entity_id=number,
        payload={
            "decision": decision.value,
            "at": at.isoformat(),
            "before_limit": in_time,
            "why": "CPC arts. 14(2), 148(7)",
        },
    )
    ended = ends_control(decision, details.get("released_at") is not None)
    if ended:
        _end_limit(session, proc, actor)
        _close_if_done(session, proc, actor)
    elif decision is Decision.REFUSED:
        _tell_refused(session, proc, at)
    return Recorded(number, decision.value, at, in_time, ended, True)


def _tell_refused(session: Session, proc: Procedure, at: dt.datetime) -> None:
    """A refusal is executed at once (CPC art. 148(10)): whoever is authorised now checks that
    the person is released (CPC art. 14(4)); the limit stays enforced meanwhile."""
    now = dt.datetime.now(dt.UTC)
    who = authorised_at(read_roster(session), now, WorkingCalendar())
    notify(
        session,
        key=f"detention-refused:{proc.id}",
        recipient=who.staff.id if who.staff else None,
        kind="detention_refused",
        subject_kind="procedure",
        subject_id=proc.id,
        on=now.astimezone(ALMATY).date(),
        message=(
            f"{proc.registration_number}: следственный судья отказал в санкционировании"
            f" {local(at)}; лицо подлежит немедленному освобождению (УПК ст. 148 ч. 10,"
            " ст. 14 ч. 4)"
        ),
    )


def record_release(session: Session, number: str, at: dt.datetime, actor: str) -> Recorded:
    """The body or the facility released the person (CPC arts. 133(1)-(2)): the control ends."""
    proc = detention_by_number(session, number)
    details = dict(proc.details or {})
    limit_at = _moment(details, "limit_at")
    detained_at = _moment(details, "detained_at")
    assert limit_at and detained_at
    at = to_minute(at)
    if at < detained_at:
        raise ValueError(f"the release cannot precede the detention ({local(detained_at)})")
    if details.get("released_at"):
        return Recorded(number, "released", at, at <= limit_at, True, False)
    details["released_at"] = at.isoformat()
    proc.details = details
    audit.append(
        session,
        actor=actor,
        action="detention.released",
        entity_kind="procedure",
        entity_id=number,
        payload={"at": at.isoformat(), "by_limit": at <= limit_at, "why": "CPC art. 133"},
    )
    _end_limit(session, proc, actor)
    _close_if_done(session, proc, actor)
    return Recorded(number, "released", at, at <= limit_at, True, True)


def record_notice(session: Session, number: str, at: dt.datetime, actor: str) -> Recorded:
    """The body's written notice reached the office (CPC art. 131(3))."""
    proc = detention_by_number(session, number)
    details = dict(proc.details or {})
    due = _moment(details, "notice_due_at")
    assert due
    at = to_minute(at)
    changed = not details.get("notice_received_at")
    if changed:
        details["notice_received_at"] = at.isoformat()
        proc.details = details
        audit.append(
            session,
            actor=actor,
            action="detention.notice_received",
            entity_kind="procedure",
            entity_id=number,
            payload={"at": at.isoformat(), "in_time": at <= due, "why": "CPC art. 131(3)"},
        )
    notice = _duties(session, proc.id).get(NOTICE_STEP)
    if notice is not None and notice.status is DutyStatus.OPEN:
        procedure_store.complete_duty(session, notice.id, actor)
    _close_if_done(session, proc, actor)
    return Recorded(number, "notice", at, at <= due, False, changed)


def describe(session: Session, number: str) -> dict[str, Any]:
    """The detention's terms to the minute (Almaty and UTC), its duties and what is recorded;
    no personal data."""
    proc = detention_by_number(session, number)
    details = dict(proc.details or {})
    moments = ("detained_at", "protocol_at", "notice_due_at", "alert_at", "limit_at")
    return {
        "registration_number": number,
        "status": proc.status.value,
        "minor": details.get("minor"),
        "limit_hours": details.get("limit_hours"),
        "limit_term": details.get("limit_term"),
        "terms": {
            key: {"almaty": local(m), "utc": m.isoformat()}
            for key in moments
            if (m := _moment(details, key)) is not None
        },
        "decision": details.get("decision"),
        "decision_at": details.get("decision_at"),
        "released_at": details.get("released_at"),
        "notice_received_at": details.get("notice_received_at"),
        "release_started_at": details.get("release_started_at"),
        "assignee": proc.assignee_id,
        "duties": [
            {
                "step": d.step,
                "status": d.status.value,
                "assignee": d.assignee_id,
                "due_at": local(d.due_at) if d.due_at else None,
            }
            for d in _duties(session, proc.id).values()
        ],
    }
