"""The hourly sweep of urgent matters (terms in hours: the release of a person held illegally,
CL-155 art. 10(2)(9); CPC arts. 14(2), 14(4)). Work past its hour is escalated level by level every
``every_hours``: the person authorised right now, the head or the person replacing the head,
then the regional office; each level once (unique per subject and level).

Detentions (CPC arts. 14(2), 131(4), 133(2)) are swept first: at the alert moment without a
sanction or release the person authorised now is told once; at the limit the release is claimed
once (the limit duty is done, the release procedure takes over with its own hourly escalation)
and listed for starting until its release procedure exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, literal, select, true
from sqlalchemy.orm import Session, aliased

from models.db.tables import Duty, DutyStatus, Notification, Procedure
from models.office.roster import Roster
from models.office.roster_store import read_roster
from models.office.urgency import authorised_at, hourly_chain
from models.procedures import ProcedureKind, detention
from models.procedures import store as procedure_store
from models.procedures.release_store import title_of
from models.records import audit
from models.sweeps.deadline_sweep import (
    escalate_level,
    in_office,
    notify_escalations,
    offices_to_sweep,
)
from models.sweeps.notifications import notify
from models.sweeps.sweep_subjects import SUBJECTS, _Subject
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.terms import default_terms

ACTOR = "urgent-check"


@dataclass
class UrgentReport:
    at: dt.datetime
    escalated: int = 0
    escalations: list[dict[str, Any]] = field(default_factory=list)
    detention_alerts: int = 0
    releases_claimed: list[str] = field(default_factory=list)  # detentions, this sweep
    releases_to_start: list[str] = field(default_factory=list)  # claimed, no release yet


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
    at = at.astimezone(dt.UTC)  # stored moments are UTC (SQLite keeps them naive)
    report = UrgentReport(at)
    every = dt.timedelta(hours=every_hours)
    for code in offices_to_sweep(session):  # each office's own prosecutor on duty and head
        roster = read_roster(session, code)
        sweep_detentions(session, at, calendar, roster, report, code)
        chain = hourly_chain(roster, at, calendar)
        for subject in SUBJECTS:
            scoped = replace(
                subject, open_clause=and_(subject.open_clause, in_office(subject.model, code))
            )
            _escalate(session, scoped, at, chain, every, report)
    notify_escalations(session, at.astimezone(ALMATY).date())
    return report


# --- detentions --------------------------------------------------------------------------------

# A release is keyed by its title, release_store.title_of(<report id>): in SQL, this prefix
# followed by the detention's registration number.
RELEASE_TITLE = title_of("")


def sweep_detentions(
    session: Session,
    at: dt.datetime,
    calendar: WorkingCalendar,
    roster: Roster,
    report: UrgentReport,
    office: str | None = None,
) -> None:
    """Alert before the limit, claim the release at the limit: each once per detention (the
    notification's dedupe key), whoever sweeps and however often."""
    hours = detention.alert_hours(default_terms())
    who = authorised_at(roster, at, calendar)
    recipient = who.staff.id if who.staff else None
    day = at.astimezone(ALMATY).date()
    near = session.execute(
        select(Duty.id, Duty.due_at, Procedure.id, Procedure.registration_number)
        .join(Procedure, Duty.procedure_id == Procedure.id)
        .where(
            Procedure.kind == ProcedureKind.DETENTION,
            true() if office is None else Procedure.office_code == office,
            Duty.step == detention.LIMIT_STEP,
            Duty.status == DutyStatus.OPEN,
            Duty.due_at <= at + dt.timedelta(hours=hours),
        )
        .order_by(Duty.due_at)
    ).all()
    for duty_id, due_at, proc_id, number in near:
        limit_at = detention.as_utc(due_at)
        report.detention_alerts += notify(
            session,
            key=f"detention-alert:{proc_id}",
            recipient=recipient,
            kind="detention_alert",
            subject_kind="procedure",
            subject_id=proc_id,
            on=day,
            message=(
                f"{number}: срок задержания истекает {detention.local(limit_at)} (Алматы);"
                " санкция следственного судьи или освобождение не отмечены"
                " (УПК ст. 14 ч. 2, ст. 131 ч. 4, ст. 133 ч. 2)"
            ),
        )
        if detention.release_due(limit_at, at) and notify(
            session,
            key=f"detention-release:{proc_id}",
            recipient=recipient,
            kind="detention_release",
            subject_kind="procedure",
            subject_id=proc_id,
            on=day,
            message=(
                f"{number}: срок задержания истёк {detention.local(limit_at)} без санкции суда:"
                " начато освобождение (КЗ о прокуратуре ст. 10 п. 2 пп. 9; УПК ст. 14 ч. 4)"
            ),
        ):
            _claim_release(session, proc_id, duty_id, at, recipient)
            report.releases_claimed.append(number)
    report.releases_to_start = releases_to_start(session)


def _claim_release(
    session: Session, proc_id: int, duty_id: int, at: dt.datetime, recipient: str | None
) -> None:
    proc = session.get_one(Procedure, proc_id)
    proc.details = {**(proc.details or {}), "release_started_at": at.isoformat()}
    procedure_store.complete_duty(session, duty_id, ACTOR)
    audit.append(
        session,
        actor=ACTOR,
        action="detention.release_started",
        entity_kind="procedure",
        entity_id=proc.registration_number,
        payload={
            "at": at.isoformat(),
            "authorised": recipient,
            "why": "CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1)-(2)",
        },
    )


def releases_to_start(session: Session) -> list[str]:
    """Detentions whose release was claimed but whose release procedure is not registered yet
    (just claimed, or its start was lost): starting them again is idempotent."""
    release = aliased(Procedure)
    rows = session.scalars(
        select(Procedure.registration_number)
        .join(
            Notification,
            and_(
                Notification.kind == "detention_release",
                Notification.subject_kind == "procedure",
                Notification.subject_id == Procedure.id,
            ),
        )
        .outerjoin(
            release,
            and_(
                release.kind == ProcedureKind.RELEASE,
                release.title == literal(RELEASE_TITLE) + Procedure.registration_number,
            ),
        )
        .where(Procedure.kind == ProcedureKind.DETENTION, release.id.is_(None))
        .order_by(Procedure.id)
    )
    return list(rows)
