"""The hourly sweep of urgent matters (terms in hours: the release of a person held illegally,
CL-155 art. 10(2)(9); CPC arts. 14(2), 14(4)). Work past its hour is escalated level by level every
``every_hours``: the person authorised right now, the head or the person replacing the head,
then the regional office; each level once (unique per subject and level)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, literal, select
from sqlalchemy.orm import Session

from models.calendar import ALMATY, WorkingCalendar
from models.deadline_sweep import escalate_level, notify_escalations
from models.roster_store import read_roster
from models.sweep_subjects import SUBJECTS, _Subject
from models.urgency import hourly_chain

ACTOR = "urgent-check"


@dataclass
class UrgentReport:
    at: dt.datetime
    escalated: int = 0
    escalations: list[dict[str, Any]] = field(default_factory=list)


def _escalate(
    session: Session,
    subject: _Subject,
    at: dt.datetime,
    chain: list,
    every: dt.timedelta,
    report: UrgentReport,
) -> None:
    m = subject.model
    day = at.astimezone(ALMATY).date()
    assignees = session.scalars(
        select(subject.assignee)
        .where(subject.open_clause, m.due_at.is_not(None), m.due_at <= at)
        .distinct()
    ).all()
    for assignee in assignees:
        levels = [t for t in chain if t.key != assignee]
        whose = subject.assignee.is_(None) if assignee is None else subject.assignee == assignee
        for level, target in enumerate(levels, start=1):
            late = and_(
                subject.open_clause,
                whose,
                m.due_at.is_not(None),
                m.due_at <= at - (level - 1) * every,
                m.escalation_level < level,
            )
            added = escalate_level(
                session,
                subject,
                late=late,
                level=level,
                assignee=assignee,
                target=target,
                reason=literal(f"past its hour; {target.reason}"[:500]),
                on=day,
                actor=ACTOR,
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
                    }
                )


def sweep_urgent(
    session: Session, at: dt.datetime, calendar: WorkingCalendar, every_hours: float = 1
) -> UrgentReport:
    report = UrgentReport(at)
    chain = hourly_chain(read_roster(session), at, calendar)
    every = dt.timedelta(hours=every_hours)
    for subject in SUBJECTS:
        _escalate(session, subject, at, chain, every, report)
    notify_escalations(session, at.astimezone(ALMATY).date())
    return report
