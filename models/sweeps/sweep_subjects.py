"""What the deadline sweep looks at (open duties, pending approvals), its settings and report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, literal

from models.db.tables import Approval, ApprovalStatus, Duty, DutyStatus

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
