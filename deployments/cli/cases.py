"""`prosecutor cases`: finished cases sent to the prosecutor, and указания (CPC arts. 190, 193).

``submit`` stores and numbers each case first (``models.procedures.case_intake``: nothing is
lost if Prefect is down), then announces it by registration number only: the accused's name
stays in the office's database.
"""

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
from models.appeals import inbox_store
from models.db.tables import InboxSource
from models.procedures.case_intake import KIND, submit_text
from models.procedures.timeline import procedure_timeline
from models.vocabulary import CASE_SUBMITTED

cases_app = typer.Typer(
    help="Finished cases sent to the prosecutor; указания (CPC arts. 190, 193, 301-303).",
    no_args_is_help=True,
)


INTAKE = Intake(
    source=InboxSource.CASE_SUBMITTED,
    event=CASE_SUBMITTED,
    kind=KIND.value,
    records="cases",
    stored_hint="The cases are stored; run `prosecutor cases reconcile` to announce them",
)


INTAKE.add_commands(
    cases_app,
    submit_text,
    path_help="A case (.json), cases (.jsonl) or a folder.",
    submit_doc="""Validate, store and number each finished case, then announce it to Prefect
    (``decide-finished-case`` starts on it). Invalid records are stored as rejected with the
    reason, and the command exits 1.""",
    reconcile_name="reconcile",
    reconcile_doc="Announce the stored cases whose announcement never reached Prefect.",
)


@cases_app.command("show")
@fails_cleanly
def show(
    number: Annotated[str, typer.Argument(help="Registration number of the case decision.")],
    as_json: JsonFlag = False,
) -> None:
    """The finished case: its form, term and decision, with its timeline (Markdown)."""
    with office_session() as session:
        try:
            _record, proc = inbox_store.raw_of(session, number)
        except LookupError:
            raise BadInput(f"no finished case {number}") from None
        if proc.kind is not KIND:
            raise BadInput(f"{number} is not a finished case")
        data = {
            "registration_number": proc.registration_number,
            "status": proc.status.value,
            "due_date": proc.due_date,
            "assignee": proc.assignee_id,
            **(proc.details or {}),
        }
        timeline = procedure_timeline(session, proc.id)
    emit(data, as_json, lambda _d: timeline)
