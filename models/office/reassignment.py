"""Reassignment of work on a day: duties of absent staff go to the person replacing them,
pending approvals to whoever may decide that day (Regulation cl. 14-15)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_, select, true, update
from sqlalchemy.orm import Session

from models.approvals import Authority, authorised_approver
from models.db.tables import Approval, Duty
from models.office.roster import Roster
from models.records import audit
from models.sweeps.notifications import notify
from models.sweeps.sweep_subjects import ACTOR, APPROVALS, DUTIES, SweepReport


def reassign_duties(
    session: Session,
    roster: Roster,
    on: dt.date,
    report: SweepReport,
    scope: ColumnElement[bool] | None = None,
) -> None:
    """``scope``: the duties of one office (see ``deadline_sweep``); default all."""
    scope = true() if scope is None else scope
    for staff_id in sorted(roster.staff):
        if roster.is_present(staff_id, on):
            continue
        target = roster.replacement_for(staff_id, on)
        if target.staff is None or target.staff.id == staff_id:
            continue  # nobody in the office: the escalation reaches the regional office
        moved = session.scalars(
            update(Duty)
            .where(DUTIES.open_clause, scope, Duty.assignee_id == staff_id)
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
        notify(
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


def reassign_approvals(
    session: Session,
    roster: Roster,
    on: dt.date,
    report: SweepReport,
    scope: ColumnElement[bool] | None = None,
) -> None:
    """``scope``: the approvals of one office, whose own roster says who may decide (an
    approval never moves to another office's head); default all."""
    scope = true() if scope is None else scope
    # urgent approvals (on call) are reassigned by the hour, by the urgent check
    daily = and_(APPROVALS.open_clause, Approval.authority != Authority.ON_CALL, scope)
    visas = session.scalars(select(Approval.visa_by).where(daily).distinct()).all()
    for visa_by in visas:
        approver, _acting, reason = authorised_approver(roster, on, visa_by)
        if approver is None:
            continue
        by_visa = Approval.visa_by.is_(None) if visa_by is None else Approval.visa_by == visa_by
        rows = session.execute(
            update(Approval)
            .where(
                daily,
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
            notify(
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
