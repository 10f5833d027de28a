"""``prosecutor deadlines``: the deadline check (контроль сроков) run now, or previewed for a
later day without writing anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

import typer

from deployments.cli.parsing import parse_date
from deployments.cli.support import JsonFlag, OnDate, emit, fails_cleanly, require_current_schema
from models.sweeps.deadline_sweep import SweepConfig
from models.timing.calendar import WorkingCalendar, today
from tasks.connection import connect

deadlines_app = typer.Typer(help="The deadline check.", no_args_is_help=True)


CHECK_RULE = (
    "The check never acts ahead of real time. --on a day after today (Asia/Almaty) is a dry"
    " run: that day's check is computed, printed and rolled back; nothing is written (no"
    " reminder, reassignment, escalation, notification or audit entry) and no flow run is"
    " started. With --force a later day is checked as of today instead: work is reminded,"
    " handed over and escalated only as far as it is due today, never for a day that has not"
    " come. --force also checks a day off. A past day is checked as of that day."
)
COLUMNS = ("state", "what", "title", "assignee", "due", "escalation level")


@deadlines_app.command(
    "check", help=f"Run the deadline check now, as a Prefect flow run. {CHECK_RULE}"
)
@fails_cleanly
def deadlines_check(
    on: OnDate = None,
    remind_within: Annotated[
        int | None,
        typer.Option(min=0, help="Working days (default: the terms table, control.reminder)."),
    ] = None,
    escalate_every: Annotated[
        int | None,
        typer.Option(min=1, help="Working days (default: the terms table, control.escalation)."),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Check even on a day off; write a later day's check as of today.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    from tasks.deadlines import check_plan

    plan = check_plan(parse_date(on, "--on"), today(), force)
    require_current_schema()
    config = SweepConfig.of(remind_within, escalate_every)
    if plan.dry_run:
        result = _preview(plan.day, plan.asked, config)
    else:
        connect()  # the running office's server when there is one (its UI shows the run)
        from flows.check_deadlines import check_deadlines

        checked = check_deadlines(
            on=plan.day, remind_within=remind_within, escalate_every=escalate_every, force=force
        )
        result = {"asked": plan.asked, "dry_run": False, **asdict(checked)}
    emit(result, as_json, _check_text)


def _preview(day: dt.date, asked: dt.date, config: SweepConfig) -> dict[str, Any]:
    """A later day's check computed and rolled back: what it would do, nothing written."""
    if not WorkingCalendar().is_working_day(day):
        # the morning check does not run on a day off either
        return {"on": day, "asked": asked, "dry_run": True, "skipped": True}
    from flows.check_deadlines import DeadlineCheck
    from tasks.deadlines import preview_sweep

    report = preview_sweep(day, config)
    return {"asked": asked, "dry_run": True, **asdict(DeadlineCheck.of(report))}


def _check_text(result: dict[str, Any]) -> str:
    """The table the deadline-check artifact shows, then its counts."""
    day = result["on"]
    head = f"deadline check of {day}"
    if result["asked"] != day:
        head += f" (asked for {result['asked']}: checked as of today, never ahead of it)"
    if result["dry_run"]:
        head += ": DRY RUN, nothing written (give --force to write it as of today)"
    if result.get("skipped"):
        hint = "the check does not run on it" if result["dry_run"] else "--force checks it"
        return f"{head}: not a working day, nothing checked ({hint})"
    rows = result.get("table") or []
    lines = [head, _text_table(rows) if rows else "nothing due, overdue or escalated"]
    counts = ("reminders", "reassigned", "escalated", "overdue", "due_soon")
    lines.append(", ".join(f"{k.replace('_', ' ')} {result.get(k, 0)}" for k in counts))
    return "\n".join(lines)


def _text_table(rows: list[dict[str, Any]]) -> str:
    cells = [[str(r.get(c, "")) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(COLUMNS)]
    widths[2] = min(widths[2], 60)  # a long title is cut, the table stays readable

    def line(values: list[str] | tuple[str, ...]) -> str:
        return "  ".join(v[: widths[i]].ljust(widths[i]) for i, v in enumerate(values)).rstrip()

    return "\n".join([line(COLUMNS), line(["-" * w for w in widths]), *map(line, cells)])
