"""``prosecutor appeals``: intake of appeals (обращения), reconciliation, the assistant's
report to the waiting review, and an appeal's page."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.progress import track

from deployments.cli.errors import BadInput
from deployments.cli.inputs import input_records, submit_appeals
from deployments.cli.intake import counted, finish, render_summary
from deployments.cli.parsing import parse_date
from deployments.cli.support import (
    WAITING_STATES,
    JsonFlag,
    emit,
    fails_cleanly,
    office_session,
    prefect_connection,
    run_state,
)
from models.appeals import may_report
from models.appeals import store as appeal_store
from models.db import transaction
from models.office.roster_store import office_code, read_roster
from models.procedures import queries
from models.procedures.store import duty_of
from models.procedures.timeline import approval_command, duty_command, procedure_timeline
from models.timing.calendar import WorkingCalendar, today
from models.vocabulary import Step
from tasks.events import emit_appeals_received

appeals_app = typer.Typer(help="Appeals (обращения): intake and review.", no_args_is_help=True)

MAX_GROUND = 7  # items of CL-155 art. 24(1); 0: none, the appeal is forwarded

# the options of the assistant's report
Outcome = Annotated[
    str | None,
    typer.Option(help="upheld, partly_upheld, not_upheld, explained; none for an interim report."),
]
Findings = Annotated[str, typer.Option(help="What was established (goes into the reply).")]
Measures = Annotated[str | None, typer.Option(help="Acts of response taken.")]
Extend = Annotated[
    str | None, typer.Option("--extend", help="Reason to extend the term (CL-155 art. 24(4)).")
]
ExtendUntil = Annotated[
    str | None,
    typer.Option(
        "--extend-until",
        help="The new due date asked for, YYYY-MM-DD: at most two months from receipt.",
    ),
]
Ground = Annotated[
    int | None,
    typer.Option(
        "--ground",
        help="Item of CL-155 art. 24(1) the appeal is considered on (1-7); 0: none, forward.",
    ),
]
ForwardTo = Annotated[
    str | None, typer.Option("--forward-to", help="The competent body, with --ground 0.")
]
Inspection = Annotated[
    str | None, typer.Option("--inspection", help="Number of the inspection ordered on the appeal.")
]
InspectionEnded = Annotated[
    str | None,
    typer.Option("--inspection-ended", help="The day that inspection ended, YYYY-MM-DD."),
]
Requests = Annotated[
    list[str] | None, typer.Option("--request", help="'BODY: QUESTION', repeatable.")
]
Summons = Annotated[
    list[str] | None, typer.Option("--summon", help="'PERSON|YYYY-MM-DD|PURPOSE', repeatable.")
]
FileAccess = Annotated[
    bool, typer.Option("--file-access", help="The applicant asked to see the materials.")
]


@appeals_app.command("submit")
@fails_cleanly
def submit(
    path: Annotated[Path, typer.Argument(help="An appeal (.json), appeals (.jsonl) or a folder.")],
    as_json: JsonFlag = False,
) -> None:
    """Validate, store and number each appeal, then announce it to Prefect. Invalid appeals are
    stored as rejected with the reason, and the command exits 1. Each appeal is read, stored and
    committed on its own, so a bad one (or one the database refuses) never stops the batch, and
    running a batch again registers nothing twice."""
    with office_session() as session:
        office = office_code(session)
    calendar = WorkingCalendar()
    records = track(
        input_records(path),
        description="Storing appeals",
        disable=as_json or not sys.stdout.isatty(),
    )
    results = list(submit_appeals(records, office, calendar))
    new = [r for r in results if r["status"] == "registered"]
    announced = emit_appeals_received([r["registration_number"] for r in new])
    if announced:
        with transaction() as session:
            appeal_store.mark_evented(session, [r["appeal_id"] for r in new])
    summary = {
        **counted(results),
        "refused": sum(r["status"] == "refused" for r in results),
        "announced": announced,
        "appeals": results,
    }
    finish(summary, as_json, _render_submit)


def _render_submit(d: dict[str, Any]) -> str:
    return render_summary(
        d,
        "appeals",
        "The appeals are stored; run `prosecutor appeals reconcile` once the office is reachable"
        " to start their review",
        more=lambda d: f", {d['refused']} refused" if d.get("refused") else "",
    )


@appeals_app.command("reconcile")
@fails_cleanly
def reconcile(
    older_than: Annotated[
        int, typer.Option(help="Seconds since storing before an appeal counts as missed.")
    ] = 60,
    as_json: JsonFlag = False,
) -> None:
    """Start the review of stored appeals whose event never produced a run."""
    prefect_connection()
    from prefect.deployments import run_deployment

    with office_session() as session:
        numbers = appeal_store.without_review(session, dt.timedelta(seconds=older_than))
    started = []
    for number in numbers:
        run = run_deployment(
            "review-appeal/review-appeal",
            parameters={"appeal_ref": number},
            timeout=0,
            as_subflow=False,
            idempotency_key=f"review-{number}",  # reconciling twice starts one run
        )
        started.append({"registration_number": number, "flow_run_id": str(run.id)})
    emit(
        started,
        as_json,
        lambda rows: (
            "\n".join(f"{r['registration_number']}: review started" for r in rows)
            or "nothing to reconcile"
        ),
    )


@appeals_app.command("report")
@fails_cleanly
def report(
    number: Annotated[str, typer.Argument(help="Registration number of the appeal.")],
    assistant: Annotated[str, typer.Option("--as", help="Your staff id.")],
    outcome: Outcome = None,
    findings: Findings = "",
    measures: Measures = None,
    extend: Extend = None,
    extend_until: ExtendUntil = None,
    ground: Ground = None,
    forward_to: ForwardTo = None,
    inspection: Inspection = None,
    inspection_ended: InspectionEnded = None,
    request: Requests = None,
    summon: Summons = None,
    file_access: FileAccess = False,
    as_json: JsonFlag = False,
) -> None:
    """Give the assistant's consideration report to the waiting review run."""
    run_id = _review_run(number, assistant)
    if extend and not extend_until:
        raise BadInput("--extend needs --extend-until: the head or a deputy sets a date")
    until = parse_date(extend_until, "--extend-until") if extend_until else None
    ended = parse_date(inspection_ended, "--inspection-ended") if inspection_ended else None
    if ground is not None and not 0 <= ground <= MAX_GROUND:
        raise BadInput("--ground: an item of CL-155 art. 24(1), 1 to 7, or 0 to forward")
    payload: dict[str, Any] = {
        "assistant": assistant,
        "outcome": outcome,
        "findings": findings,
        "measures": measures,
        "extension_reason": extend,
        "extension_until": until.isoformat() if until else None,
        "ground": ground,
        "forward_to": forward_to,
        "inspection_number": inspection,
        "inspection_ended_on": ended.isoformat() if ended else None,
        "information_requests": [_request(r) for r in request or []],
        "summons": [_summons(s) for s in summon or []],
        "file_access_requested": file_access,
    }
    _resume_review(number, run_id, payload)
    emit(
        {"registration_number": number, "flow_run_id": run_id, "resumed": True},
        as_json,
        lambda d: f"report given to the review of {d['registration_number']}",
    )


def _review_run(number: str, assistant: str) -> str | None:
    """The review run of the appeal, when ``assistant`` may report on it (the assignee of its
    consideration, or whoever stands in for them today)."""
    with office_session() as session:
        row, proc = appeal_store.by_number(session, number)
        duty = duty_of(session, proc.id, Step.CONSIDER)
        if not may_report(
            read_roster(session), today(), duty.assignee_id if duty else None, assistant
        ):
            raise BadInput(f"refused: {assistant} is not assigned to appeal {number}")
        return row.review_flow_run_id


def _resume_review(number: str, run_id: str | None, payload: dict[str, Any]) -> None:
    """Give the report to the review run, refused unless it waits for one."""
    if not run_id:
        raise BadInput(f"appeal {number} has no review run yet: see `prosecutor appeals reconcile`")
    state = run_state(run_id)
    if state not in WAITING_STATES:
        raise BadInput(f"the review of {number} is not waiting for a report ({state})")
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(UUID(run_id), run_input=payload)


def _request(text: str) -> dict[str, str]:
    body, sep, question = text.partition(":")
    if not sep or not body.strip() or not question.strip():
        raise BadInput(f"--request {text!r}: expected 'BODY: QUESTION'")
    return {"body": body.strip(), "question": question.strip()}


def _summons(text: str) -> dict[str, str]:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 2:
        raise BadInput(f"--summon {text!r}: expected 'PERSON|YYYY-MM-DD|PURPOSE'")
    try:
        dt.date.fromisoformat(parts[1])
    except ValueError:
        raise BadInput(f"--summon {text!r}: {parts[1]!r} is not a date") from None
    return {
        "person": parts[0],
        "on": parts[1],
        "purpose": parts[2] if len(parts) > 2 else "explanations",
    }


@appeals_app.command("show")
@fails_cleanly
def show(number: Annotated[str, typer.Argument()], as_json: JsonFlag = False) -> None:
    """The appeal's timeline, duties and documents (Markdown); with --json also the open
    duties and approvals with the ids the commands need."""
    with office_session() as session:
        row, proc = appeal_store.by_number(session, number)
        data = {
            "registration_number": proc.registration_number,
            "status": proc.status.value,
            "due": proc.due_date.isoformat() if proc.due_date else None,
            "review_flow_run_id": row.review_flow_run_id,
            "duties": [
                {
                    "id": d.id,
                    "step": d.step,
                    "assignee": d.assignee_id,
                    "due": d.due_date.isoformat() if d.due_date else None,
                    "status": d.status.value,
                    "command": duty_command(d),
                }
                for d in queries.duties_of(session, proc.id)
            ],
            "approvals": [
                {
                    "id": a.id,
                    "step": a.step,
                    "signatory": a.signatory_id,
                    "due": a.due_date.isoformat(),
                    "status": a.status.value,
                    "command": approval_command(a),
                }
                for a in queries.approvals_of(session, proc.id)
            ],
            "page": procedure_timeline(session, proc.id),
        }
    emit(data, as_json, lambda d: d["page"])
