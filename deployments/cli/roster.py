"""``prosecutor roster`` and ``prosecutor signatory``: the office's staff, absences, acting
orders (приказ о возложении обязанностей) and who signs on a day (Regulation cl. 14-15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput
from deployments.cli.parsing import parse_date, read_structured, validated
from deployments.cli.support import As, JsonFlag, OnDate, emit, fails_cleanly, office_session
from models.office import roster_store
from models.office.schemas import AbsenceIn, ActingOrderIn, RosterFile

DEMO_ROSTER = Path(__file__).resolve().parents[1] / "demo_roster.yaml"

roster_app = typer.Typer(
    help="The office roster: staff, absences, acting orders.", no_args_is_help=True
)
absence_app = typer.Typer(
    help="Absences: leave, business trip, sick leave, training.", no_args_is_help=True
)
acting_app = typer.Typer(
    help="Acting orders (приказ о возложении обязанностей).", no_args_is_help=True
)
roster_app.add_typer(absence_app, name="absence")
roster_app.add_typer(acting_app, name="acting")


# --- what the commands do, as JSON-ready data ------------------------------------------------


def load_roster(session: Session, path: Path) -> dict[str, Any]:
    data = validated(RosterFile, read_structured(path), str(path))
    result = roster_store.load_roster_file(session, data)
    return {
        "office": result.office,
        "staff": result.staff,
        "absences_added": result.absences_added,
        "acting_orders_added": result.acting_orders_added,
    }


def _require_staff(session: Session, *staff_ids: str) -> None:
    for staff_id in staff_ids:
        if not roster_store.staff_exists(session, staff_id):
            raise BadInput(f"unknown staff member {staff_id!r}")


def staff_on(session: Session, day: dt.date) -> dict[str, Any]:
    roster = roster_store.read_roster(session)
    staff = []
    for s in sorted(roster.staff.values(), key=lambda s: (s.position.rank, s.seniority, s.id)):
        absence = roster.absence_on(s.id, day)
        staff.append(
            {
                "id": s.id,
                "name": s.name,
                "position": s.position.value,
                "areas": sorted(s.areas),
                "present": roster.is_present(s.id, day),
                "absence": absence.kind.value
                if absence
                else ("inactive" if not s.active else None),
            }
        )
    return {"date": day, "staff": staff}


def record_absence(
    session: Session,
    staff_id: str,
    start: str,
    end: str,
    kind: str,
    note: str | None,
    actor: str,
) -> dict[str, Any]:
    data = validated(
        AbsenceIn,
        {
            "staff_id": staff_id,
            "from": parse_date(start, "--from"),
            "to": parse_date(end, "--to"),
            "kind": kind,
            "note": note,
        },
        "absence",
    )
    _require_staff(session, staff_id)
    uncovered = roster_store.uncovered_shifts(session, data)
    row = roster_store.add_absence(session, data, actor)
    return {
        "id": row.id,
        "staff_id": row.staff_id,
        "kind": row.kind.value,
        "from": row.start_date,
        "to": row.end_date,
        # the prosecutor on duty must be present: these shifts need someone else
        "duty_shifts_uncovered": [
            {"from": s.start.isoformat(), "to": s.end.isoformat()} for s in uncovered
        ],
    }


def record_acting_order(
    session: Session,
    acting_id: str,
    for_id: str,
    start: str,
    end: str,
    reference: str,
    actor: str,
) -> dict[str, Any]:
    data = validated(
        ActingOrderIn,
        {
            "acting_id": acting_id,
            "for_id": for_id,
            "from": parse_date(start, "--from"),
            "to": parse_date(end, "--to"),
            "reference": reference,
        },
        "acting order",
    )
    _require_staff(session, acting_id, for_id)
    row = roster_store.add_acting_order(session, data, actor)
    return {
        "id": row.id,
        "acting_id": row.acting_id,
        "for_id": row.for_id,
        "from": row.start_date,
        "to": row.end_date,
        "reference": row.reference,
    }


def signatory_on(session: Session, day: dt.date) -> dict[str, Any]:
    """Who signs for the office on ``day``: the head, the acting deputy, or the region."""
    roster = roster_store.read_roster(session)
    if roster.head() is None and not roster.staff:
        raise BadInput("the roster is empty: run `prosecutor roster load FILE`")
    s = roster.signatory_on(day)
    if s.staff is None:
        return {
            "date": day,
            "staff_id": None,
            "name": "Regional prosecutor's office",
            "position": "regional_office",
            "acting": True,
            "reason": s.reason,
        }
    return {
        "date": day,
        "staff_id": s.staff.id,
        "name": s.staff.name,
        "position": s.staff.position.value,
        "acting": s.acting,
        "reason": s.reason,
    }


def refresh_waiting_forms() -> int | None:
    """After a roster change, the waiting decision forms offer whoever is authorised now
    (None: no Prefect server configured; the check-urgent flow refreshes them anyway)."""
    from tasks.events import prefect_configured

    if not prefect_configured():
        return None
    from tasks.decision_forms import pending_with_runs, refresh_form

    try:
        return sum(refresh_form(approval_id) for approval_id in pending_with_runs())
    except Exception as exc:  # the roster change is stored; the forms catch up within 10 min
        typer.echo(f"warning: decision forms not refreshed: {exc}", err=True)
        return None


# --- the commands ----------------------------------------------------------------------------


@roster_app.command("load")
@fails_cleanly
def roster_load(
    file: Annotated[Path, typer.Argument(help="Roster file, YAML or JSON.")],
    as_json: JsonFlag = False,
) -> None:
    """Load the office, its staff, absences and acting orders (loading twice changes nothing)."""
    with office_session() as session:
        result = load_roster(session, file)
    emit(
        result,
        as_json,
        lambda d: (
            f"office {d['office']}: {d['staff']} staff, {d['absences_added']} absences and"
            f" {d['acting_orders_added']} acting orders added"
        ),
    )


@roster_app.command("show")
@fails_cleanly
def roster_show(
    on: OnDate = None,
    as_json: JsonFlag = False,
) -> None:
    """Staff and who is present on a day."""
    with office_session() as session:
        data = staff_on(session, parse_date(on, "--on"))
    emit(
        data,
        as_json,
        lambda d: "\n".join(
            f"{s['id']:<12} {s['position']:<20} {'present' if s['present'] else s['absence']:<14}"
            f" {s['name']}"
            for s in d["staff"]
        ),
    )


@absence_app.command("add")
@fails_cleanly
def absence_add(
    staff_id: Annotated[str, typer.Argument(help="Staff id.")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive), YYYY-MM-DD.")],
    kind: Annotated[
        str, typer.Option("--kind", help="leave, business_trip, sick_leave, training.")
    ],
    note: Annotated[str | None, typer.Option("--note")] = None,
    actor: As = "cli",
    as_json: JsonFlag = False,
) -> None:
    """Record an absence; overlapping absences of one person are refused. Duty shifts of the
    person on those days are reported: the prosecutor on duty must be present."""
    with office_session() as session:
        data = record_absence(session, staff_id, start, end, kind, note, actor)
    data["forms_refreshed"] = refresh_waiting_forms()
    emit(data, as_json, _absence_line)


def _absence_line(d: dict[str, Any]) -> str:
    line = f"absence {d['id']} of {d['staff_id']}: {d['from']}..{d['to']} ({d['kind']})"
    for s in d.get("duty_shifts_uncovered", []):
        line += (
            f"\nwarning: {d['staff_id']} was on duty {s['from']}..{s['to']}: the prosecutor on"
            " duty must be present, put someone else on duty"
        )
    return line


@acting_app.command("add")
@fails_cleanly
def acting_add(
    staff_id: Annotated[str, typer.Argument(help="Who will act.")],
    for_id: Annotated[str, typer.Option("--for", help="Whose duties they perform.")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive), YYYY-MM-DD.")],
    reference: Annotated[
        str, typer.Option("--reference", help="Number and date of the order.")
    ] = "",
    actor: As = "cli",
    as_json: JsonFlag = False,
) -> None:
    """Record an acting order: STAFF_ID performs the duties of --for over a period. An order
    for the head must name a deputy while one is present (Regulation cl. 14-15)."""
    with office_session() as session:
        data = record_acting_order(session, staff_id, for_id, start, end, reference, actor)
    data["forms_refreshed"] = refresh_waiting_forms()
    emit(
        data,
        as_json,
        lambda d: (
            f"acting order {d['id']}: {d['acting_id']} for {d['for_id']}, {d['from']}..{d['to']}"
        ),
    )


@fails_cleanly
def signatory(
    on: OnDate = None,
    as_json: JsonFlag = False,
) -> None:
    """Who signs documents on behalf of the office on a day (Regulation cl. 14-15)."""
    with office_session() as session:
        data = signatory_on(session, parse_date(on, "--on"))
    emit(
        data,
        as_json,
        lambda d: (
            f"{d['date']}: {d['name']} ({d['position']}{', acting' if d['acting'] else ''})"
            f" - {d['reason']}"
        ),
    )
