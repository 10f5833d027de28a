"""`prosecutor prosecution`: state prosecution (поддержание государственного обвинения): the
office's hearing calendar and a prosecution's page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from deployments.cli_support import JsonFlag, emit, fails_cleanly, office_session
from deployments.commands import parse_date
from deployments.errors import BadInput
from models.db.tables import Duty, Procedure, StaffRow
from models.procedures import ProcedureKind
from models.procedures.state_prosecution import hearing_state
from models.procedures.timeline import procedure_timeline

prosecution_app = typer.Typer(
    help="State prosecution: hearings and verdicts.", no_args_is_help=True
)

HEARING_STEP = "hearing-"
DEFAULT_DAYS = 30


def hearing_calendar(
    session: Session,
    start: dt.date | None = None,
    end: dt.date | None = None,
    procedure_id: int | None = None,
) -> list[dict[str, Any]]:
    """The hearings of the office's state prosecutions from ``start`` to ``end`` inclusive (or
    of one procedure), by day and time; the hearing duties' indexed due dates pick them."""
    query = (
        select(Duty, Procedure, StaffRow.name)
        .join(Procedure, Duty.procedure_id == Procedure.id)
        .outerjoin(StaffRow, StaffRow.id == Procedure.assignee_id)
        .where(
            Procedure.kind == ProcedureKind.STATE_PROSECUTION,
            Duty.step.like(f"{HEARING_STEP}%"),
        )
    )
    if start is not None:
        query = query.where(Duty.due_date >= start)
    if end is not None:
        query = query.where(Duty.due_date <= end)
    if procedure_id is not None:
        query = query.where(Duty.procedure_id == procedure_id)
    rows = session.execute(query).all()
    calendar = []
    for duty, proc, name in rows:
        details = proc.details or {}
        hearing = (details.get("hearings") or {}).get(duty.step) or {}
        calendar.append(
            {
                "date": duty.due_date.isoformat() if duty.due_date else None,
                "time": (hearing.get("at") or "")[:5] or None,
                "court": hearing.get("court_ru"),
                "courtroom": hearing.get("courtroom"),
                "case_number": details.get("court_case_number") or details.get("erdr_number"),
                "state_prosecutor": name,
                "status": hearing_state(duty.status.value, hearing.get("adjourned")),
                "registration_number": proc.registration_number,
            }
        )
    return sorted(calendar, key=lambda r: (r["date"], r["time"] or "", r["registration_number"]))


def _render_calendar(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no hearings in these days"
    return "\n".join(
        f"{dt.date.fromisoformat(r['date']):%d.%m.%Y} {r['time'] or '--:--'}  {r['court'] or '-'}"
        f"{', зал ' + r['courtroom'] if r['courtroom'] else ''}  No. {r['case_number'] or '-'}"
        f"  {r['state_prosecutor'] or '-'}  [{r['status']}] {r['registration_number']}"
        for r in rows
    )


@prosecution_app.command("hearings")
@fails_cleanly
def hearings(
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default today).")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help=f"Last day, YYYY-MM-DD (default {DEFAULT_DAYS} days on)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The office's hearing calendar: day, time, court, case number, state prosecutor."""
    first = parse_date(start, "--from")
    last = parse_date(end, "--to") if end else first + dt.timedelta(days=DEFAULT_DAYS)
    if last < first:
        raise BadInput("--to is before --from")
    with office_session() as session:
        rows = hearing_calendar(session, first, last)
    emit(rows, as_json, _render_calendar)


@prosecution_app.command("show")
@fails_cleanly
def show(number: Annotated[str, typer.Argument(help="Registration number (…-GOS-…).")]) -> None:
    """A state prosecution's page: status, state prosecutor, timeline, hearings (Markdown)."""
    with office_session() as session:
        proc = session.scalar(
            select(Procedure).where(
                Procedure.registration_number == number.strip(),
                Procedure.kind == ProcedureKind.STATE_PROSECUTION,
            )
        )
        if proc is None:
            raise BadInput(f"no state prosecution numbered {number}")
        rows = hearing_calendar(session, procedure_id=proc.id)
        page = procedure_timeline(session, proc.id)
    typer.echo(page + "\n## Hearings\n\n" + _render_calendar(rows))
