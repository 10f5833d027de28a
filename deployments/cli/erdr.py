"""`prosecutor erdr`: Cases from the Unified Register of Pre-trial Investigations (ЕРДР)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from deployments.cli.errors import BadInput
from deployments.cli.inputs import input_records
from deployments.cli.intake import finish, render_summary
from deployments.cli.support import (
    JsonFlag,
    emit,
    fails_cleanly,
    office_session,
    require_current_schema,
)
from models.appeals import inbox_store
from models.db.tables import InboxSource
from models.procedures import ProcedureKind, erdr_intake
from models.procedures.erdr import InboxFolderAdapter
from models.procedures.erdr_intake import IntakeSummary
from models.procedures.timeline import procedure_timeline
from tasks.erdr import announce_cases
from tasks.events import last_announcement

erdr_app = typer.Typer(
    help="Cases from the Unified Register of Pre-trial Investigations (ЕРДР).", no_args_is_help=True
)


def _finish(summary: IntakeSummary, as_json: bool) -> None:
    """Announce what was registered, print, exit 1 when a record was rejected."""
    erdr_intake.announce_new(summary, announce_cases)
    finish(summary.as_dict(), as_json, _render)


def _render(d: dict[str, Any]) -> str:
    return render_summary(
        d,
        "records",
        "The cases are stored; run `prosecutor erdr reconcile` to announce them",
        more=lambda d: f", {d['announced']} announced",
    )


@erdr_app.command("import")
@fails_cleanly
def import_(
    file: Annotated[Path, typer.Argument(help="ЕРДР cases, one JSON object a line (.jsonl).")],
    as_json: JsonFlag = False,
) -> None:
    """Validate, store and number each case, then announce it to Prefect. Invalid cases and
    cases of another office are stored as rejected with the reason, and the command exits 1."""
    require_current_schema()  # checked before anything is stored
    _finish(erdr_intake.store_all([(where, raw) for where, raw, _ in input_records(file)]), as_json)


@erdr_app.command("poll")
@fails_cleanly
def poll(
    folder: Annotated[
        Path | None,
        typer.Option(help="Inbox folder of *.jsonl files (default <data dir>/inbox/erdr)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Read the ЕРДР inbox folder (each file once: moved to processed/), store, announce."""
    require_current_schema()
    _finish(erdr_intake.poll(InboxFolderAdapter(folder)), as_json)


@erdr_app.command("reconcile")
@fails_cleanly
def reconcile(as_json: JsonFlag = False) -> None:
    """Announce stored cases whose announcement never reached Prefect."""
    with office_session() as session:
        pending = len(inbox_store.unannounced(session, InboxSource.ERDR))
    announced = erdr_intake.reconcile(announce_cases)
    emit(
        {"pending": pending, "announced": announced},
        as_json,
        lambda d: (
            "\n".join(f"{n}: announced" for n in d["announced"])
            or (
                f"{d['pending']} cases wait: {last_announcement().reason}"
                if d["pending"]
                else "nothing to reconcile"
            )
        ),
    )


@erdr_app.command("show")
@fails_cleanly
def show(
    number: Annotated[str, typer.Argument(help="Registration number of the case.")],
    as_json: JsonFlag = False,
) -> None:
    """The case's terms, then its page: timeline, duties, documents (Markdown)."""
    with office_session() as session:
        try:
            _, proc = inbox_store.raw_of(session, erdr_intake.case_number(number))
        except LookupError:
            raise BadInput(f"no ЕРДР case {number}") from None
        if proc.kind is not ProcedureKind.CRIMINAL_CASE:
            raise BadInput(f"{number} is not a criminal case")
        terms = erdr_intake.terms_of(proc)
        page = procedure_timeline(session, proc.id)
    emit(
        {**terms, "page": page},
        as_json,
        lambda d: (
            f"ЕРДР № {d['erdr_number']} ({d['form']}, CC art. {d['cc_article']}): term"
            f" {d['term']} ({d['term_source']}), due {d['due']}\n\n{d['page']}"
        ),
    )
