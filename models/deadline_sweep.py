"""The daily deadline sweep (контроль сроков), in set-based SQL on indexed columns.

One sweep for a day: (1) work of staff absent that day goes to the person replacing them, and
pending approvals to whoever may decide that day; (2) assignees of work due within a few working
days are reminded; (3) overdue work is escalated level by level along the roster's escalation
chain. Everything is keyed so that a second sweep of the same day changes nothing: reminders
and notifications by a unique key, escalations by (subject, level).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import audit
from models.approvals import authorised_approver
from models.calendar import WorkingCalendar
from models.deadlines import TermUnit, due_date
from models.roster import REGIONAL_OFFICE, EscalationTarget, Roster
from models.roster_store import read_roster
from models.tables import Approval, ApprovalStatus, Duty, DutyStatus, Escalation, Notification

ACTOR = "deadline-check"


@dataclass(frozen=True, slots=True)
class SweepConfig:
    remind_within: int = 2  # working days before the due date
    escalate_every: int = 2  # working days between escalation levels
    listed: int = 200  # rows of each kind kept for the report


@dataclass
class SweepReport:
    on: dt.date
    reminders: int = 0
    reassigned: int = 0
    escalated: int = 0
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    reassignments: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    due_soon_total: int = 0
    overdue_total: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.reminders or self.reassigned or self.escalated)


# What the sweep looks at: open duties and pending approvals, with the column naming their
# current assignee.
@dataclass(frozen=True)
class _Subject:
    kind: str
    model: type[Duty] | type[Approval]
    open_clause: ColumnElement[bool]

    @property
    def assignee(self) -> Any:
        return self.model.assignee_id if self.model is Duty else self.model.signatory_id

    @property
    def title(self) -> Any:
        return Duty.title if self.model is Duty else literal("approval of ") + Approval.step


DUTIES = _Subject("duty", Duty, Duty.status == DutyStatus.OPEN)
APPROVALS = _Subject("approval", Approval, Approval.status == ApprovalStatus.PENDING)
SUBJECTS = (DUTIES, APPROVALS)


def _insert_ignoring_duplicates(session: Session, table: Any) -> Insert:
    dialect = session.get_bind().dialect.name
    module = {"postgresql": postgresql, "sqlite": sqlite}.get(dialect)
    if module is None:  # pragma: no cover - the project supports these two
        raise NotImplementedError(f"deadline sweep on {dialect}")
    return module.insert(table)


def _text(value: Any) -> Any:
    return cast(value, String)


def _notify_from_select(session: Session, query: Any) -> int:
    """INSERT ... SELECT into notifications, skipping rows whose dedupe key exists."""
    columns = [
        "dedupe_key",
        "recipient_id",
        "external_recipient",
        "kind",
        "subject_kind",
        "subject_id",
        "on_date",
        "message",
    ]
    stmt = (
        _insert_ignoring_duplicates(session, Notification)
        .from_select(columns, query)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    # psycopg reports no rowcount for INSERT ... SELECT ... ON CONFLICT: count what came back
    return len(session.scalars(stmt).all())


def _notify(
    session: Session,
    *,
    key: str,
    recipient: str | None,
    kind: str,
    subject_kind: str,
    subject_id: int,
    on: dt.date,
    message: str,
) -> int:
    stmt = (
        _insert_ignoring_duplicates(session, Notification)
        .values(
            dedupe_key=key,
            recipient_id=recipient,
            external_recipient=None if recipient else REGIONAL_OFFICE,
            kind=kind,
            subject_kind=subject_kind,
            subject_id=subject_id,
            on_date=on,
            message=message[:1000],
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    return len(session.scalars(stmt).all())


# --- (1) reassignment --------------------------------------------------------------------


def _reassign_duties(session: Session, roster: Roster, on: dt.date, report: SweepReport) -> None:
    for staff_id in sorted(roster.staff):
        if roster.is_present(staff_id, on):
            continue
        target = roster.replacement_for(staff_id, on)
        if target.staff is None or target.staff.id == staff_id:
            continue  # nobody in the office: the escalation reaches the regional office
        moved = session.scalars(
            update(Duty)
            .where(DUTIES.open_clause, Duty.assignee_id == staff_id)
            .values(assignee_id=target.staff.id, version=Duty.version + 1)
            .returning(Duty.id)
            .execution_options(synchronize_session=False)
        ).all()
        if not moved:
            continue
        report.reassigned += len(moved)
        why = f"{staff_id} is absent on {on}; {target.staff.id}: {target.reason}"
        report.reassignments.append(
            {
                "subject": "duty",
                "count": len(moved),
                "from": staff_id,
                "to": target.staff.id,
                "why": why,
            }
        )
        _notify(
            session,
            key=f"reassign:duty:{staff_id}:{target.staff.id}:{on}",
            recipient=target.staff.id,
            kind="reassignment",
            subject_kind="duty",
            subject_id=min(moved),
            on=on,
            message=f"{len(moved)} duties of {staff_id} are yours while they are away ({why})",
        )
        audit.append(
            session,
            actor=ACTOR,
            action="duty.reassigned",
            entity_kind="staff",
            entity_id=staff_id,
            payload={
                "to": target.staff.id,
                "why": why,
                "count": len(moved),
                "duty_ids": sorted(moved)[:1000],
            },
        )


def _reassign_approvals(session: Session, roster: Roster, on: dt.date, report: SweepReport) -> None:
    visas = session.scalars(select(Approval.visa_by).where(APPROVALS.open_clause).distinct()).all()
    for visa_by in visas:
        approver, _acting, reason = authorised_approver(roster, on, visa_by)
        if approver is None:
            continue
        by_visa = Approval.visa_by.is_(None) if visa_by is None else Approval.visa_by == visa_by
        rows = session.execute(
            update(Approval)
            .where(
                APPROVALS.open_clause,
                by_visa,
                or_(Approval.signatory_id.is_(None), Approval.signatory_id != approver),
            )
            .values(signatory_id=approver, version=Approval.version + 1)
            .returning(Approval.id, Approval.step)
            .execution_options(synchronize_session=False)
        ).all()
        for approval_id, step in rows:
            report.reassigned += 1
            why = f"authorised on {on}: {approver} ({reason})"
            report.reassignments.append(
                {"subject": "approval", "id": approval_id, "to": approver, "why": why}
            )
            _notify(
                session,
                key=f"reassign:approval:{approval_id}:{approver}:{on}",
                recipient=approver,
                kind="reassignment",
                subject_kind="approval",
                subject_id=approval_id,
                on=on,
                message=f"Approval {approval_id} ({step}) awaits your decision: {why}",
            )
            audit.append(
                session,
                actor=ACTOR,
                action="approval.reassigned",
                entity_kind="approval",
                entity_id=approval_id,
                payload={"to": approver, "why": why},
            )


# --- (2) reminders -----------------------------------------------------------------------


def _remind(session: Session, subject: _Subject, on: dt.date, horizon: dt.date) -> int:
    m = subject.model
    due_soon = and_(
        subject.open_clause,
        m.due_date >= on,
        m.due_date <= horizon,
        subject.assignee.is_not(None),
        or_(m.reminded_on.is_(None), m.reminded_on < on),
    )
    query = select(
        literal(f"reminder:{subject.kind}:") + _text(m.id) + literal(f":{on.isoformat()}"),
        subject.assignee,
        null(),
        literal("reminder"),
        literal(subject.kind),
        m.id,
        literal(on),
        literal("Due ") + _text(m.due_date) + literal(": ") + subject.title,
    ).where(due_soon)
    sent = _notify_from_select(session, query)
    session.execute(
        update(m)
        .where(due_soon)
        .values(reminded_on=on)
        .execution_options(synchronize_session=False)
    )
    return sent


# --- (3) escalation ----------------------------------------------------------------------


def _level_cutoffs(
    on: dt.date, calendar: WorkingCalendar, levels: int, every: int
) -> list[dt.date]:
    """cutoffs[k-1]: work due on or before it is overdue enough for escalation level k.

    Level 1 when one working day has passed since the due date; each further level after
    ``every`` more working days.
    """
    needed = [1 + k * every for k in range(levels)]
    cutoffs: list[dt.date] = []
    day, passed = on, 0
    while len(cutoffs) < levels:
        # ``passed`` working days lie after ``day - 1`` up to ``on``
        passed += calendar.is_working_day(day)
        day -= dt.timedelta(days=1)
        while len(cutoffs) < levels and passed >= needed[len(cutoffs)]:
            cutoffs.append(day)
    return cutoffs


def _chain_for(roster: Roster, assignee: str | None, on: dt.date) -> list[EscalationTarget]:
    if assignee is not None and assignee in roster.staff:
        return roster.escalation_chain(assignee, on)
    # Unassigned, or no longer on the roster: whoever manages the office, then the region.
    manager = roster.signatory_on(on)
    head = [EscalationTarget(manager.staff, manager.reason)] if manager.staff else []
    return [*head, EscalationTarget(None, "beyond the office: regional office")]


def _escalate(
    session: Session,
    subject: _Subject,
    roster: Roster,
    on: dt.date,
    calendar: WorkingCalendar,
    config: SweepConfig,
    report: SweepReport,
) -> None:
    m = subject.model
    assignees = session.scalars(
        select(subject.assignee).where(subject.open_clause, m.due_date < on).distinct()
    ).all()
    for assignee in assignees:
        chain = _chain_for(roster, assignee, on)
        cutoffs = _level_cutoffs(on, calendar, len(chain), config.escalate_every)
        whose = subject.assignee.is_(None) if assignee is None else subject.assignee == assignee
        for level, (target, cutoff) in enumerate(zip(chain, cutoffs, strict=True), start=1):
            overdue = and_(
                subject.open_clause, whose, m.escalation_level < level, m.due_date <= cutoff
            )
            query = select(
                literal(subject.kind),
                m.id,
                literal(level),
                subject.assignee,
                literal(target.staff.id if target.staff else None, String),
                literal("overdue since ") + _text(m.due_date) + literal(f"; {target.reason}"[:400]),
                literal(on),
            ).where(overdue)
            stmt = (
                _insert_ignoring_duplicates(session, Escalation)
                .from_select(
                    [
                        "subject_kind",
                        "subject_id",
                        "level",
                        "from_staff_id",
                        "to_staff_id",
                        "reason",
                        "on_date",
                    ],
                    query,
                )
                .on_conflict_do_nothing(index_elements=["subject_kind", "subject_id", "level"])
                .returning(Escalation.id)
            )
            added = len(session.scalars(stmt).all())
            session.execute(
                update(m)
                .where(overdue)
                .values(escalation_level=level)
                .execution_options(synchronize_session=False)
            )
            if added:
                report.escalated += added
                report.escalations.append(
                    {
                        "subject": subject.kind,
                        "from": assignee,
                        "level": level,
                        "to": target.key,
                        "count": added,
                        "why": target.reason,
                    }
                )
                audit.append(
                    session,
                    actor=ACTOR,
                    action=f"{subject.kind}.escalated",
                    entity_kind="staff",
                    entity_id=assignee or "unassigned",
                    payload={"level": level, "to": target.key, "count": added, "on": on},
                )


def _notify_escalations(session: Session, on: dt.date) -> int:
    e = Escalation
    query = select(
        literal("escalation:")
        + e.subject_kind
        + literal(":")
        + _text(e.subject_id)
        + literal(":")
        + _text(e.level),
        e.to_staff_id,
        case((e.to_staff_id.is_(None), literal(REGIONAL_OFFICE)), else_=null()),
        literal("escalation"),
        e.subject_kind,
        e.subject_id,
        e.on_date,
        literal("Escalated (level ") + _text(e.level) + literal("): ") + e.reason,
    ).where(e.on_date == on)
    return _notify_from_select(session, query)


# --- the report --------------------------------------------------------------------------


def _listing(
    session: Session, on: dt.date, horizon: dt.date, limit: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, int]:
    due_soon: list[dict[str, Any]] = []
    overdue: list[dict[str, Any]] = []
    due_total = over_total = 0
    for subject in SUBJECTS:
        m = subject.model
        for target, clause in (
            (due_soon, and_(m.due_date >= on, m.due_date <= horizon)),
            (overdue, m.due_date < on),
        ):
            rows = session.execute(
                select(m.id, subject.title, subject.assignee, m.due_date, m.escalation_level)
                .where(subject.open_clause, clause)
                .order_by(m.due_date, m.id)
                .limit(limit)
            ).all()
            target.extend(
                {
                    "subject": subject.kind,
                    "id": r[0],
                    "title": r[1],
                    "assignee": r[2],
                    "due_date": r[3],
                    "escalation_level": r[4],
                }
                for r in rows
            )
        due_total += (
            session.scalar(
                select(func.count())
                .select_from(m)
                .where(subject.open_clause, m.due_date >= on, m.due_date <= horizon)
            )
            or 0
        )
        over_total += (
            session.scalar(
                select(func.count()).select_from(m).where(subject.open_clause, m.due_date < on)
            )
            or 0
        )
    return due_soon, overdue, due_total, over_total


def sweep(
    session: Session,
    on: dt.date,
    calendar: WorkingCalendar,
    config: SweepConfig = SweepConfig(),
) -> SweepReport:
    """Run the whole sweep for ``on`` inside the caller's transaction."""
    roster = read_roster(session)
    report = SweepReport(on)
    horizon = due_date(on, config.remind_within, TermUnit.WORKING_DAYS, calendar)
    _reassign_duties(session, roster, on, report)
    _reassign_approvals(session, roster, on, report)
    for subject in SUBJECTS:
        report.reminders += _remind(session, subject, on, horizon)
    for subject in SUBJECTS:
        _escalate(session, subject, roster, on, calendar, config, report)
    _notify_escalations(session, on)
    report.due_soon, report.overdue, report.due_soon_total, report.overdue_total = _listing(
        session, on, horizon, config.listed
    )
    if report.changed:
        audit.append(
            session,
            actor=ACTOR,
            action="deadlines.checked",
            entity_kind="day",
            entity_id=on.isoformat(),
            payload={
                "reminders": report.reminders,
                "reassigned": report.reassigned,
                "escalated": report.escalated,
            },
        )
    return report


def notifications_since(session: Session, after_id: int) -> Sequence[Notification]:
    return session.scalars(
        select(Notification).where(Notification.id > after_id).order_by(Notification.id)
    ).all()


def last_notification_id(session: Session) -> int:
    return session.scalar(select(func.max(Notification.id))) or 0
