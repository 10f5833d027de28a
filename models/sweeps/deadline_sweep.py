"""The daily deadline sweep (контроль сроков), in set-based SQL on indexed columns.

One sweep for a day: (1) work of staff absent that day goes to the person replacing them, and
pending approvals to whoever may decide that day; (2) assignees of work due within a few working
days are reminded; (3) overdue work is escalated level by level along the roster's escalation
chain. Everything is keyed so that a second sweep of the same day changes nothing: reminders
and notifications by a unique key, escalations by (subject, level).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import String, and_, case, func, literal, null, or_, select, true, update, values
from sqlalchemy.orm import Session
from sqlalchemy.sql import column

from models.db.sql import as_text, insert_ignoring_duplicates
from models.db.tables import Approval, Duty, Escalation, Office, Procedure
from models.office.reassignment import reassign_approvals, reassign_duties
from models.office.roster import REGIONAL_OFFICE, EscalationTarget, Roster
from models.office.roster_store import read_roster
from models.procedures import ProcedureKind
from models.records import audit
from models.settings import get_settings
from models.sweeps.notifications import notify_from_select
from models.sweeps.sweep_subjects import ACTOR, SUBJECTS, SweepConfig, SweepReport, _Subject
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit, due_date

__all__ = ["SweepConfig", "SweepReport", "escalate_level", "sweep"]


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
        literal(f"reminder:{subject.kind}:") + as_text(m.id) + literal(f":{on.isoformat()}"),
        subject.assignee,
        null(),
        literal("reminder"),
        literal(subject.kind),
        m.id,
        literal(on),
        literal("Due ") + as_text(m.due_date) + literal(": ") + subject.title,
    ).where(due_soon)
    sent = notify_from_select(session, query)
    if subject.model is Duty:  # a body executing an item is reminded too
        sent += notify_from_select(
            session,
            select(
                literal("reminder:body:") + as_text(Duty.id) + literal(f":{on.isoformat()}"),
                null(),
                literal("body:") + Duty.body_id,
                literal("reminder"),
                literal("duty"),
                Duty.id,
                literal(on),
                literal("Due ") + as_text(Duty.due_date) + literal(": ") + Duty.title,
            ).where(due_soon, Duty.body_id.is_not(None)),
        )
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


def escalate_level(
    session: Session,
    subject: _Subject,
    *,
    late: Any,
    level: int,
    assignee: str | None,
    target: EscalationTarget,
    reason: Any,
    on: dt.date,
    actor: str,
) -> int:
    """Record escalation ``level`` to ``target`` for every ``late`` item not yet at that level:
    set-based, and once per item and level whoever runs it, however often."""
    m = subject.model
    query = select(
        literal(subject.kind),
        m.id,
        literal(level),
        subject.assignee,
        literal(target.staff.id if target.staff else None, String),
        reason,
        literal(on),
    ).where(late)
    columns = ["subject_kind", "subject_id", "level", "from_staff_id", "to_staff_id", "reason"]
    stmt = (
        insert_ignoring_duplicates(session, Escalation)
        .from_select([*columns, "on_date"], query)
        .on_conflict_do_nothing(index_elements=["subject_kind", "subject_id", "level"])
        .returning(Escalation.id)
    )
    added = len(session.scalars(stmt).all())
    session.execute(
        update(m)
        .where(late)
        .values(escalation_level=level)
        .execution_options(synchronize_session=False)
    )
    if added:
        audit.append(
            session,
            actor=actor,
            action=f"{subject.kind}.escalated",
            entity_kind="staff",
            entity_id=assignee or "unassigned",
            payload={"level": level, "to": target.key, "count": added, "on": on},
        )
    return added


def _chains(roster: Roster, on: dt.date) -> dict[str, list[EscalationTarget]]:
    """The escalation chain of each staff member on the roster, and under ``UNLISTED`` the chain
    of work unassigned or of someone no longer on the roster (see ``_chain_for``)."""
    chains = {staff_id: _chain_for(roster, staff_id, on) for staff_id in roster.staff}
    chains[UNLISTED] = _chain_for(roster, None, on)
    return chains


UNLISTED = ""  # the chains' key of work unassigned or assigned to someone off the roster


def _escalate(
    session: Session,
    subject: _Subject,
    roster: Roster,
    on: dt.date,
    calendar: WorkingCalendar,
    config: SweepConfig,
    report: SweepReport,
) -> list[dict[str, Any]]:
    """Escalate overdue work level by level: per level one INSERT of escalations for every
    assignee at once (their chains' targets joined as a VALUES list), one INSERT of their
    notifications and one UPDATE of the level. Work already at its level for the day is outside
    the index range the statements read (status, escalation level, due date), so a same-day
    rerun reads nothing. Returns the audit entries, one per assignee and level escalated."""
    m = subject.model
    chains = _chains(roster, on)
    cutoffs = _level_cutoffs(
        on, calendar, max(len(c) for c in chains.values()), config.escalate_every
    )
    listed = [k for k in chains if k != UNLISTED]
    # the chain an item follows: its assignee's, or the office's for anyone off the roster
    key = case((subject.assignee.in_(listed), subject.assignee), else_=literal(UNLISTED))
    first_new = session.scalar(select(func.coalesce(func.max(Escalation.id), 0))) or 0
    added: Counter[tuple[str | None, int]] = Counter()
    for level, cutoff in enumerate(cutoffs, start=1):
        reach = {k: c[level - 1] for k, c in chains.items() if len(c) >= level}
        targets = (
            values(
                column("chain_key", String),
                column("to_staff", String),
                column("why", String),
                name="targets",
            )
            .data(
                [
                    (k, t.staff.id if t.staff else None, f"; {t.reason}"[:400])
                    for k, t in reach.items()
                ]
            )
            .cte("targets")
        )
        late = and_(subject.open_clause, m.escalation_level.in_(range(level)), m.due_date <= cutoff)
        query = (
            select(
                literal(subject.kind),
                m.id,
                literal(level),
                subject.assignee,
                targets.c.to_staff,
                literal("overdue since ") + as_text(m.due_date) + targets.c.why,
                literal(on),
            )
            .select_from(m)
            .join(targets, targets.c.chain_key == key)
            .where(late)
        )
        columns = ["subject_kind", "subject_id", "level", "from_staff_id", "to_staff_id"]
        new = session.scalars(
            insert_ignoring_duplicates(session, Escalation)
            .from_select([*columns, "reason", "on_date"], query)
            .on_conflict_do_nothing(index_elements=["subject_kind", "subject_id", "level"])
            .returning(Escalation.from_staff_id)
        ).all()
        added.update((assignee, level) for assignee in new)
        if new:
            notify_escalations(session, on, after_id=first_new, level=level, kind=subject.kind)
        everyone = len(reach) == len(chains)
        session.execute(
            update(m)
            .where(late, true() if everyone else key.in_(list(reach)))
            .values(escalation_level=level)
            .execution_options(synchronize_session=False)
        )
    entries: list[dict[str, Any]] = []
    for (assignee, level), count in sorted(added.items(), key=lambda a: (a[0][0] or "~", a[0][1])):
        target = _chain_for(roster, assignee, on)[level - 1]
        report.escalated += count
        report.escalations.append(
            {
                "subject": subject.kind,
                "from": assignee,
                "level": level,
                "to": target.key,
                "count": count,
                "why": target.reason,
            }
        )
        entries.append(
            {
                "actor": ACTOR,
                "action": f"{subject.kind}.escalated",
                "entity_kind": "staff",
                "entity_id": assignee or "unassigned",
                "payload": {"level": level, "to": target.key, "count": count, "on": on},
            }
        )
    return entries


def notify_escalations(
    session: Session,
    on: dt.date,
    *,
    after_id: int | None = None,
    level: int | None = None,
    kind: str | None = None,
) -> int:
    """Notify the escalations of ``on``; with ``after_id``, only those added after it (of one
    level and kind), read by their key range instead of the whole day."""
    e = Escalation
    query = select(
        literal("escalation:")
        + e.subject_kind
        + literal(":")
        + as_text(e.subject_id)
        + literal(":")
        + as_text(e.level),
        e.to_staff_id,
        case((e.to_staff_id.is_(None), literal(REGIONAL_OFFICE)), else_=null()),
        literal("escalation"),
        e.subject_kind,
        e.subject_id,
        e.on_date,
        literal("Escalated (level ") + as_text(e.level) + literal("): ") + e.reason,
    ).where(e.on_date == on)
    if after_id is not None:
        query = query.where(e.id > after_id)
    if level is not None:
        query = query.where(e.level == level)
    if kind is not None:
        query = query.where(e.subject_kind == kind)
    return notify_from_select(session, query)


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


def offices_to_sweep(session: Session) -> list[str | None]:
    """None (everything) while the database holds one office; with several, the office this
    installation serves (``PROSECUTOR_OFFICE_CODE``), or each office in turn when none is named."""
    codes = list(session.scalars(select(Office.code).order_by(Office.code)))
    if len(codes) <= 1:
        return [None]
    serving = get_settings().office_code
    return [serving] if serving in codes else codes


def in_office(model: type[Duty] | type[Approval], code: str | None) -> Any:
    """The rows of ``model`` that belong to procedures of office ``code`` (None: all)."""
    if code is None:
        return true()
    return model.procedure_id.in_(select(Procedure.id).where(Procedure.office_code == code))


def sweep(
    session: Session,
    on: dt.date,
    calendar: WorkingCalendar,
    config: SweepConfig | None = None,
) -> SweepReport:
    """Run the whole sweep for ``on`` inside the caller's transaction."""
    config = config or SweepConfig()
    report = SweepReport(on)
    horizon = due_date(on, config.remind_within, TermUnit.WORKING_DAYS, calendar)
    escalated: list[dict[str, Any]] = []
    for code in offices_to_sweep(session):
        # each office by its own roster: its head, deputies and acting orders (cl. 14-15)
        roster = read_roster(session, code)
        reassign_duties(session, roster, on, report, in_office(Duty, code))
        reassign_approvals(session, roster, on, report, in_office(Approval, code))
        for subject in SUBJECTS:
            scoped = dataclasses.replace(
                subject, open_clause=and_(subject.open_clause, in_office(subject.model, code))
            )
            escalated += _escalate(session, scoped, roster, on, calendar, config, report)
    for subject in SUBJECTS:  # reminders go to the assignee, whatever the office
        report.reminders += _remind(session, subject, on, horizon)
    audit.append_many(session, escalated)
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


def body_items_escalated(session: Session, on: dt.date) -> list[int]:
    """Items of a coordination resolution that became overdue on ``on``: each gets a letter to
    the body's head, which cites the meeting. (Указания overdue are escalated inside the office
    like any duty.)"""
    return list(
        session.scalars(
            select(Duty.id)
            .join(
                Escalation,
                and_(Escalation.subject_kind == "duty", Escalation.subject_id == Duty.id),
            )
            .join(Procedure, Procedure.id == Duty.procedure_id)
            .where(
                Escalation.level == 1,
                Escalation.on_date == on,
                Duty.body_id.is_not(None),
                Procedure.kind == ProcedureKind.COORDINATION,
            )
            .order_by(Duty.id)
        )
    )
