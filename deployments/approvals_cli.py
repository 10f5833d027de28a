"""``prosecutor approvals``, ``documents``, ``deadlines`` and ``notifications`` commands."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from deployments.cli_support import JsonFlag, OnDate, emit, fails_cleanly, office_session
from deployments.commands import parse_date
from deployments.errors import BadInput
from deployments.events import (
    COORDINATION_REPORTED,
    INFORMATION_ANSWERED,
    RELEASE_CONFIRMED,
    emit_answer,
)
from models import approval_decisions, approval_store, document_store, pdf_store
from models.acts import Answer
from models.approvals import Decision
from models.calendar import today
from models.notifications import list_notifications
from models.rendering import as_text
from models.tables import AccessLevel, Document, Duty

approvals_app = typer.Typer(help="Approvals and signatures.", no_args_is_help=True)
documents_app = typer.Typer(help="Documents of the office.", no_args_is_help=True)
deadlines_app = typer.Typer(help="The deadline check.", no_args_is_help=True)
notifications_app = typer.Typer(help="Reminders, reassignments, escalations.", no_args_is_help=True)


def _four_eyes() -> bool:
    from tasks.approvals import four_eyes_enabled

    return four_eyes_enabled()


@approvals_app.command("list")
@fails_cleanly
def approvals_list(
    pending: Annotated[
        bool, typer.Option("--pending", help="Only approvals still waiting.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Approvals with who must decide and by when."""
    with office_session() as session:
        rows = [v.to_dict() for v in approval_store.list_approvals(session, pending_only=pending)]
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['id']:>5} {r['status']:<9} due {r['due_date']}"
                f" {r['signatory_id'] or 'regional':<10}"
                f" {r['registration_number']} {r['document_title']}"
                for r in rs
            )
            or "no approvals"
        ),
    )


def _waiting_run_state(flow_run_id: str) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    return state.name if state else "unknown"


@approvals_app.command("decide")
@fails_cleanly
def approvals_decide(
    approval_id: Annotated[int, typer.Argument(help="Approval id (see `approvals list`).")],
    signer: Annotated[str, typer.Option("--as", help="Your staff id.")],
    decision: Annotated[Decision, typer.Option("--decision", help="approve, reject or return.")],
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for the run to record it.")
    ] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Decide on a waiting approval: checked here, then given to the waiting run, which checks
    again at the moment it records the decision."""
    now = dt.datetime.now(dt.UTC)
    with office_session() as session:
        view = approval_store.get_approval(session, approval_id)
        verdict = approval_decisions.precheck(
            session, approval_id, signer, decision, now, _four_eyes()
        )
        if not verdict.accepted:
            approval_decisions.record_refusal(
                session,
                approval_id=approval_id,
                signer_id=signer,
                decision=decision,
                reason=verdict.reason,
                channel="cli",
                at=now,
                comment=comment,
            )
    if not verdict.accepted:
        raise BadInput(f"refused: {verdict.reason}")
    if not view.flow_run_id:
        raise BadInput(f"approval {approval_id} has no flow run waiting for it")
    state = _waiting_run_state(view.flow_run_id)
    if state not in {"Paused", "Suspended"}:
        raise BadInput(
            f"the run of approval {approval_id} is not waiting for a decision (it is {state})"
        )
    from prefect.flow_runs import resume_flow_run

    from tasks.decision_forms import offered, refresh_form, signer_value

    refresh_form(approval_id, now)  # the form offers whoever is authorised now: the signer
    resume_flow_run(
        UUID(view.flow_run_id),
        run_input={
            "decision": decision.value,
            "signer": signer_value(offered(view.flow_run_id, approval_id), signer),
            "comment": comment,
        },
    )
    result: dict[str, Any] = {
        "approval_id": approval_id,
        "flow_run_id": view.flow_run_id,
        "resumed": True,
        "status": "pending",
    }
    deadline = time.monotonic() + wait
    while wait and time.monotonic() < deadline:
        with office_session() as session:
            result["status"] = approval_store.get_approval(session, approval_id).status
        if result["status"] != "pending":
            break
        time.sleep(0.5)
    emit(
        result,
        as_json,
        lambda d: (
            f"approval {d['approval_id']}: decision given to run {d['flow_run_id']}"
            f" (status {d['status']})"
        ),
    )


@documents_app.command("verify")
@fails_cleanly
def documents_verify(
    document_id: Annotated[int, typer.Argument()], as_json: JsonFlag = False
) -> None:
    """Check a document's text against its signatures; exit 1 when it does not match."""
    with office_session() as session:
        check = document_store.verify_document(session, document_id)
    data = {
        "document_id": check.document_id,
        "valid": check.valid,
        "signed": check.signed,
        "signers": check.signers,
        "sha256": check.sha256_now,
        "problem": check.problem,
    }
    emit(
        data,
        as_json,
        lambda d: (
            f"document {d['document_id']}: "
            + (
                "signed and unchanged by " + ", ".join(d["signers"])
                if d["valid"]
                else f"INVALID - {d['problem']}"
            )
        ),
    )
    if not check.valid:
        raise typer.Exit(1)


@documents_app.command("show")
@fails_cleanly
def documents_show(
    document_id: Annotated[int, typer.Argument()],
    reader: Annotated[str, typer.Option("--as", help="Your staff id (reading is audited).")],
    as_json: JsonFlag = False,
) -> None:
    """Read a document; secret materials only with clearance (Regulation cl. 8, obligation 5)."""
    with office_session() as session:
        doc = document_store.read_document(session, document_id, reader)
        data = (
            None
            if doc is None
            else {
                "document_id": doc.id,
                "kind": doc.kind,
                "title": doc.title,
                "access_level": doc.access_level.value,
                "sha256": doc.sha256,
                "text": as_text(doc.body),
            }
        )
    if data is None:
        raise BadInput(f"refused: {reader} has no clearance for secret document {document_id}")
    emit(data, as_json, lambda d: f"{d['title']} ({d['access_level']})\n\n{d['text']}")


@documents_app.command("pdf")
@fails_cleanly
def documents_pdf(
    document_id: Annotated[int, typer.Argument()],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write it (default: document-ID.pdf).")
    ] = None,
    reader: Annotated[
        str | None,
        typer.Option("--as", help="Your staff id: needed for secret documents (audited)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the issued document's PDF (rendered and stored if missing); print path and SHA-256."""
    with office_session() as session:
        allowed = _may_read(session, document_id, reader)
        if allowed:
            sha256 = pdf_store.store_pdf(session, document_id)
            doc = session.get_one(Document, document_id)
            pdf, number = doc.pdf, doc.outgoing_number
    # raised after the transaction so that the refusal's audit entry is kept
    if not allowed:
        raise BadInput(f"refused: {reader} has no clearance for secret document {document_id}")
    assert pdf is not None
    path = out or Path(f"document-{document_id}.pdf")
    path.write_bytes(pdf)
    data = {
        "document_id": document_id,
        "outgoing_number": number,
        "path": str(path),
        "pdf_sha256": sha256,
    }
    emit(data, as_json, lambda d: f"{d['path']}\nSHA-256 {d['pdf_sha256']}")


def _may_read(session: Any, document_id: int, reader: str | None) -> bool:
    """Secret materials only for cleared staff (Regulation cl. 8, obligation 5), audited."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise BadInput(f"no document {document_id}")
    if reader is None:
        if doc.access_level is AccessLevel.SECRET:
            raise BadInput(f"document {document_id} is secret: give --as STAFF (with clearance)")
        return True
    return document_store.read_document(session, document_id, reader) is not None


@deadlines_app.command("check")
@fails_cleanly
def deadlines_check(
    on: OnDate = None,
    remind_within: Annotated[int, typer.Option(min=0)] = 2,
    escalate_every: Annotated[int, typer.Option(min=1)] = 2,
    force: Annotated[bool, typer.Option(help="Check even on a day off.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Run the deadline check now, as a Prefect flow run."""
    from deployments.commands import parse_date
    from flows.check_deadlines import check_deadlines

    day = parse_date(on, "--on")
    with office_session():
        pass  # refuse early when the database is not migrated
    result = check_deadlines(
        on=day, remind_within=remind_within, escalate_every=escalate_every, force=force
    )
    emit(result, as_json, lambda d: ", ".join(f"{k} {v}" for k, v in d.items()))


@notifications_app.command("list")
@fails_cleanly
def notifications_list(
    recipient: Annotated[
        str | None, typer.Option("--to", help="Staff id or regional_office.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Stored reminders, reassignments and escalations, newest first."""
    with office_session() as session:
        rows = [
            {
                "id": n.id,
                "to": n.recipient_id or n.external_recipient,
                "kind": n.kind,
                "subject": f"{n.subject_kind} {n.subject_id}",
                "on": n.on_date,
                "message": n.message,
            }
            for n in list_notifications(session, recipient, limit)
        ]
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(f"{r['on']} {r['to']:<16} {r['kind']:<12} {r['message']}" for r in rs)
            or "no notifications"
        ),
    )


def answer(
    duty_id: Annotated[int, typer.Argument(help="The duty answered (see the timeline).")],
    text: Annotated[str, typer.Option("--text", help="The answer received.")],
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="accepted, partly, rejected or not_considered (acts of the office).",
        ),
    ] = None,
    hearing_date: Annotated[
        str | None,
        typer.Option("--hearing-date", help="When the addressee considers the act, YYYY-MM-DD."),
    ] = None,
    hearing_place: Annotated[
        str | None, typer.Option("--hearing-place", help="Where the addressee considers it.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Announce an answer from outside to a duty: another body's answer to a request, a body's
    report on a coordination item, or a facility's confirmation of a release."""
    with office_session() as session:
        duty = session.get(Duty, duty_id)
        if duty is None:
            raise BadInput(f"no duty {duty_id}")
        if duty.status.value != "open":
            raise BadInput(f"duty {duty_id} is already {duty.status.value}")
        if duty.body_id:
            event = COORDINATION_REPORTED
        elif duty.step == "confirm-release":
            event = RELEASE_CONFIRMED
        else:
            event = INFORMATION_ANSWERED
    answers = [a.value for a in Answer if a is not Answer.SILENCE]
    if outcome and outcome not in answers:
        raise BadInput(f"--outcome: {outcome!r} is not one of {', '.join(answers)}")
    if hearing_date:
        parse_date(hearing_date, "--hearing-date")
    if not emit_answer(
        event,
        duty_id,
        text,
        outcome=outcome or "",
        hearing_date=hearing_date or "",
        hearing_place=hearing_place or "",
        notified_on=today().isoformat() if hearing_date else "",
    ):
        raise BadInput("Prefect not reached (PREFECT_API_URL unset): the answer was not announced")
    emit(
        {"duty_id": duty_id, "event": event},
        as_json,
        lambda d: f"{d['event']} for duty {d['duty_id']}",
    )
