"""The ``prosecutor`` command line (typer). Every command has ``--json`` for machine use.

Bad input exits non-zero with one line on standard error naming the problem, and writes nothing:
each command's database work is one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from deployments import commands
from deployments.appeals_cli import appeals_app
from deployments.approvals_cli import (
    KeyFile,
    PasswordFile,
    answer,
    approvals_app,
    deadlines_app,
    documents_app,
    notifications_app,
    sign_bytes,
)
from deployments.cases_cli import cases_app
from deployments.cli_support import As, JsonFlag, OnDate, emit, fails_cleanly, office_session
from deployments.complaints_cli import complaints_app
from deployments.detention_cli import detention_app
from deployments.erdr_cli import erdr_app
from deployments.errors import BadInput
from deployments.office_cli import serve, start
from deployments.prosecution_cli import prosecution_app
from deployments.reconcile_cli import reconcile

app = typer.Typer(
    name="prosecutor",
    help="Workflow system of a district prosecutor's office of the Republic of Kazakhstan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
roster_app = typer.Typer(
    help="The office roster: staff, absences, acting orders.", no_args_is_help=True
)
absence_app = typer.Typer(
    help="Absences: leave, business trip, sick leave, training.", no_args_is_help=True
)
acting_app = typer.Typer(
    help="Acting orders (приказ о возложении обязанностей).", no_args_is_help=True
)
calendar_app = typer.Typer(
    help="The Kazakhstan working-day calendar and deadlines.", no_args_is_help=True
)
terms_app = typer.Typer(help="The table of statutory terms.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
validate_app = typer.Typer(help="Check input without storing it.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(roster_app, name="roster")
roster_app.add_typer(absence_app, name="absence")
roster_app.add_typer(acting_app, name="acting")
app.add_typer(calendar_app, name="calendar")
app.add_typer(terms_app, name="terms")
app.add_typer(audit_app, name="audit")
app.add_typer(validate_app, name="validate")
app.add_typer(appeals_app, name="appeals")
app.add_typer(approvals_app, name="approvals")
app.add_typer(documents_app, name="documents")
app.add_typer(deadlines_app, name="deadlines")
app.add_typer(notifications_app, name="notifications")
app.add_typer(erdr_app, name="erdr")
app.add_typer(detention_app, name="detention")
app.add_typer(complaints_app, name="complaints")
app.add_typer(cases_app, name="cases")
app.add_typer(prosecution_app, name="prosecution")
app.command("answer")(fails_cleanly(answer))
# the main job, and serving the deployments
app.command("start")(fails_cleanly(start))
app.command("serve")(fails_cleanly(serve))
app.command("reconcile")(reconcile)

# --- db ---------------------------------------------------------------------------------


@db_app.command("upgrade")
@fails_cleanly
def db_upgrade(as_json: JsonFlag = False) -> None:
    """Create or migrate the database to the newest schema."""
    emit(
        commands.db_upgrade(),
        as_json,
        lambda d: f"database at revision {d['revision']}: {d['url']}",
    )


# --- roster -----------------------------------------------------------------------------


@roster_app.command("load")
@fails_cleanly
def roster_load(
    file: Annotated[Path, typer.Argument(help="Roster file, YAML or JSON.")],
    as_json: JsonFlag = False,
) -> None:
    """Load the office, its staff, absences and acting orders (loading twice changes nothing)."""
    with office_session() as session:
        result = commands.roster_load(session, file)
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
        data = commands.roster_show(session, commands.parse_date(on, "--on"))
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
        data = commands.absence_add(session, staff_id, start, end, kind, note, actor)
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
        data = commands.acting_add(session, staff_id, for_id, start, end, reference, actor)
    data["forms_refreshed"] = refresh_waiting_forms()
    emit(
        data,
        as_json,
        lambda d: (
            f"acting order {d['id']}: {d['acting_id']} for {d['for_id']}, {d['from']}..{d['to']}"
        ),
    )


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


# --- EDS -------------------------------------------------------------------------------


@app.command("sign")
@fails_cleanly
def sign(
    file: Annotated[Path, typer.Argument(help="The file to sign, exactly as it is.")],
    key: KeyFile,
    password_file: PasswordFile = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the signature (default FILE.p7s).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Sign a file with your EDS: a detached CMS (PKCS#7, DER) over its exact bytes."""
    from models.office import eds

    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    content = file.read_bytes()
    cms = sign_bytes(content, key, password_file)
    iin, cert_sha256 = eds.inspect(cms)
    path = out or file.with_name(file.name + ".p7s")
    path.write_bytes(cms)
    data = {
        "signature": str(path),
        "signed_sha256": eds.content_sha256(content),
        "iin": eds.masked_iin(iin),
        "cert_sha256": cert_sha256,
    }
    emit(data, as_json, lambda d: f"{d['signature']} (IIN {d['iin']})")


# --- clauses 14-15 ----------------------------------------------------------------------


@app.command("signatory")
@fails_cleanly
def signatory(
    on: OnDate = None,
    as_json: JsonFlag = False,
) -> None:
    """Who signs documents on behalf of the office on a day (Regulation cl. 14-15)."""
    with office_session() as session:
        data = commands.signatory(session, commands.parse_date(on, "--on"))
    emit(
        data,
        as_json,
        lambda d: (
            f"{d['date']}: {d['name']} ({d['position']}{', acting' if d['acting'] else ''})"
            f" - {d['reason']}"
        ),
    )


# --- calendar ---------------------------------------------------------------------------


@calendar_app.command("due")
@fails_cleanly
def calendar_due(
    start: Annotated[
        str,
        typer.Option(
            "--start", help="Day of the starting event, YYYY-MM-DD (hours: YYYY-MM-DDTHH:MM)."
        ),
    ],
    working_days: Annotated[int | None, typer.Option("--working-days", min=0)] = None,
    calendar_days: Annotated[int | None, typer.Option("--calendar-days", min=0)] = None,
    months: Annotated[int | None, typer.Option("--months", min=0)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Last day of a term that starts on --start (that day is not counted)."""
    data = commands.calendar_due(start, working_days, calendar_days, months)
    emit(data, as_json, lambda d: f"{d['n']} {d['unit']} from {d['start']}: due {d['due']}")


@calendar_app.command("is-working-day")
@fails_cleanly
def calendar_is_working_day(
    day: Annotated[str, typer.Argument(help="Date, YYYY-MM-DD.")],
    as_json: JsonFlag = False,
) -> None:
    """Whether a day is a working day in Kazakhstan, and why."""
    data = commands.calendar_day(day)
    emit(
        data,
        as_json,
        lambda d: f"{d['date']}: {'working' if d['working'] else 'day off'} ({d['reason']})",
    )


# --- terms ------------------------------------------------------------------------------


@terms_app.command("list")
@fails_cleanly
def terms_list(as_json: JsonFlag = False) -> None:
    """The statutory terms with their legal sources."""
    emit(
        commands.terms_list(),
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
    start: Annotated[
        str,
        typer.Option(
            "--start", help="Day of the starting event, YYYY-MM-DD (hours: YYYY-MM-DDTHH:MM)."
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Due date of a statutory term started on --start (a moment for terms in hours)."""
    emit(commands.terms_due(term_id, start), as_json, _due_line)


def _due_line(d: dict[str, Any]) -> str:
    if d["due"] is None:
        return f"{d['term_id']}: a rule, no term to count: {d['rule']} ({d['source']})"
    return f"{d['term_id']} from {d['start']}: due {d['due']} ({d['source']})"


# --- audit ------------------------------------------------------------------------------


@audit_app.command("verify")
@fails_cleanly
def audit_verify(as_json: JsonFlag = False) -> None:
    """Walk the hash chain and hold it to the latest signed checkpoint; exit 1 when the chain is
    broken, the log is shorter than or differs from the checkpoint, or the checkpoint file is
    tampered with."""
    with office_session() as session:
        data = commands.audit_verify(session)
    emit(data, as_json, _audit_line)
    if not data["valid"]:
        raise typer.Exit(1)


def _audit_line(d: dict[str, Any]) -> str:
    if not d["valid"]:
        at = d["first_broken_seq"]
        where = f"audit chain BROKEN at entry {at}" if at is not None else "audit log INVALID"
        return f"{where}: {d['problem']}"
    c = d["checkpoint"]
    held = f", held to checkpoint of entry {c['seq']} at {c['at']}" if c else ", no checkpoint"
    return f"audit chain valid: {d['entries']} entries{held}"


@audit_app.command("checkpoint")
@fails_cleanly
def audit_checkpoint(as_json: JsonFlag = False) -> None:
    """Sign the head of the log with the office's system key and append it to the checkpoint
    file (outside the database); refused, exit 1, when the log does not hold to the last one."""
    with office_session() as session:
        data = commands.audit_checkpoint_now(session)
    emit(
        data,
        as_json,
        lambda d: (
            f"checkpoint: entry {d['seq']} ({d['entries']} entries), {d['hash'][:16]}..."
            f" signed into {d['file']}"
        ),
    )


# --- validation of outside input --------------------------------------------------------


@validate_app.command("iin")
@fails_cleanly
def validate_iin(value: Annotated[str, typer.Argument()], as_json: JsonFlag = False) -> None:
    """Check an individual identification number (ИИН / ЖСН)."""
    emit(
        commands.check_iin(value),
        as_json,
        lambda d: f"IIN {d['iin']} valid, born {d['birth_date']}",
    )


@validate_app.command("bin")
@fails_cleanly
def validate_bin(value: Annotated[str, typer.Argument()], as_json: JsonFlag = False) -> None:
    """Check a business identification number (БИН / БСН)."""
    emit(commands.check_bin(value), as_json, lambda d: f"BIN {d['bin']} valid")


@validate_app.command("appeal")
@fails_cleanly
def validate_appeal(file: Annotated[Path, typer.Argument()], as_json: JsonFlag = False) -> None:
    """Check an appeal file (JSON) against the intake schema without storing it."""
    emit(commands.check_appeal(file), as_json, lambda d: f"appeal valid: {d['subject']}")
