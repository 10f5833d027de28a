"""The deadline sweep as a Prefect task, and the default notifier: the database and the run log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from prefect import get_run_logger

from models.db import session_factory, transaction
from models.db.tables import Notification
from models.sweeps.deadline_sweep import SweepConfig, SweepReport, body_items_escalated, sweep
from models.sweeps.notifications import Notifier, last_notification_id, notifications_since
from models.timing.calendar import WorkingCalendar
from models.vocabulary import BODY_OVERDUE, duty_resource
from tasks.step import step


class LogNotifier:
    """Default delivery: the rows are already stored; say each one in the run's log."""

    def deliver(self, notifications: Sequence[Notification]) -> None:
        logger = get_run_logger()
        for n in notifications:
            logger.info(
                "Notify %s [%s]: %s", n.recipient_id or n.external_recipient, n.kind, n.message
            )


@step
def sweep_deadlines(
    on: dt.date, config: SweepConfig, notifier: Notifier | None = None
) -> SweepReport:
    with transaction() as session:
        before = last_notification_id(session)
        report = sweep(session, on, WorkingCalendar(), config)
        new = list(notifications_since(session, before))
    (notifier or LogNotifier()).deliver(new)
    return report


@step
def announce_overdue_body_items(on: dt.date) -> list[int]:
    """Emit :data:`BODY_OVERDUE` for each body item escalated today; the
    ``escalate-to-body`` deployment drafts the letter to the body's head (once per item)."""
    from prefect.events import emit_event

    with transaction() as session:
        duty_ids = body_items_escalated(session, on)
    for duty_id in duty_ids:
        emit_event(
            event=BODY_OVERDUE,
            resource={
                "prefect.resource.id": duty_resource(duty_id),
                "prosecutor.kind": "duty",
            },
        )
    return duty_ids


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """What a deadline check asked for ``asked`` does: which day it checks, and whether it
    only previews (computes and rolls back)."""

    asked: dt.date
    day: dt.date
    dry_run: bool


def check_plan(asked: dt.date, today: dt.date, force: bool) -> CheckPlan:
    """The check never acts ahead of real time. A day after ``today`` (Almaty) is previewed,
    nothing written; with ``force`` it is written as of ``today`` instead, so no work is
    reminded, handed over or escalated for a day that has not come (escalation levels are
    counted to min(asked, today)). Today and past days are checked as asked."""
    if asked <= today:
        return CheckPlan(asked, asked, dry_run=False)
    if force:
        return CheckPlan(asked, today, dry_run=False)
    return CheckPlan(asked, asked, dry_run=True)


def preview_sweep(on: dt.date, config: SweepConfig) -> SweepReport:
    """The sweep of ``on`` as it would run, in a transaction rolled back: nothing is written,
    nobody is notified. (On SQLite it takes the write lock while it computes, like a sweep.)"""
    with session_factory()() as session:
        try:
            return sweep(session, on, WorkingCalendar(), config)
        finally:
            session.rollback()
