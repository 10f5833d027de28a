"""The day's report of ``prosecutor start``: the database migrated, the roster loaded (the
demo office on an empty database), today's working-day status, who signs today, the due dates
of the main terms, and the audit chain held to its checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deployments.cli.audit import verify_chain
from deployments.cli.calendar import day_status
from deployments.cli.db import upgrade_database
from deployments.cli.roster import DEMO_ROSTER, load_roster, signatory_on
from models.db import default_engine, transaction
from models.office.roster_store import has_staff
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms

# the terms shown: when an appeal or an act received today is due
MAIN_TERMS = (
    "appeal.redirect",
    "appeal.consideration",
    "protest.consideration",
    "submission.consideration",
)


def office_today(roster: Path | None) -> dict[str, Any]:
    """Migrate, load the roster (the demo office unless given), and report today."""
    upgraded = upgrade_database()
    with transaction(default_engine()) as session:
        empty = not has_staff(session)
        loaded = load_roster(session, roster or DEMO_ROSTER) if roster or empty else None
    day = today()
    calendar = WorkingCalendar()
    with transaction(default_engine()) as session:
        who = signatory_on(session, day)
        audit = verify_chain(session)
    table = default_terms()
    deadlines = [
        {"term_id": t.id, "description": t.description, "due": table.due(t.id, day, calendar)}
        for t in table.terms
        if t.id in MAIN_TERMS
    ]
    return {
        "database": upgraded,
        "roster_loaded": loaded,
        "today": day_status(day.isoformat()),
        "signatory": who,
        "deadlines_if_received_today": deadlines,
        "audit": audit,
        "calendar_overrides_pending_review": [
            {"date": o.date, "name": o.name} for o in calendar.pending_review
        ],
    }


def render_start(d: dict[str, Any]) -> str:
    lines = [
        f"Database: {d['database']['url']} (revision {d['database']['revision']})",
    ]
    if d["roster_loaded"]:
        r = d["roster_loaded"]
        lines.append(f"Roster loaded: office {r['office']}, {r['staff']} staff")
    t = d["today"]
    kind = "working day" if t["working"] else "day off"
    why = "" if t["reason"] == kind else f" ({t['reason']})"
    lines.append(f"Today {t['date']}: {kind}{why}")
    s = d["signatory"]
    lines.append(f"Signs today: {s['name']} ({s['position']}{', acting' if s['acting'] else ''})")
    lines.append("An appeal or act received today is due:")
    lines += [f"  {x['due']}  {x['term_id']}" for x in d["deadlines_if_received_today"]]
    a = d["audit"]
    lines.append(
        f"Audit chain: {'valid' if a['valid'] else 'INVALID: ' + str(a['problem'])},"
        f" {a['entries']} entries"
    )
    if "deadline_check" in d:
        c = d["deadline_check"]
        lines.append(
            f"Deadline check: {c['overdue']} overdue, {c['due_soon']} due soon, {c['reminders']}"
            f" reminders, {c['reassigned']} reassigned, {c['escalated']} escalated"
        )
    for o in d["calendar_overrides_pending_review"]:
        lines.append(f"Calendar entry to review (not applied): {o['date']} {o['name']}")
    return "\n".join(lines)
