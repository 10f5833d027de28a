"""`prosecutor complaints`: Complaints about the investigating body (CPC art. 105): intake,
announcing, the complaint's page."""

from __future__ import annotations

from typing import Annotated

import typer

from deployments.cli.errors import BadInput
from deployments.cli.intake import Intake
from deployments.cli.support import (
    JsonFlag,
    emit,
    fails_cleanly,
    office_session,
)
from models.db.tables import InboxSource
from models.office.masking import mask_name
from models.procedures.cpc_complaints import complaint_of, take_in
from models.procedures.timeline import procedure_timeline
from models.vocabulary import COMPLAINT_RECEIVED

KIND = "cpc_complaint"

complaints_app = typer.Typer(
    help="Complaints about the investigating body (CPC art. 105).", no_args_is_help=True
)


INTAKE = Intake(
    source=InboxSource.COMPLAINT,
    event=COMPLAINT_RECEIVED,
    kind=KIND,
    records="complaints",
    stored_hint=(
        "The complaints are stored; run `prosecutor complaints announce` to start their review"
    ),
)


INTAKE.add_commands(
    complaints_app,
    take_in,
    path_help="A complaint (.json), complaints (.jsonl) or a folder.",
    submit_doc=(
        "Validate, store and number each complaint, then announce it to Prefect. Invalid ones are"
        "\nstored as rejected with the reason, and the command exits 1."
    ),
    reconcile_name="announce",
    reconcile_doc="Announce stored complaints whose event was never sent (Prefect was down).",
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
