"""`prosecutor cases`: finished cases sent to the prosecutor, and указания (CPC arts. 190, 193).

``submit`` stores and numbers each case first (nothing is lost if Prefect is down), then
announces it by registration number only: the accused's name stays in the office's database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from deployments.cli_support import (
    JsonFlag,
    emit,
    fails_cleanly,
    input_records,
    note_announcement,
    office_session,
)
from deployments.errors import BadInput
from models.appeals import choose_assignee, inbox_store
from models.db import transaction
from models.db.tables import Body, InboxSource, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.procedures.case_decisions import CaseSubmission, rule_for
from models.procedures.timeline import procedure_timeline
from models.records import audit
from models.timing.calendar import ALMATY, WorkingCalendar
from models.vocabulary import CASE_SUBMITTED
from tasks.events import emit_registered, last_announcement

cases_app = typer.Typer(
    help="Finished cases sent to the prosecutor; указания (CPC arts. 190, 193, 301-303).",
    no_args_is_help=True,
)

KIND = ProcedureKind.CASE_DECISION
AREA = "criminal"


def criminal_case_of(session: Session, erdr_number: str) -> Procedure | None:
    """The supervised case (уголовное дело под надзором) with this ЕРДР number, if registered:
    filtered by kind in SQL, by the JSON detail in Python (portable across databases)."""
    for proc in session.scalars(
        select(Procedure)
        .where(Procedure.kind == ProcedureKind.CRIMINAL_CASE)
        .order_by(Procedure.id)
    ):
        if (proc.details or {}).get("erdr_number") == erdr_number:
            return proc
    return None


def register_submission(session: Session, record: CaseSubmission) -> Procedure:
    """Open the prosecutor's decision on a finished case: its term counted from the receipt
    (``models.procedures.case_decisions.study_due``), the study given to an assistant of the
    criminal area (the procedural prosecutor), and the supervised case, when registered, told
    of it."""
    body = session.get(Body, record.body_id)
    if body is None or not body.active:
        raise ValueError(f"unknown investigating body {record.body_id!r}")
    calendar = WorkingCalendar()
    due = record.due(calendar)  # TermNotAllowed (a ValueError): stored as rejected
    received_day = record.received_at.astimezone(ALMATY).date()
    who = choose_assignee(read_roster(session), received_day, AREA, {})[0]
    rule = rule_for(record.form)
    proc = procedure_store.register_procedure(
        session,
        office_code=office_code(session),
        kind=KIND,
        title=f"Finished case, ЕРДР {record.erdr_number}: {record.form.value}",
        year=received_day.year,
        due_date=due,
        assignee_id=who.id,
        area=AREA,
        actor="intake",
    )
    linked = criminal_case_of(session, record.erdr_number)
    proc.details = {
        "erdr_number": record.erdr_number,
        "form": record.form.value,
        "body_id": record.body_id,
        "investigator": record.investigator,
        "received_at": record.received_at.isoformat(),
        "person": record.accused,  # masked wherever shown (models.procedures.parties)
        "cc_article": record.cc_article,
        "detained": record.detained,
        "complex_case": record.complex_case,
        "term_id": rule.term_id,
        "criminal_case": linked.registration_number if linked else None,
    }
    procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step="study",
        title=f"Study the case, ЕРДР {record.erdr_number}, and decide ({rule.source})",
        assignee_id=who.id,
        due_date=due,
        term_id=rule.term_id,
        actor="intake",
    )
    if linked is not None:
        _record_on_case(session, linked, proc, record)
    return proc


def _record_on_case(
    session: Session, case: Procedure, submitted: Procedure, record: CaseSubmission
) -> None:
    details = dict(case.details or {})
    details["submissions"] = [
        *details.get("submissions", []),
        {
            "registration_number": submitted.registration_number,
            "form": record.form.value,
            "received_at": record.received_at.isoformat(),
        },
    ]
    case.details = details
    audit.append(
        session,
        actor="intake",
        action="criminal_case.submitted",
        entity_kind="procedure",
        entity_id=case.registration_number,
        payload={"case_decision": submitted.registration_number, "form": record.form.value},
    )


def submit_text(session: Session, raw: str) -> inbox_store.InboxResult:
    """One record as JSON text, stored and numbered (or rejected with why)."""
    return inbox_store.intake(
        session,
        InboxSource.CASE_SUBMITTED,
        raw,
        CaseSubmission,
        register_submission,
        received_at=lambda r: r.received_at,
    )


def announce(numbers: list[str]) -> bool:
    """Announce the stored cases not yet announced; True when Prefect was reached."""
    if not emit_registered(CASE_SUBMITTED, KIND.value, numbers):
        return False
    with transaction() as session:
        pending = inbox_store.unannounced(session, InboxSource.CASE_SUBMITTED)
        inbox_store.mark_announced(session, [rid for rid, number in pending if number in numbers])
    return True


@cases_app.command("submit")
@fails_cleanly
def submit(
    path: Annotated[Path, typer.Argument(help="A case (.json), cases (.jsonl) or a folder.")],
    as_json: JsonFlag = False,
) -> None:
    """Validate, store and number each finished case, then announce it to Prefect
    (``decide-finished-case`` starts on it). Invalid records are stored as rejected with the
    reason, and the command exits 1."""
    with office_session():
        pass  # the schema is current before anything is stored
    results = []
    for where, raw, problem in input_records(path):
        with transaction() as session:  # one case, one transaction: a bad one spoils nothing
            if problem:
                result = inbox_store.store_rejected(
                    session, InboxSource.CASE_SUBMITTED, raw, problem
                )
            else:
                result = submit_text(session, raw)
        results.append({"source": where, **_as_dict(result)})
    new = [r["registration_number"] for r in results if r["status"] == "registered"]
    announced = announce(new) if new else False
    summary = {
        "registered": len(new),
        "duplicates": sum(r["status"] == "duplicate" for r in results),
        "rejected": sum(r["status"] == "rejected" for r in results),
        "announced": announced,
        "cases": results,
    }
    not_announced = note_announcement(summary, len(new), announced)
    emit(summary, as_json, _render_submit)
    if summary["rejected"] or not_announced:
        raise typer.Exit(1)


def _as_dict(result: inbox_store.InboxResult) -> dict[str, Any]:
    return {
        "record_id": result.record_id,
        "status": result.status,
        "registration_number": result.registration_number,
        "reason": result.reason,
        "external_id": result.external_id,
    }


def _render_submit(d: dict[str, Any]) -> str:
    lines = [
        f"{r['source']}: {r['status']} {r['registration_number'] or ''}"
        f" {r['reason'] or ''}".rstrip()
        for r in d["cases"]
    ]
    lines.append(
        f"{d['registered']} registered, {d['duplicates']} already registered,"
        f" {d['rejected']} rejected"
    )
    if d["registered"] and not d["announced"]:
        lines.append(
            f"not announced: {d.get('announce_error')}. The cases are stored; run"
            " `prosecutor cases reconcile` to announce them"
        )
    return "\n".join(lines)


@cases_app.command("reconcile")
@fails_cleanly
def reconcile(as_json: JsonFlag = False) -> None:
    """Announce the stored cases whose announcement never reached Prefect."""
    with office_session() as session:
        numbers = [n for _rid, n in inbox_store.unannounced(session, InboxSource.CASE_SUBMITTED)]
    if numbers and not announce(numbers):
        raise BadInput(f"nothing announced: {last_announcement().reason}")
    emit(
        {"announced": numbers},
        as_json,
        lambda d: "\n".join(f"{n}: announced" for n in d["announced"]) or "nothing to announce",
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
