"""What the deadline sweep looks at (open duties, pending approvals), its settings and report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, literal

from models.db.tables import Approval, ApprovalStatus, Duty, DutyStatus
from models.timing.deadlines import TermUnit
from models.timing.terms import default_terms

ACTOR = "deadline-check"
REMINDER_TERM = "control.reminder"  # working days before the due date
ESCALATION_TERM = "control.escalation"  # working days between escalation levels
TERMS = (REMINDER_TERM, ESCALATION_TERM)


def _working_days(term_id: str) -> int:
    return default_terms().figure(term_id, TermUnit.WORKING_DAYS)


@dataclass(frozen=True, slots=True)
class SweepConfig:
    """The sweep's settings; the terms are the office's rows in the terms table unless given."""

    remind_within: int = field(default_factory=lambda: _working_days(REMINDER_TERM))
    escalate_every: int = field(default_factory=lambda: _working_days(ESCALATION_TERM))
    listed: int = 200  # rows of each kind kept for the report

    @classmethod
    def of(cls, remind_within: int | None = None, escalate_every: int | None = None) -> SweepConfig:
        """The table's figures, except those given (a flow or command parameter)."""
        return cls(
            remind_within=_working_days(REMINDER_TERM) if remind_within is None else remind_within,
            escalate_every=(
                _working_days(ESCALATION_TERM) if escalate_every is None else escalate_every
            ),
        )


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
