"""`prosecutor detention`: Detentions: protocols, sanctions, releases (CPC arts. 128-134)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from deployments.cli_support import (
    As,
    JsonFlag,
    emit,
    fails_cleanly,
    input_records,
    note_announcement,
    office_session,
)
from deployments.errors import BadInput
from models.appeals import inbox_store
from models.db import transaction
from models.db.tables import InboxSource
from models.office.roster_store import office_code, read_roster
from models.office.urgency import authorised_at
from models.procedures import detention
from models.timing.calendar import WorkingCalendar
from models.timing.terms import default_terms
from models.vocabulary import DETENTION_RECORDED
from tasks.events import emit_registered

detention_app = typer.Typer(
    help="Detentions: protocols, sanctions, releases (CPC arts. 128-134).", no_args_is_help=True
)

At = Annotated[
    str, typer.Option("--at", help="The moment, YYYY-MM-DDTHH:MM (Almaty unless an offset).")
]


def _moment(text: str) -> Any:
    try:
        return detention.parse_moment(text)
    except ValueError as exc:
        raise BadInput(f"--at: {exc}") from None


def _register(office: str) -> Callable[[Session, detention.DetentionProtocolIn], Any]:
    """Register the protocol and open its duties in hours in the same transaction, given to
    whoever is authorised now: the urgent check enforces the limit even if the event never
    reaches Prefect (the control flow finds them and changes nothing)."""
    table, calendar = default_terms(), WorkingCalendar()

    def register(session: Session, record: detention.DetentionProtocolIn) -> Any:
        proc = detention.register_detention(session, record, office, table)
        who = authorised_at(read_roster(session), dt.datetime.now(dt.UTC), calendar)
        assignee = who.staff.id if who.staff else None
        detention.open_control(session, proc.registration_number, assignee, "intake")
        return proc

    return register


@detention_app.command("record")
@fails_cleanly
def record(
    path: Annotated[Path, typer.Argument(help="A protocol (.json), protocols (.jsonl), a folder.")],
    as_json: JsonFlag = False,
) -> None:
    """Validate, store and number each detention protocol, then announce it so its control
    starts. Invalid protocols are stored as rejected with the reason, and the command exits 1."""
    with office_session() as session:
        register = _register(office_code(session))
    results = []
    for where, raw, problem in input_records(path):
        with transaction() as session:  # one protocol, one transaction
            if problem:
                result = inbox_store.store_rejected(session, InboxSource.DETENTION, raw, problem)
            else:
                result = inbox_store.intake(
                    session,
                    InboxSource.DETENTION,
                    raw,
                    detention.DetentionProtocolIn,
                    register,
                    lambda r: r.notice_received_at,
                )
            results.append(
                {
                    "source": where,
                    "record_id": result.record_id,
                    "status": result.status,
                    "registration_number": result.registration_number,
                    "reason": result.reason,
                }
            )
    announced = announce()
    summary = {
        "registered": sum(r["status"] == "registered" for r in results),
        "duplicates": sum(r["status"] == "duplicate" for r in results),
        "rejected": sum(r["status"] == "rejected" for r in results),
        "announced": announced,
        "detentions": results,
    }
    not_announced = note_announcement(summary, summary["registered"], bool(announced))
    emit(summary, as_json, _render_record)
    if summary["rejected"] or not_announced:
        raise typer.Exit(1)


def announce() -> list[str]:
    """Announce every registered detention not announced yet (this batch and any whose event
    was lost before): each starts its control. Returns the numbers announced."""
    with transaction() as session:
        pending = inbox_store.unannounced(session, InboxSource.DETENTION)
    numbers = [number for _, number in pending]
    if not emit_registered(DETENTION_RECORDED, "detention", numbers):
        return []
    with transaction() as session:
        inbox_store.mark_announced(session, [record_id for record_id, _ in pending])
    return numbers


def _render_record(d: dict[str, Any]) -> str:
    lines = [
        f"{r['source']}: {r['status']} {r['registration_number'] or ''}"
        f" {r['reason'] or ''}".rstrip()
        for r in d["detentions"]
    ]
    lines.append(
        f"{d['registered']} registered, {d['duplicates']} already registered,"
        f" {d['rejected']} rejected"
    )
    if d["registered"] and not d["announced"]:
        lines.append(
            f"not announced: {d.get('announce_error')}. The protocols are stored; they are"
            " announced by the next `prosecutor detention record`"
        )
    return "\n".join(lines)


def _recorded(r: detention.Recorded) -> dict[str, Any]:
    return {
        "registration_number": r.registration_number,
        "recorded": r.what,
        "at": detention.local(r.at),
        "in_time": r.in_time,
        "control_ended": r.ended,
        "changed": r.changed,
    }


def _render_recorded(d: dict[str, Any]) -> str:
    timing = "in time" if d["in_time"] else "LATE"
    end = "control ended" if d["control_ended"] else "control continues"
    again = "" if d["changed"] else " (already recorded)"
    return f"{d['registration_number']}: {d['recorded']} at {d['at']} ({timing}); {end}{again}"


@detention_app.command("sanction")
@fails_cleanly
def sanction(
    number: Annotated[str, typer.Argument(help="Registration number of the detention.")],
    at: At,
    decision: Annotated[
        detention.Decision,
        typer.Option(help="The investigating judge's decision (CPC art. 148(7))."),
    ],
    actor: As = "cli",
    as_json: JsonFlag = False,
) -> None:
    """The investigating judge's decision: custody or house arrest ends the control (CPC arts.
    14(2), 148(7)); a refusal must be executed at once and the limit stays enforced."""
    moment = _moment(at)
    with office_session() as session:
        try:
            result = detention.record_decision(session, number, decision, moment, actor)
        except (LookupError, ValueError) as exc:
            raise BadInput(str(exc)) from None
    emit(_recorded(result), as_json, _render_recorded)


@detention_app.command("released")
@fails_cleanly
def released(
    number: Annotated[str, typer.Argument(help="Registration number of the detention.")],
    at: At,
    actor: As = "cli",
    as_json: JsonFlag = False,
) -> None:
    """The body or the facility released the person (CPC art. 133): the control ends."""
    moment = _moment(at)
    with office_session() as session:
        try:
            result = detention.record_release(session, number, moment, actor)
        except (LookupError, ValueError) as exc:
            raise BadInput(str(exc)) from None
    emit(_recorded(result), as_json, _render_recorded)


@detention_app.command("notice")
@fails_cleanly
def notice(
    number: Annotated[str, typer.Argument(help="Registration number of the detention.")],
    at: At,
    actor: As = "cli",
    as_json: JsonFlag = False,
) -> None:
    """The body's written notice of the detention reached the office (CPC art. 131(3))."""
    moment = _moment(at)
    with office_session() as session:
        try:
            result = detention.record_notice(session, number, moment, actor)
        except LookupError as exc:
            raise BadInput(str(exc)) from None
    emit(_recorded(result), as_json, _render_recorded)


@detention_app.command("show")
@fails_cleanly
def show(
    number: Annotated[str, typer.Argument(help="Registration number of the detention.")],
    as_json: JsonFlag = False,
) -> None:
    """The detention's terms to the minute (Almaty, and UTC), its duties and what is recorded."""
    with office_session() as session:
        try:
            data = detention.describe(session, number)
        except LookupError as exc:
            raise BadInput(str(exc)) from None
    emit(data, as_json, _render_show)


_LABELS = {
    "detained_at": "detained (actual, CPC art. 128(5))",
    "protocol_at": "protocol drawn up",
    "notice_due_at": "written notice due (CPC art. 131(3))",
    "alert_at": "alert (office practice)",
    "limit_at": "limit without a sanction (CPC arts. 14(2), 131(4))",
}


def _render_show(d: dict[str, Any]) -> str:
    minor = " (a minor)" if d["minor"] else ""
    lines = [f"{d['registration_number']}: {d['status']}, limit {d['limit_hours']} h{minor}"]
    for key, label in _LABELS.items():
        if key in d["terms"]:
            lines.append(f"  {label}: {d['terms'][key]['almaty']} Almaty")
    if d["decision"]:
        lines.append(f"  judge's decision: {d['decision']}")
    for key in ("decision_at", "released_at", "notice_received_at", "release_started_at"):
        if d[key]:
            moment = dt.datetime.fromisoformat(d[key])
            lines.append(f"  {key.replace('_', ' ')}: {detention.local(moment)} Almaty")
    lines.extend(
        f"  duty {x['step']}: {x['status']}, {x['assignee'] or '-'}, due {x['due_at']}"
        for x in d["duties"]
    )
    return "\n".join(lines)
