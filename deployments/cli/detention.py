"""`prosecutor detention`: Detentions: protocols, sanctions, releases (CPC arts. 128-134)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput
from deployments.cli.intake import Intake, finish
from deployments.cli.support import As, JsonFlag, emit, fails_cleanly, office_session
from models.appeals import inbox_store
from models.db.tables import InboxSource
from models.office.roster_store import office_code, read_roster
from models.office.urgency import authorised_at
from models.procedures import detention
from models.timing.calendar import WorkingCalendar
from models.timing.terms import default_terms
from models.vocabulary import DETENTION_RECORDED

detention_app = typer.Typer(
    help="Detentions: protocols, sanctions, releases (CPC arts. 128-134).", no_args_is_help=True
)

Number = Annotated[str, typer.Argument(help="Registration number of the detention.")]
At = Annotated[
    str, typer.Option("--at", help="The moment, YYYY-MM-DDTHH:MM (Almaty unless an offset).")
]


def _moment(text: str) -> dt.datetime:
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


INTAKE = Intake(
    source=InboxSource.DETENTION,
    event=DETENTION_RECORDED,
    kind="detention",
    records="detentions",
    stored_hint=(
        "The protocols are stored; they are announced by the next `prosecutor detention record`"
    ),
    external_id=False,
)


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

    def take(session: Session, raw: str) -> inbox_store.InboxResult:
        return inbox_store.intake(
            session,
            InboxSource.DETENTION,
            raw,
            detention.DetentionProtocolIn,
            register,
            lambda r: r.notice_received_at,
        )

    rows = INTAKE.store(path, take)
    # every protocol not announced yet, this batch's and any whose event was lost before
    finish(INTAKE.summary(rows, INTAKE.announce_waiting()), as_json, INTAKE.render)


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


def _record(
    at: str,
    record_it: Callable[[Session, dt.datetime], detention.Recorded],
    as_json: bool,
    refused: tuple[type[Exception], ...] = (LookupError, ValueError),
) -> None:
    """Record what happened to a detention at the moment ``at`` in one transaction and print
    it; a bad moment, an unknown number or a fact the rules refuse is one line on stderr."""
    moment = _moment(at)
    with office_session() as session:
        try:
            result = record_it(session, moment)
        except refused as exc:
            raise BadInput(str(exc)) from None
    emit(_recorded(result), as_json, _render_recorded)


@detention_app.command("sanction")
@fails_cleanly
def sanction(
    number: Number,
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
    _record(
        at,
        lambda session, moment: detention.record_decision(session, number, decision, moment, actor),
        as_json,
    )


def _fact_command(
    name: str,
    record_fact: Callable[[Session, str, dt.datetime, str], detention.Recorded],
    doc: str,
    refused: tuple[type[Exception], ...] = (LookupError, ValueError),
) -> None:
    """Add a command recording a fact of the detention at a moment (``number --at``)."""

    def command(number: Number, at: At, actor: As = "cli", as_json: JsonFlag = False) -> None:
        _record(
            at,
            lambda session, moment: record_fact(session, number, moment, actor),
            as_json,
            refused,
        )

    command.__doc__ = doc
    detention_app.command(name)(fails_cleanly(command))


_fact_command(
    "released",
    detention.record_release,
    "The body or the facility released the person (CPC art. 133): the control ends.",
)
_fact_command(
    "notice",
    detention.record_notice,
    "The body's written notice of the detention reached the office (CPC art. 131(3)).",
    refused=(LookupError,),
)


@detention_app.command("show")
@fails_cleanly
def show(
    number: Number,
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
