"""What the desks show, read for the whole office at once: one query per kind of row (staff,
open duties, pending approvals, escalations, absences, acting orders, idle procedures), never
one per staff member or item, so an office with thousands of open duties is read in a few
statements.

Only the rows that can be shown are read: a desk's section shows its first
``ROWS_PER_SECTION`` rows by urgency and the board its first ``ROWS_ON_BOARD``, so each query
ranks its rows in SQL (window functions) and keeps those first per assignee and on the whole
board; the "…and N more" lines count the rest with a ``GROUP BY`` (``OfficeDesks.totals``).

SQL cannot compare an hour term's moment with the end of a due day in Almaty without the
zone's rules, so the rows are ranked within three classes that SQL orders exactly as the desk
does (``models.sweeps.desk.by_urgency``): terms in hours by ``due_at``, terms in days by the due
date (the overdue come first in either, being the earliest), work without a term; then by the
registration number (in code-point order, as Python compares text) and the record. The first
rows of each class include the first rows of all; Python merges the classes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from models.db.tables import (
    AbsenceRow,
    ActingOrderRow,
    Approval,
    ApprovalStatus,
    Document,
    Duty,
    DutyStatus,
    Escalation,
    Procedure,
    StaffRow,
)
from models.procedures import OPEN_STATUSES
from models.sweeps import desk
from models.sweeps.desk import (
    BOARD_TOTAL,
    AbsenceLine,
    ActingLine,
    EscalationLine,
    OfficeDesks,
    StaffLine,
    WorkItem,
)
from models.timing.deadlines import TermUnit
from models.timing.terms import default_terms

# A signatory decides in working days (terms table row ``approval.decision``).
APPROVAL_UNIT = TermUnit.WORKING_DAYS

_OPEN_DUTY = Duty.status == DutyStatus.OPEN
_PENDING = Approval.status == ApprovalStatus.PENDING

Totals = Counter[tuple[str, str]]


def _units() -> dict[str, TermUnit | None]:
    return {t.id: t.unit for t in default_terms().terms}


def _staff(session: Session) -> dict[str, StaffLine]:
    rows = session.execute(
        select(StaffRow.id, StaffRow.name, StaffRow.position)
        .where(StaffRow.active.is_(True))
        .order_by(StaffRow.id)
    )
    return {r.id: StaffLine(r.id, r.name, r.position.value) for r in rows}


def _as_python_compares(session: Session, text: Any) -> Any:
    """``text`` ordered by code point, as Python orders strings (SQLite's default already is;
    PostgreSQL's database collation may not be)."""
    return text.collate("C") if session.get_bind().dialect.name == "postgresql" else text


def _ranks(
    session: Session,
    assignee: Any,
    has_run: ColumnElement[bool],
    due_at: Any,
    due_date: Any,
    number: Any,
    record: Any,
) -> list[Any]:
    """A work row's rank on its assignee's terms, on their "waiting" list (among the rows with
    a run) and on the board, each within its class of term (see the module's docstring)."""
    term_class = (due_at.is_(None), due_date.is_(None))
    order = (due_at, due_date, _as_python_compares(session, number), record)
    return [
        func.row_number()
        .over(partition_by=(assignee, *term_class), order_by=order)
        .label("rank_terms"),
        func.row_number()
        .over(partition_by=(assignee, has_run, *term_class), order_by=order)
        .label("rank_waiting"),
        func.row_number().over(partition_by=term_class, order_by=order).label("rank_board"),
    ]


def _shown(ranked: Select[Any]) -> Select[Any]:
    """The ranked rows a desk or the board can show."""
    rows = ranked.subquery()
    per_section = desk.ROWS_PER_SECTION
    return select(rows).where(
        or_(
            rows.c.rank_terms <= per_section,
            and_(rows.c.has_run, rows.c.rank_waiting <= per_section),
            rows.c.rank_board <= desk.ROWS_ON_BOARD,
        )
    )


def _count(totals: Totals, counts: Any) -> None:
    """Add the counts of work per assignee (all of it, and that with a run) to ``totals``."""
    for assignee, count, with_run in counts:
        if assignee is not None:
            totals["terms", assignee] += count
            totals["waiting", assignee] += with_run or 0
        totals[BOARD_TOTAL] += count


def _open_work(
    session: Session,
    totals: Totals,
    work: Select[Any],
    assignee: Any,
    has_run: ColumnElement[bool],
    columns: list[Any],
    ranked_by: tuple[Any, Any, Any],
) -> Sequence[Row[Any]]:
    """Count the open ``work`` (selecting only its ``assignee``) per assignee into ``totals``,
    then read the rows with ``columns`` that a desk or the board can show; ``ranked_by`` is
    the row's (due_at, due_date, id), ordered with the registration number."""
    with_run = func.sum(case((has_run, 1), else_=0))
    _count(totals, session.execute(work.add_columns(func.count(), with_run).group_by(assignee)))
    due_at, due_date, record = ranked_by
    ranks = _ranks(
        session, assignee, has_run, due_at, due_date, Procedure.registration_number, record
    )
    ranked = work.add_columns(*columns, has_run.label("has_run"), *ranks)
    return session.execute(_shown(ranked)).all()


def _work_item(
    subject: Literal["duty", "approval"],
    r: Row[Any],
    unit: TermUnit | None,
    body_id: str | None = None,
) -> WorkItem:
    """A row of ``_open_work`` (its assignee labelled ``assignee_id``, its run ``run``)."""
    return WorkItem(
        subject=subject,
        id=r.id,
        assignee_id=r.assignee_id,
        registration_number=r.registration_number,
        procedure_kind=r.kind.value,
        step=r.step,
        title=r.title,
        due_date=r.due_date,
        due_at=r.due_at,
        unit=unit,
        flow_run_id=r.run,
        body_id=body_id,
        escalation_level=r.escalation_level,
        procedure_status=r.status.value,
    )


def _duties(session: Session, totals: Totals) -> list[WorkItem]:
    units = _units()
    open_duties = (
        select(Duty.assignee_id)
        .join(Procedure, Procedure.id == Duty.procedure_id)
        .where(_OPEN_DUTY)
    )
    rows = _open_work(
        session,
        totals,
        open_duties,
        Duty.assignee_id,
        func.coalesce(Procedure.flow_run_id, "") != "",
        [
            Duty.id,
            Procedure.registration_number,
            Procedure.kind,
            Duty.step,
            Procedure.title,
            Duty.due_date,
            Duty.due_at,
            Duty.term_id,
            Procedure.flow_run_id.label("run"),
            Duty.body_id,
            Duty.escalation_level,
            Procedure.status,
        ],
        (Duty.due_at, Duty.due_date, Duty.id),
    )
    return [
        _work_item("duty", r, units.get(r.term_id) if r.term_id else None, r.body_id) for r in rows
    ]


def _approvals(session: Session, totals: Totals) -> list[WorkItem]:
    # the run that waits for the decision; older rows name only the procedure's run
    run = func.coalesce(Approval.flow_run_id, Procedure.flow_run_id)
    pending = (
        select(Approval.signatory_id.label("assignee_id"))
        .join(Procedure, Procedure.id == Approval.procedure_id)
        .join(Document, Document.id == Approval.document_id)
        .where(_PENDING)
    )
    rows = _open_work(
        session,
        totals,
        pending,
        Approval.signatory_id,
        func.coalesce(run, "") != "",
        [
            Approval.id,
            Procedure.registration_number,
            Procedure.kind,
            Approval.step,
            Document.title,
            Approval.due_date,
            Approval.due_at,
            run.label("run"),
            Approval.escalation_level,
            Procedure.status,
        ],
        (Approval.due_at, Approval.due_date, Approval.id),
    )
    return [_work_item("approval", r, APPROVAL_UNIT) for r in rows]


def _escalations(session: Session, totals: Totals) -> list[EscalationLine]:
    """Escalations of work still open (what is done no longer waits for anyone): the first
    ``ROWS_PER_SECTION`` of each recipient in the desk's order (``desk.escalation_order``)."""
    lines: list[EscalationLine] = []
    for kind, model, open_clause in (
        ("duty", Duty, _OPEN_DUTY),
        ("approval", Approval, _PENDING),
    ):
        still_open = (
            select(Escalation.to_staff_id)
            .join(
                model,
                and_(Escalation.subject_kind == kind, Escalation.subject_id == model.id),
            )
            .join(Procedure, Procedure.id == model.procedure_id)
            .where(open_clause, Escalation.to_staff_id.is_not(None))
        )
        for recipient, count in session.execute(
            still_open.add_columns(func.count()).group_by(Escalation.to_staff_id)
        ):
            totals["escalated", recipient] += count
        order = (Escalation.on_date.desc(), Escalation.level.desc(), Escalation.subject_id)
        ranked = still_open.add_columns(
            Escalation.subject_id,
            Procedure.registration_number,
            Procedure.kind,
            model.step,
            Escalation.level,
            Escalation.from_staff_id,
            Escalation.on_date,
            func.row_number()
            .over(partition_by=Escalation.to_staff_id, order_by=order)
            .label("rank"),
        ).subquery()
        rows = session.execute(select(ranked).where(ranked.c.rank <= desk.ROWS_PER_SECTION))
        lines += [
            EscalationLine(
                kind,
                r.subject_id,
                r.registration_number,
                r.kind.value,
                r.step,
                r.level,
                r.from_staff_id,
                r.to_staff_id,
                r.on_date,
            )
            for r in rows
        ]
    return lines


def _idle_procedures(session: Session, totals: Totals) -> list[WorkItem]:
    """Open procedures with no open duty and no pending approval: still open matters, shown on
    the board only (its first ``ROWS_ON_BOARD`` of them, ranked as work is)."""
    idle = select(Procedure.id).where(
        Procedure.status.in_(OPEN_STATUSES),
        # NOT IN over the open rows (read once) rather than a correlated NOT EXISTS, which
        # SQLite plans through the status index once per procedure (quadratic)
        Procedure.id.not_in(select(Duty.procedure_id).where(_OPEN_DUTY)),
        Procedure.id.not_in(select(Approval.procedure_id).where(_PENDING)),
    )
    no_term = Procedure.due_date.is_(None)
    order = (Procedure.due_date, _as_python_compares(session, Procedure.registration_number))
    ranked = idle.add_columns(
        Procedure.assignee_id,
        Procedure.registration_number,
        Procedure.kind,
        Procedure.title,
        Procedure.due_date,
        Procedure.flow_run_id,
        Procedure.status,
        func.row_number().over(partition_by=no_term, order_by=(*order, Procedure.id)).label("rank"),
        # counted in the same statement: finding the idle procedures is the costly part
        func.count().over().label("total"),
    ).subquery()
    rows = session.execute(select(ranked).where(ranked.c.rank <= desk.ROWS_ON_BOARD)).all()
    totals[BOARD_TOTAL] += rows[0].total if rows else 0
    return [
        WorkItem(
            subject="procedure",
            id=r.id,
            assignee_id=r.assignee_id,
            registration_number=r.registration_number,
            procedure_kind=r.kind.value,
            step="",
            title=r.title,
            due_date=r.due_date,
            flow_run_id=r.flow_run_id,
            procedure_status=r.status.value,
        )
        for r in rows
    ]


def load_desks(session: Session, on: dt.date, now: dt.datetime) -> OfficeDesks:
    """Everything the desks and the board show on ``on`` (at the moment ``now``)."""
    absences = [
        AbsenceLine(r.staff_id, r.kind.value, r.start_date, r.end_date)
        for r in session.scalars(
            select(AbsenceRow)
            .where(AbsenceRow.start_date <= on, AbsenceRow.end_date >= on)
            .order_by(AbsenceRow.staff_id, AbsenceRow.id)
        )
    ]
    acting = [
        ActingLine(r.acting_id, r.for_id, r.start_date, r.end_date, r.reference or "")
        for r in session.scalars(
            select(ActingOrderRow)
            .where(ActingOrderRow.start_date <= on, ActingOrderRow.end_date >= on)
            .order_by(ActingOrderRow.for_id, ActingOrderRow.id)
        )
    ]
    totals: Totals = Counter()
    return OfficeDesks(
        on=on,
        now=now,
        staff=_staff(session),
        items=[*_duties(session, totals), *_approvals(session, totals)],
        escalations=_escalations(session, totals),
        absences=absences,
        acting=acting,
        idle_procedures=_idle_procedures(session, totals),
        totals=dict(totals),
    )
