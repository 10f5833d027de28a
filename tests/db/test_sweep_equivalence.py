"""The write-light sweep against a naive loop, on both databases (performance issue, part 3):
on a generated office — duties of every assignee and unassigned, pending approvals, due dates
from long overdue to weeks ahead — the set-based sweep writes exactly the escalations,
notifications, levels and reminder marks that a loop over each item writes, and a same-day
rerun writes nothing. Escalation: CL-155 art. 24(3) terms, overdue work goes up the roster's
chain one level per two working days (``SweepConfig.escalate_every``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db.tables import Approval, ApprovalStatus, Duty, DutyStatus, Escalation, Notification
from models.office.roster import REGIONAL_OFFICE, EscalationTarget, Roster
from models.office.roster_store import read_roster
from models.sweeps.deadline_sweep import SweepConfig, sweep
from models.sweeps.sweep_subjects import SUBJECTS
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit, due_date
from tests.conftest import Database
from tests.office import load_demo_office, pending_approval, procedure_with_duty

CAL = WorkingCalendar(overrides=[])
ON = dt.date(2026, 12, 9)  # a Wednesday
CONFIG = SweepConfig()
ASSIGNEES = ["as-1", "as-2", "as-3", "sa-1", None]


def office(database: Database) -> None:
    """60 duties over five assignees (one slot unassigned) due from 20 days ago to 19 days
    ahead, a few already escalated or done, and 8 pending approvals."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        for n in range(60):
            due = ON + dt.timedelta(days=n % 40 - 20)
            _, duty_id = procedure_with_duty(
                session, assignee=ASSIGNEES[n % 5], due=due, step=f"s-{n}"
            )
            duty = session.get_one(Duty, duty_id)
            if n % 7 == 0:
                duty.escalation_level = 1
            if n % 11 == 0:
                duty.status = DutyStatus.DONE
        for n in range(8):
            pending_approval(session, due=ON - dt.timedelta(days=2 * n), day=ON)


def _chain(roster: Roster, assignee: str | None) -> list[EscalationTarget]:
    if assignee is not None and assignee in roster.staff:
        return roster.escalation_chain(assignee, ON)
    manager = roster.signatory_on(ON)
    head = [EscalationTarget(manager.staff, manager.reason)] if manager.staff else []
    return [*head, EscalationTarget(None, "beyond the office: regional office")]


def naive(session: Session) -> None:
    """The sweep's rules one item at a time (nobody is absent, so nothing is reassigned)."""
    roster = read_roster(session)
    horizon = due_date(ON, CONFIG.remind_within, TermUnit.WORKING_DAYS, CAL)
    keys = set(session.scalars(select(Notification.dedupe_key)))

    def note(key: str, to: str | None, kind: str, subject: str, item: Any, msg: str) -> None:
        if key not in keys:
            keys.add(key)
            session.add(
                Notification(
                    dedupe_key=key,
                    recipient_id=to,
                    external_recipient=None if to else REGIONAL_OFFICE,
                    kind=kind,
                    subject_kind=subject,
                    subject_id=item.id,
                    on_date=ON,
                    message=msg,
                )
            )

    items: list[tuple[str, Any, str | None, str]] = [
        ("duty", d, d.assignee_id, d.title)
        for d in session.scalars(select(Duty).where(Duty.status == DutyStatus.OPEN))
    ] + [
        ("approval", a, a.signatory_id, f"approval of {a.step}")
        for a in session.scalars(select(Approval).where(Approval.status == ApprovalStatus.PENDING))
    ]
    for kind, item, assignee, title in items:
        due = item.due_date
        if assignee and ON <= due <= horizon and (item.reminded_on or dt.date.min) < ON:
            message = f"Due {due}: {title}"
            note(f"reminder:{kind}:{item.id}:{ON}", assignee, "reminder", kind, item, message)
            item.reminded_on = ON
        if due >= ON:
            continue
        passed = CAL.working_days_between(due, ON)
        for level, target in enumerate(_chain(roster, assignee), start=1):
            if passed < 1 + (level - 1) * CONFIG.escalate_every or item.escalation_level >= level:
                continue
            to = target.staff.id if target.staff else None
            reason = f"overdue since {due}" + f"; {target.reason}"[:400]
            session.add(
                Escalation(
                    subject_kind=kind,
                    subject_id=item.id,
                    level=level,
                    from_staff_id=assignee,
                    to_staff_id=to,
                    reason=reason,
                    on_date=ON,
                )
            )
            message = f"Escalated (level {level}): {reason}"
            note(f"escalation:{kind}:{item.id}:{level}", to, "escalation", kind, item, message)
            item.escalation_level = level
    session.flush()


def outcome(session: Session) -> dict[str, Any]:
    return {
        "escalations": sorted(
            session.execute(
                select(
                    Escalation.subject_kind,
                    Escalation.subject_id,
                    Escalation.level,
                    Escalation.from_staff_id,
                    Escalation.to_staff_id,
                    Escalation.reason,
                    Escalation.on_date,
                )
            ).all()
        ),
        "notifications": sorted(
            session.execute(
                select(
                    Notification.dedupe_key,
                    Notification.recipient_id,
                    Notification.external_recipient,
                    Notification.subject_id,
                    Notification.message,
                )
            ).all()
        ),
        "items": sorted(
            (s.kind, *row)
            for s in SUBJECTS
            for row in session.execute(
                select(s.model.id, s.model.escalation_level, s.model.reminded_on)
            ).all()
        ),
    }


def test_the_set_based_sweep_writes_what_a_naive_loop_writes(database: Database) -> None:
    office(database)
    with Session(database.engine) as session:
        naive(session)
        expected = outcome(session)
        session.rollback()  # the same office for the sweep
    with Session(database.engine) as session:
        report = sweep(session, ON, CAL, CONFIG)
        got = outcome(session)
        assert report.escalated == len(got["escalations"]) > 20
        assert {e["subject"] for e in report.escalations} == {"duty", "approval"}
        assert sum(e["count"] for e in report.escalations) == report.escalated
        again = sweep(session, ON, CAL, CONFIG)  # the same day: nothing new, nothing changed
        assert (again.escalated, again.reminders) == (0, 0)
        assert outcome(session) == got
    assert got == expected
    assert any(e[3] is None for e in got["escalations"])  # unassigned work escalated too
