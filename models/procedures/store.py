"""Procedures and their duties in the database: registration with a number, duties with due
dates. Idempotent where a flow may replay: a duty is keyed by (procedure, step).

Numbers come from a counter row per office, kind and year (``registration_counters``), locked
while a number is given: unique and gap-free however many submitters run at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.db.tables import Duty, DutyStatus, Procedure, RegistrationCounter
from models.procedures import (
    LEGACY_KINDS,
    ProcedureKind,
    ProcedureStatus,
    check_transition,
    registration_number,
)
from models.records import audit

CLOSED_BY_ANSWERS = frozenset(
    {ProcedureKind.COORDINATION, ProcedureKind.RELEASE, ProcedureKind.INSTRUCTIONS}
)


def _counter_key(office_code: str, kind: ProcedureKind, year: int) -> list[ColumnElement[bool]]:
    return [
        RegistrationCounter.office_code == office_code,
        RegistrationCounter.kind == kind.value,
        RegistrationCounter.year == year,
    ]


def lock_numbering(session: Session, office_code: str, kind: ProcedureKind, year: int) -> int:
    """Lock the register of ``kind`` for the office and year until the transaction ends, and
    return the last number given in it.

    The counter row is created on first use (seeded from the numbers already given) and read
    ``FOR UPDATE`` on PostgreSQL; on SQLite the transaction holds the database's write lock
    from its BEGIN IMMEDIATE (``models.db``). A caller that must decide something before it
    registers (is this appeal already here?) locks first, so a concurrent twin waits for it.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The audit log's lock first, always: a transaction that numbers also audits, and taking
        # the two locks in one order everywhere keeps two such transactions from deadlocking.
        audit.lock_chain(session)
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    given = select(func.coalesce(func.max(Procedure.seq), 0)).where(
        Procedure.office_code == office_code, Procedure.kind == kind, Procedure.year == year
    )
    session.execute(
        insert(RegistrationCounter)
        .values(
            office_code=office_code, kind=kind.value, year=year, last_seq=given.scalar_subquery()
        )
        .on_conflict_do_nothing(index_elements=["office_code", "kind", "year"])
    )
    last = session.execute(
        select(RegistrationCounter.last_seq)
        .where(*_counter_key(office_code, kind, year))
        .with_for_update()
    ).scalar_one()
    # A procedure stored around the counter (a bulk load in SQL) must not be numbered again.
    return max(last, session.scalar(given) or 0)


def next_seq(session: Session, office_code: str, kind: ProcedureKind, year: int) -> int:
    """The next number of the register, unique and gap-free: a rolled-back registration gives
    its number back because the counter rolls back with it."""
    seq = lock_numbering(session, office_code, kind, year) + 1
    session.execute(
        update(RegistrationCounter)
        .where(*_counter_key(office_code, kind, year))
        .values(last_seq=seq)
        .execution_options(synchronize_session=False)
    )
    return seq


def take_numbers(
    session: Session,
    office_code: str,
    kind: ProcedureKind,
    year: int,
    count: int,
    last: int | None = None,
) -> int:
    """Take ``count`` consecutive numbers of the register at once (a batch): the counter row is
    locked and moved once; returns the first. ``last`` is what ``lock_numbering`` returned when
    the caller locked the register already in this transaction. Gap-free like ``next_seq``:
    the numbers roll back with the transaction."""
    if last is None:
        last = lock_numbering(session, office_code, kind, year)
    first = last + 1
    session.execute(
        update(RegistrationCounter)
        .where(*_counter_key(office_code, kind, year))
        .values(last_seq=first + count - 1)
        .execution_options(synchronize_session=False)
    )
    return first


def register_procedure(
    session: Session,
    *,
    office_code: str,
    kind: ProcedureKind,
    title: str,
    year: int,
    due_date: dt.date | None = None,
    assignee_id: str | None = None,
    area: str | None = None,
    actor: str = "system",
) -> Procedure:
    """Register a procedure under the next number of its office, kind and year."""
    if kind in LEGACY_KINDS:
        raise ValueError(f"{kind} is not an act of the law in force (CL-155 art. 32)")
    seq = next_seq(session, office_code, kind, year)
    proc = Procedure(
        office_code=office_code,
        kind=kind,
        year=year,
        seq=seq,
        registration_number=registration_number(office_code, kind, year, seq),
        title=title,
        status=ProcedureStatus.REGISTERED,
        assignee_id=assignee_id,
        area=area,
        due_date=due_date,
    )
    session.add(proc)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="procedure.registered",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"kind": kind.value, "title": title, "due_date": due_date, "assignee": assignee_id},
    )
    return proc


def set_status(
    session: Session, procedure_id: int, status: ProcedureStatus, actor: str
) -> Procedure:
    proc = session.get_one(Procedure, procedure_id)
    if proc.status is status:
        return proc
    check_transition(proc.status, status)
    before = proc.status
    proc.status = status
    if status is ProcedureStatus.CLOSED:
        proc.closed_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="procedure.status",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={"from": before.value, "to": status.value},
    )
    return proc


def open_duty(
    session: Session,
    *,
    procedure_id: int,
    step: str,
    title: str,
    assignee_id: str | None,
    due_date: dt.date | None,
    term_id: str | None = None,
    actor: str = "system",
) -> Duty:
    existing = duty_of(session, procedure_id, step)
    if existing is not None:
        return existing
    duty = Duty(
        procedure_id=procedure_id,
        step=step,
        title=title,
        assignee_id=assignee_id,
        status=DutyStatus.OPEN,
        term_id=term_id,
        due_date=due_date,
    )
    session.add(duty)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="duty.opened",
        entity_kind="duty",
        entity_id=duty.id,
        payload={
            "procedure_id": procedure_id,
            "step": step,
            "assignee": assignee_id,
            "due_date": due_date,
        },
    )
    return duty


def open_duty_loads(session: Session) -> dict[str, int]:
    """Open duties per assignee: the load by which work is given to the least busy."""
    return {
        staff_id: count
        for staff_id, count in session.execute(
            select(Duty.assignee_id, func.count())
            .where(Duty.status == DutyStatus.OPEN, Duty.assignee_id.is_not(None))
            .group_by(Duty.assignee_id)
        ).all()
    }


def complete_duty(session: Session, duty_id: int, actor: str) -> Duty:
    duty = session.get_one(Duty, duty_id)
    if duty.status is DutyStatus.DONE:
        return duty
    duty.status = DutyStatus.DONE
    duty.completed_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.append(session, actor=actor, action="duty.done", entity_kind="duty", entity_id=duty.id)
    return duty


def close_when_answered(session: Session, procedure_id: int, actor: str) -> bool:
    """Close a procedure that waits only for answers once none is outstanding: a coordination
    (the bodies' reports) and a release (the facility's confirmation). Every other procedure's
    flow decides what an answer means (e.g. a rejected protest goes to court, CL-155 art.
    39(2))."""
    proc = session.get_one(Procedure, procedure_id)
    if proc.kind not in CLOSED_BY_ANSWERS or proc.status is not ProcedureStatus.AWAITING_ANSWER:
        return False
    outstanding = session.scalar(
        select(func.count())
        .select_from(Duty)
        .where(Duty.procedure_id == procedure_id, Duty.status == DutyStatus.OPEN)
    )
    if outstanding:
        return False
    set_status(session, procedure_id, ProcedureStatus.CLOSED, actor)
    return True


def procedure_by_number(session: Session, registration_number: str) -> Procedure:
    """The procedure registered under ``registration_number``; LookupError when there is none."""
    proc = session.scalar(
        select(Procedure).where(Procedure.registration_number == registration_number)
    )
    if proc is None:
        raise LookupError(f"no procedure {registration_number}")
    return proc


def duty_of(session: Session, procedure_id: int, step: str) -> Duty | None:
    """The duty of ``step`` in a procedure (one per step: ``open_duty`` never opens it twice)."""
    return session.scalar(select(Duty).where(Duty.procedure_id == procedure_id, Duty.step == step))


def open_duties(session: Session, procedure_id: int) -> list[Duty]:
    """The duties of a procedure still open, oldest first."""
    return list(
        session.scalars(
            select(Duty)
            .where(Duty.procedure_id == procedure_id, Duty.status == DutyStatus.OPEN)
            .order_by(Duty.id)
        )
    )


def complete_duties(
    session: Session,
    procedure_id: int,
    actor: str,
    *,
    keep_open: frozenset[str] = frozenset(),
    only: Callable[[str], bool] | None = None,
) -> list[Duty]:
    """Mark a procedure's open duties done (each audited), except the steps in ``keep_open``;
    ``only``: a test on the step name for the duties to complete (all when None)."""
    done = []
    for duty in open_duties(session, procedure_id):
        if duty.step in keep_open or (only is not None and not only(duty.step)):
            continue
        done.append(complete_duty(session, duty.id, actor))
    return done


def close_procedure(
    session: Session,
    procedure_id: int,
    actor: str,
    *,
    status: ProcedureStatus = ProcedureStatus.CLOSED,
    details: Mapping[str, object] | None = None,
    keep_open: frozenset[str] = frozenset(),
) -> Procedure:
    """End a procedure: its open duties done (but ``keep_open``), ``details`` merged into its
    record, its status set (audited, a closed one is left as it is)."""
    complete_duties(session, procedure_id, actor, keep_open=keep_open)
    proc = session.get_one(Procedure, procedure_id)
    if details:
        proc.details = {**(proc.details or {}), **details}
    if proc.status is not status and proc.status is not ProcedureStatus.CLOSED:
        set_status(session, procedure_id, status, actor)
    return proc
