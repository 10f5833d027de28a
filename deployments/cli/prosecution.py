"""`prosecutor prosecution`: state prosecution (поддержание государственного обвинения): the
office's hearing calendar and a prosecution's page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from deployments.cli.errors import BadInput
from deployments.cli.parsing import parse_date
from deployments.cli.support import JsonFlag, emit, fails_cleanly, office_session
from models.procedures import ProcedureKind
from models.procedures.hearings import hearing_calendar
from models.procedures.queries import procedure_of_kind
from models.procedures.timeline import procedure_timeline

prosecution_app = typer.Typer(
    help="State prosecution: hearings and verdicts.", no_args_is_help=True
)

DEFAULT_DAYS = 30  # the calendar shown without --to: a month ahead (a view, not a legal term)


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
        proc = procedure_of_kind(session, number, ProcedureKind.STATE_PROSECUTION)
        if proc is None:
            raise BadInput(f"no state prosecution numbered {number}")
        rows = hearing_calendar(session, procedure_id=proc.id)
        page = procedure_timeline(session, proc.id)
    typer.echo(page + "\n## Hearings\n\n" + _render_calendar(rows))
