"""`prosecutor complaints`: Complaints about the investigating body (CPC art. 105): intake,
announcing, the complaint's page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from deployments.cli_support import (
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
from models.office.masking import mask_name
from models.procedures.cpc_complaints import complaint_of, take_in
from models.procedures.timeline import procedure_timeline
from models.vocabulary import COMPLAINT_RECEIVED
from tasks.events import emit_registered, last_announcement

KIND = "cpc_complaint"

complaints_app = typer.Typer(
    help="Complaints about the investigating body (CPC art. 105).", no_args_is_help=True
)


def announce(numbers: list[str], record_ids: list[int]) -> bool:
    """Tell Prefect (the review's trigger) of stored complaints; remembered once sent."""
    announced = emit_registered(COMPLAINT_RECEIVED, KIND, numbers)
    if announced and record_ids:
        with transaction() as session:
            inbox_store.mark_announced(session, record_ids)
    return announced


@complaints_app.command("submit")
@fails_cleanly
def submit(
    path: Annotated[
        Path, typer.Argument(help="A complaint (.json), complaints (.jsonl) or a folder.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Validate, store and number each complaint, then announce it to Prefect. Invalid ones are
    stored as rejected with the reason, and the command exits 1."""
    with office_session():
        pass  # the schema is current before anything is stored
    results: list[dict[str, Any]] = []
    for where, raw, problem in input_records(path):
        with transaction() as session:  # one complaint, one transaction
            if problem:
                result = inbox_store.store_rejected(session, InboxSource.COMPLAINT, raw, problem)
            else:
                result = take_in(session, raw)
        results.append(
            {
                "source": where,
                "record_id": result.record_id,
                "status": result.status,
                "registration_number": result.registration_number,
                "reason": result.reason,
                "external_id": result.external_id,
            }
        )
    new = [r for r in results if r["status"] == "registered"]
    announced = announce([r["registration_number"] for r in new], [r["record_id"] for r in new])
    summary = {
        "registered": len(new),
        "duplicates": sum(r["status"] == "duplicate" for r in results),
        "rejected": sum(r["status"] == "rejected" for r in results),
        "announced": announced,
        "complaints": results,
    }
    not_announced = note_announcement(summary, len(new), announced)
    emit(summary, as_json, _render_submit)
    if summary["rejected"] or not_announced:
        raise typer.Exit(1)


def _render_submit(d: dict[str, Any]) -> str:
    lines = [
        f"{r['source']}: {r['status']} {r['registration_number'] or ''}"
        f" {r['reason'] or ''}".rstrip()
        for r in d["complaints"]
    ]
    lines.append(
        f"{d['registered']} registered, {d['duplicates']} already registered,"
        f" {d['rejected']} rejected"
    )
    if d["registered"] and not d["announced"]:
        lines.append(
            f"not announced: {d.get('announce_error')}. The complaints are stored; run"
            " `prosecutor complaints announce` to start their review"
        )
    return "\n".join(lines)


@complaints_app.command("announce")
@fails_cleanly
def announce_stored(as_json: JsonFlag = False) -> None:
    """Announce stored complaints whose event was never sent (Prefect was down)."""
    with office_session() as session:
        pending = inbox_store.unannounced(session, InboxSource.COMPLAINT)
    numbers = [number for _, number in pending]
    announced = announce(numbers, [record_id for record_id, _ in pending])
    if numbers and not announced:
        raise BadInput(f"nothing announced: {last_announcement().reason}")
    emit(
        {"announced": numbers},
        as_json,
        lambda d: "\n".join(f"{n}: announced" for n in d["announced"]) or "nothing to announce",
    )


@complaints_app.command("show")
@fails_cleanly
def show(
    number: Annotated[str, typer.Argument(help="Registration number of the complaint.")],
    as_json: JsonFlag = False,
) -> None:
    """The complaint (its term, the body complained of) and its timeline, duties and documents.
    The complainant is shown as initials; the full record is in the office's database."""
    with office_session() as session:
        try:
            record, proc = complaint_of(session, number)
        except LookupError as exc:
            raise BadInput(str(exc)) from None
        details = proc.details or {}
        data = {
            "registration_number": proc.registration_number,
            "status": proc.status.value,
            "complainant": mask_name(record.complainant_name()),
            "body": record.body_name,
            "case_number": record.case_number,
            "subject": record.subject.value,
            "term_id": details.get("term_id"),
            "received_on": details.get("received_on"),
            "due_date": proc.due_date,
            "assignee": proc.assignee_id,
            "outcome": details.get("outcome"),
        }
        page = procedure_timeline(session, proc.id)
    emit(data, as_json, lambda _d: page)
