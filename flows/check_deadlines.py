"""The scheduled deadline check (контроль исполнения сроков), every working morning."""

from __future__ import annotations

import datetime as dt
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
    remind_within: int = 2,
    escalate_every: int = 2,
    force: bool = False,
) -> dict[str, Any]:
    """Remind, reassign work of absent staff, escalate overdue work, and report.

    Runs on working days only (the schedule fires Monday to Friday; a public holiday is
    skipped here) unless ``force`` is set.
    """
    logger = get_run_logger()
    day = on or today()
    if not force and not WorkingCalendar().is_working_day(day):
        logger.info("%s is not a working day: nothing to check", day)
        return {"on": day, "skipped": True}
    config = SweepConfig(remind_within=remind_within, escalate_every=escalate_every)
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
    return {
        "on": day,
        "skipped": False,
        "reminders": report.reminders,
        "reassigned": report.reassigned,
        "escalated": report.escalated,
        "overdue": report.overdue_total,
        "due_soon": report.due_soon_total,
        "body_items_overdue": letters,
        "forms_refreshed": refreshed,
        "audit_checkpoint": checkpoint,
        "table": _table(report),  # what `prosecutor deadlines check` prints
    }
