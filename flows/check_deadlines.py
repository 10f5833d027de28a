"""The scheduled deadline check (контроль исполнения сроков), every working morning."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run

from models.office.masking import mask_patterns
from models.sweeps.deadline_sweep import SweepConfig, SweepReport
from models.timing.calendar import WorkingCalendar, today
from tasks.audit_checkpoint import checkpoint_audit_log
from tasks.deadlines import announce_overdue_body_items, sweep_deadlines
from tasks.decision_forms import refresh_decision_forms
from tasks.desk import publish_desks
from tasks.recovery import reconcile_runs


@dataclass(frozen=True, slots=True)
class DeadlineCheck:
    """What one morning's check did (or, previewed, would do): the counts a supervisor reads in
    the UI, the overdue body items announced and the rows of the ``deadline-check`` table."""

    on: dt.date
    skipped: bool  # a day off, not forced: nothing checked
    reminders: int = 0
    reassigned: int = 0
    escalated: int = 0
    overdue: int = 0
    due_soon: int = 0
    body_items_overdue: tuple[int, ...] = ()  # duties whose body's head gets a letter
    forms_refreshed: int = 0
    audit_checkpoint: dict[str, Any] | None = None  # the signed head of the audit log
    table: tuple[dict[str, Any], ...] = ()  # what `prosecutor deadlines check` prints

    @classmethod
    def of(cls, report: SweepReport, **more: Any) -> DeadlineCheck:
        """The counts and rows of a sweep's report, with what the flow did besides."""
        return cls(
            on=report.on,
            skipped=False,
            reminders=report.reminders,
            reassigned=report.reassigned,
            escalated=report.escalated,
            overdue=report.overdue_total,
            due_soon=report.due_soon_total,
            table=tuple(_table(report)),
            **more,
        )


def _table(report: SweepReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for state, items in (("overdue", report.overdue), ("due soon", report.due_soon)):
        rows += [
            {
                "state": state,
                "what": f"{i['subject']} {i['id']}",
                "title": mask_patterns(i["title"]),  # titles may quote an applicant
                "assignee": i["assignee"] or "-",
                "due": str(i["due_date"]),
                "escalation level": i["escalation_level"],
            }
            for i in items
        ]
    rows += [
        {
            "state": "reassigned",
            "what": r["subject"],
            "title": r["why"],
            "assignee": r["to"],
            "due": "",
            "escalation level": "",
        }
        for r in report.reassignments
    ]
    rows += [
        {
            "state": "escalated",
            "what": f"{e['count']} x {e['subject']}",
            "title": e["why"],
            "assignee": e["to"],
            "due": "",
            "escalation level": e["level"],
        }
        for e in report.escalations
    ]
    return rows


def _summary(report: SweepReport) -> str:
    return (
        f"# Deadline check of {report.on:%d.%m.%Y}\n\n"
        f"| | count |\n|---|---:|\n"
        f"| overdue (open) | {report.overdue_total} |\n"
        f"| due within the reminder window | {report.due_soon_total} |\n"
        f"| reminders sent | {report.reminders} |\n"
        f"| reassigned to the person replacing an absent assignee | {report.reassigned} |\n"
        f"| escalations | {report.escalated} |\n\n"
        + ("A second check the same day changes nothing.\n" if not report.changed else "")
    )


def _run_name() -> str:
    """Readable in the UI's run list: ``check-deadlines · 27.11.2026``."""
    on = flow_run.parameters.get("on") or today()
    day = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on)[:10])
    return f"check-deadlines · {day:%d.%m.%Y}"


@flow(name="check-deadlines", flow_run_name=_run_name)
def check_deadlines(
    on: dt.date | None = None,
    remind_within: int | None = None,
    escalate_every: int | None = None,
    force: bool = False,
) -> DeadlineCheck:
    """Remind, reassign work of absent staff, escalate overdue work, and report.

    Runs on working days only (the schedule fires Monday to Friday; a public holiday is
    skipped here) unless ``force`` is set. ``remind_within`` and ``escalate_every`` (working
    days) default to the terms table's rows control.reminder and control.escalation.
    """
    logger = get_run_logger()
    day = on or today()
    if not force and not WorkingCalendar().is_working_day(day):
        logger.info("%s is not a working day: nothing to check", day)
        return DeadlineCheck(on=day, skipped=True)
    config = SweepConfig.of(remind_within, escalate_every)
    report = sweep_deadlines(day, config)
    letters = announce_overdue_body_items(day)
    refreshed = refresh_decision_forms()  # reassigned approvals: their forms offer the new signer
    reconcile_runs()  # runs lost, finished or stuck while their procedure is open start afresh
    checkpoint = checkpoint_audit_log()  # the log's head, signed and kept outside the database
    publish_desks(day)  # the desks show today's overdue marks, reassignments and escalations
    create_table_artifact(
        key="deadline-check",
        table=_table(report) or [{"state": "nothing due"}],
        description=f"Due, overdue, reassigned and escalated work on {day}",
    )
    create_markdown_artifact(
        key="deadline-check-summary",
        markdown=_summary(report),
        description=f"Deadline check of {day}",
    )
    return DeadlineCheck.of(
        report,
        body_items_overdue=tuple(letters),
        forms_refreshed=refreshed,
        audit_checkpoint=checkpoint,
    )
