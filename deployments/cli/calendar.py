"""``prosecutor calendar`` and ``prosecutor terms``: the Kazakhstan working-day calendar and
the table of statutory terms (сроки), with due dates counted on it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from deployments.cli.errors import BadInput
from deployments.cli.parsing import parse_date, parse_moment
from deployments.cli.support import JsonFlag, emit, fails_cleanly
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit, due_date, due_moment
from models.timing.terms import default_terms

calendar_app = typer.Typer(
    help="The Kazakhstan working-day calendar and deadlines.", no_args_is_help=True
)
terms_app = typer.Typer(help="The table of statutory terms.", no_args_is_help=True)

StartOption = Annotated[
    str,
    typer.Option(
        "--start", help="Day of the starting event, YYYY-MM-DD (hours: YYYY-MM-DDTHH:MM)."
    ),
]


# --- what the commands do, as JSON-ready data ------------------------------------------------


def count_due(
    start: str, working_days: int | None, calendar_days: int | None, months: int | None
) -> dict[str, Any]:
    """The last day of a term of exactly one of the units given, from ``start``."""
    given = {
        TermUnit.WORKING_DAYS: working_days,
        TermUnit.CALENDAR_DAYS: calendar_days,
        TermUnit.MONTHS: months,
    }
    chosen = [(unit, n) for unit, n in given.items() if n is not None]
    if len(chosen) != 1:
        raise BadInput("give exactly one of --working-days, --calendar-days, --months")
    unit, n = chosen[0]
    if n < 0:
        raise BadInput("a term cannot be negative")
    day = parse_date(start, "--start")
    return {
        "start": day,
        "due": due_date(day, n, unit, WorkingCalendar()),
        "unit": unit.value,
        "n": n,
    }


def day_status(value: str) -> dict[str, Any]:
    status = WorkingCalendar().status(parse_date(value, "DATE"))
    return {"date": status.date, "working": status.working, "reason": status.reason}


def term_rows() -> list[dict[str, Any]]:
    return [t.model_dump(mode="json") for t in default_terms().terms]


def term_due(term_id: str, start: str) -> dict[str, Any]:
    """Due date (or moment, for hours) of a row; a rule-only row answers with its rule."""
    table = default_terms()
    try:
        term = table.get(term_id)
    except KeyError:
        raise BadInput(f"no statutory term {term_id!r}: see `prosecutor terms list`") from None
    answer: dict[str, Any] = {
        "term_id": term_id,
        "start": None,
        "due": None,
        "term": term.term,
        "unit": term.unit,
        "rule": None,
        "source": term.source,
        "status": term.status.value,
        "note": term.note,
    }
    if term.term is None:
        answer["start"] = parse_date(start, "--start")
        answer["rule"] = term.description
    elif term.unit is TermUnit.HOURS:
        # Hours run from the moment, never moved (CPC art. 48(4)-(5)): answer a datetime.
        moment = parse_moment(start, "--start")
        answer["start"] = moment.isoformat()
        answer["due"] = due_moment(moment, term.term).isoformat()
    else:
        day = parse_date(start, "--start")
        answer["start"] = day
        answer["due"] = table.due(term_id, day, WorkingCalendar())
    return answer


# --- the commands ----------------------------------------------------------------------------


@calendar_app.command("due")
@fails_cleanly
def calendar_due(
    start: StartOption,
    working_days: Annotated[int | None, typer.Option("--working-days", min=0)] = None,
    calendar_days: Annotated[int | None, typer.Option("--calendar-days", min=0)] = None,
    months: Annotated[int | None, typer.Option("--months", min=0)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Last day of a term that starts on --start (that day is not counted)."""
    data = count_due(start, working_days, calendar_days, months)
    emit(data, as_json, lambda d: f"{d['n']} {d['unit']} from {d['start']}: due {d['due']}")


@calendar_app.command("is-working-day")
@fails_cleanly
def calendar_is_working_day(
    day: Annotated[str, typer.Argument(help="Date, YYYY-MM-DD.")],
    as_json: JsonFlag = False,
) -> None:
    """Whether a day is a working day in Kazakhstan, and why."""
    emit(
        day_status(day),
        as_json,
        lambda d: f"{d['date']}: {'working' if d['working'] else 'day off'} ({d['reason']})",
    )


@terms_app.command("list")
@fails_cleanly
def terms_list(as_json: JsonFlag = False) -> None:
    """The statutory terms with their legal sources."""
    emit(
        term_rows(),
        as_json,
        lambda rows: "\n".join(
            f"{r['id']:<36} {r['term'] if r['term'] is not None else '-':>3} {r['unit'] or '':<14}"
            f" {r['status']:<16} {r['source']}"
            for r in rows
        ),
    )


@terms_app.command("due")
@fails_cleanly
def terms_due(
    term_id: Annotated[str, typer.Argument(help="Term id, e.g. appeal.consideration.")],
    start: StartOption,
    as_json: JsonFlag = False,
) -> None:
    """Due date of a statutory term started on --start (a moment for terms in hours)."""
    emit(term_due(term_id, start), as_json, _due_line)


def _due_line(d: dict[str, Any]) -> str:
    if d["due"] is None:
        return f"{d['term_id']}: a rule, no term to count: {d['rule']} ({d['source']})"
    return f"{d['term_id']} from {d['start']}: due {d['due']} ({d['source']})"
