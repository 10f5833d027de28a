"""The deadline sweep on both databases: reminders, reassignment, escalation, idempotency."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.db.tables import Approval, Duty, Escalation, Notification
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.sweeps.deadline_sweep import SweepConfig, SweepReport, body_items_escalated, sweep
from models.timing.calendar import WorkingCalendar
from tests.conftest import Database
from tests.office import (
    OFFICE,
    absent,
    acting,
    load_demo_office,
    pending_approval,
    procedure_with_duty,
)

CAL = WorkingCalendar(overrides=[])
MONDAY = dt.date(2026, 12, 7)  # a working week: 7-11 December 2026 (16 December is a holiday)


def run(database: Database, on: dt.date, **config: int) -> SweepReport:
    with sessionmaker(database.engine).begin() as session:
        return sweep(session, on, CAL, SweepConfig(**config))


def rows(database: Database, model: type, *where: object) -> list:
    with Session(database.engine) as session:
        return list(session.scalars(select(model).where(*where)))


def count(database: Database, model: type) -> int:
    with Session(database.engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_assignee_is_reminded_once_a_day_of_work_due_soon(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        _, soon = procedure_with_duty(session, assignee="as-1", due=MONDAY + dt.timedelta(days=2))
        procedure_with_duty(
            session, assignee="as-2", due=MONDAY + dt.timedelta(days=14), step="later"
        )
    first = run(database, MONDAY)
    assert first.reminders == 1 and first.due_soon_total == 1
    [note] = rows(database, Notification, Notification.kind == "reminder")
    assert (note.recipient_id, note.subject_id) == ("as-1", soon)
    assert run(database, MONDAY).reminders == 0  # same day: nothing new
    assert run(database, MONDAY + dt.timedelta(days=1)).reminders == 1  # next day: reminded again


def test_duties_of_an_absent_assistant_go_to_the_supervising_deputy(database: Database) -> None:
    """Regulation cl. 14; DESIGN (b): work of an absent assignee goes to the person replacing
    them, and why is recorded."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        _, duty_id = procedure_with_duty(
            session, assignee="as-1", due=MONDAY + dt.timedelta(days=7)
        )
    absent(database.engine, "as-1", MONDAY, MONDAY + dt.timedelta(days=10))
    report = run(database, MONDAY)
    assert report.reassigned == 1
    [duty] = rows(database, Duty, Duty.id == duty_id)
    assert duty.assignee_id == "dep-1"  # nobody else supervises appeals and economics
    [note] = rows(database, Notification, Notification.kind == "reassignment")
    assert note.recipient_id == "dep-1" and "as-1 is absent" in note.message
    assert run(database, MONDAY).reassigned == 0


def test_overdue_duty_is_escalated_once_per_level(database: Database) -> None:
    """DESIGN (c): an assistant's overdue duty goes to the deputy supervising the area, then to
    the head, then to the regional office; a rerun the same day adds nothing."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        _, duty_id = procedure_with_duty(
            session, assignee="as-2", due=MONDAY - dt.timedelta(days=3)
        )  # Fri 4 Dec
    first = run(database, MONDAY, escalate_every=2)
    assert first.escalated == 1 and first.overdue_total == 1
    assert run(database, MONDAY, escalate_every=2).escalated == 0
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    assert run(database, tuesday, escalate_every=2).escalated == 0  # 2 working days overdue
    assert run(database, wednesday, escalate_every=2).escalated == 1  # 3: level 2
    levels = rows(database, Escalation, Escalation.subject_id == duty_id)
    assert [(e.level, e.to_staff_id) for e in sorted(levels, key=lambda e: e.level)] == [
        (1, "dep-2"),
        (2, "head"),
    ]
    notes = rows(database, Notification, Notification.kind == "escalation")
    assert sorted(n.recipient_id for n in notes) == ["dep-2", "head"]
    friday = MONDAY + dt.timedelta(days=4)
    run(database, friday, escalate_every=2)
    [last] = rows(database, Escalation, Escalation.level == 3)
    assert last.to_staff_id is None  # the regional office
    assert any(n.external_recipient == "regional_office" for n in rows(database, Notification))


def test_pending_approval_follows_the_signatory_of_the_day(database: Database) -> None:
    """Regulation cl. 15: the head goes on leave with an acting order while an approval is
    pending; the sweep hands it to the acting deputy, and back when the head returns."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        approval = pending_approval(
            session, due=MONDAY + dt.timedelta(days=3), day=MONDAY - dt.timedelta(days=3)
        )
    assert approval.signatory_id == "head"
    absent(database.engine, "head", MONDAY, MONDAY + dt.timedelta(days=4))
    acting(database.engine, "dep-2", "head", MONDAY, MONDAY + dt.timedelta(days=4))
    assert run(database, MONDAY).reassigned == 1
    assert rows(database, Approval)[0].signatory_id == "dep-2"
    assert run(database, MONDAY).reassigned == 0
    run(database, MONDAY + dt.timedelta(days=7))
    assert rows(database, Approval)[0].signatory_id == "head"


def test_undecided_approval_is_escalated_exactly_once_even_if_checked_twice(
    database: Database,
) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        pending_approval(
            session, due=MONDAY - dt.timedelta(days=3), day=MONDAY - dt.timedelta(days=6)
        )
    assert run(database, MONDAY).escalated == 1
    assert run(database, MONDAY).escalated == 0
    [escalation] = rows(database, Escalation)
    assert (
        escalation.subject_kind == "approval" and escalation.to_staff_id is None
    )  # head present: region


def test_concurrent_sweeps_do_not_double_escalate(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        for i in range(30):
            procedure_with_duty(
                session, assignee="as-2", due=MONDAY - dt.timedelta(days=3), step=f"s{i}"
            )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweeper() -> None:
        try:
            barrier.wait()
            run(database, MONDAY)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if database.name == "sqlite":  # one writer at a time: the second waits, then finds nothing
        assert all("locked" in str(e) for e in errors)
    else:
        assert errors == []
    assert count(database, Escalation) == 30
    assert len(rows(database, Notification, Notification.kind == "escalation")) == 30


def test_only_overdue_coordination_items_get_a_letter_to_the_bodys_head(
    database: Database,
) -> None:
    """A coordination item overdue gets a letter citing its meeting (Regulation cl. 7.4); an
    указание overdue (CPC art. 193(1)(5)) is escalated inside the office like any duty, never
    sent into the coordination letter, which has no meeting to cite."""
    load_demo_office(database.engine)
    due = MONDAY - dt.timedelta(days=3)
    ids: dict[ProcedureKind, int] = {}
    with sessionmaker(database.engine).begin() as session:
        for kind in (ProcedureKind.COORDINATION, ProcedureKind.INSTRUCTIONS):
            proc = procedure_store.register_procedure(
                session, office_code=OFFICE, kind=kind, title=kind.value, year=due.year
            )
            duty = procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="item-1",
                title="Item",
                assignee_id="as-3",
                due_date=due,
            )
            duty.body_id = "police"
            ids[kind] = duty.id
    run(database, MONDAY)
    with Session(database.engine) as session:
        letters = body_items_escalated(session, MONDAY)
    assert letters == [ids[ProcedureKind.COORDINATION]]
    assert {e.subject_id for e in rows(database, Escalation)} >= set(ids.values())
