"""``prosecutor approvals``, ``documents``, ``deadlines`` and ``notifications`` commands."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from deployments.cli_support import (
    JsonFlag,
    OnDate,
    emit,
    fails_cleanly,
    office_session,
    prefect_connection,
)
from deployments.commands import parse_date
from deployments.errors import BadInput, one_line
from models.approvals import Decision, Verdict
from models.approvals import decisions as approval_decisions
from models.approvals import store as approval_store
from models.db.tables import AccessLevel, Body, Document, Duty
from models.office import eds, eds_store
from models.office.roster import REGIONAL_OFFICE
from models.office.roster_store import staff_by_iin, staff_exists
from models.procedures.acts import Answer
from models.records import audit, document_store, pdf_store
from models.records.rendering import as_text
from models.sweeps.notifications import list_notifications
from models.timing.calendar import WorkingCalendar, today
from models.vocabulary import COORDINATION_REPORTED, INFORMATION_ANSWERED, RELEASE_CONFIRMED
from tasks.connection import connect
from tasks.events import emit_answer, last_announcement

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
    prefect_connection()  # before Prefect is imported: the running office's server
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    return state.name if state else "unknown"


KeyFile = Annotated[
    Path, typer.Option("--key", help="Your EDS key and certificate (.p12), e.g. from NCA RK.")
]
PasswordFile = Annotated[
    Path | None,
    typer.Option("--password-file", help="File holding the key's password (default: a prompt)."),
]


def read_key(key: Path, password_file: Path | None) -> tuple[bytes, bytes]:
    """The .p12 file and its password: from the file given, else asked without echo (never
    under CI or without a terminal, where nobody can answer)."""
    if not key.is_file():
        raise BadInput(f"--key: no such file {key}")
    if password_file is not None:
        if not password_file.is_file():
            raise BadInput(f"--password-file: no such file {password_file}")
        password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
    elif os.environ.get("CI") or not sys.stdin.isatty():
        raise BadInput("no terminal to ask the key's password: give --password-file")
    else:
        password = typer.prompt(f"Password of {key.name}", hide_input=True)
    return key.read_bytes(), password.encode("utf-8")


def sign_bytes(content: bytes, key: Path, password_file: Path | None) -> bytes:
    p12, password = read_key(key, password_file)
    try:
        return eds.sign(content, p12, password)
    except eds.SignatureRefused as exc:
        raise BadInput(f"--key: {exc.reason}") from None


def _holder(session: Any, cms: bytes) -> str:
    """Who the signature's certificate names on the roster (as given, if nobody)."""
    iin, _ = eds.inspect(cms)
    staff = staff_by_iin(session, iin) if iin else None
    return staff.id if staff else f"iin:{eds.masked_iin(iin)}"


DecisionOption = Annotated[str, typer.Option("--decision", help="approve, reject or return.")]


def parse_decision(value: str) -> Decision:
    """``--decision`` as given: a bad value is one line naming the choices, like any bad input."""
    try:
        return Decision(value.strip().lower())
    except ValueError:
        choices = ", ".join(d.value for d in Decision)
        raise BadInput(f"--decision: {value!r} is not one of {choices}") from None


@approvals_app.command("sign")
@fails_cleanly
def approvals_sign(
    approval_id: Annotated[int, typer.Argument(help="Approval id (see `approvals list`).")],
    decision_given: DecisionOption,
    key: KeyFile,
    password_file: PasswordFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Print your EDS (base64 CMS) over the exact bytes of this decision, for the *signature*
    field of the decision form in the Prefect UI."""
    decision = parse_decision(decision_given)
    with office_session() as session:
        content = approval_decisions.signed_content(session, approval_id, decision)
    cms = sign_bytes(content, key, password_file)
    data = {
        "approval_id": approval_id,
        "decision": decision.value,
        "signed_sha256": eds.content_sha256(content),
        "signature": eds.encode(cms),
    }
    emit(data, as_json, lambda d: d["signature"])


@approvals_app.command("decide")
@fails_cleanly
def approvals_decide(
    approval_id: Annotated[int, typer.Argument(help="Approval id (see `approvals list`).")],
    decision_given: DecisionOption,
    key: KeyFile,
    password_file: PasswordFile = None,
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for the run to take it up.")
    ] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Decide on a waiting approval with your EDS: you are the holder of the key's
    certificate. The decision is checked and recorded here, once (of two given at once exactly
    one is recorded; the other exits 1 naming who decided first), and only then given to the
    waiting run, which carries on with it."""
    decision = parse_decision(decision_given)
    now = dt.datetime.now(dt.UTC)
    with office_session() as session:
        content = approval_decisions.signed_content(session, approval_id, decision)
    cms = sign_bytes(content, key, password_file)
    with office_session() as session:
        view = approval_store.get_approval(session, approval_id)
        signer = _holder(session, cms)
        signed = approval_decisions.check_eds(
            session, approval_id=approval_id, signer_id=signer, decision=decision, cms=cms, at=now
        )
        verdict = approval_decisions.precheck(
            session, approval_id, signer, decision, now, _four_eyes()
        )
        if signed.refused:
            verdict = Verdict(False, signed.refused)
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
                signed=signed,
            )
    # raised after the transaction so that the refusal and its audit entry are kept
    if not verdict.accepted:
        raise BadInput(f"refused: {verdict.reason}")
    if not view.flow_run_id:
        raise BadInput(f"approval {approval_id} has no flow run waiting for it")
    state = _waiting_run_state(view.flow_run_id)
    if state not in {"Paused", "Suspended"}:
        raise BadInput(
            f"the run of approval {approval_id} is not waiting for a decision (it is {state})"
        )
    from tasks.decision_forms import refresh_form

    refresh_form(approval_id, now)  # the form offers whoever is authorised now: the signer
    with office_session() as session:
        redraft = approval_decisions.needs_redraft(session, approval_id, signer, decision)
    if redraft:  # the run redrafts the document in the signer's name, then asks again
        resumed = _resume(view.flow_run_id, approval_id, decision, signer, comment, cms)
        data = {"approval_id": approval_id, "signer": signer, "resumed": resumed}
        data |= {"status": "pending", "redraft": redraft.removeprefix(approval_decisions.REDRAFT)}
        emit(data, as_json, lambda d: f"approval {approval_id}:{d['redraft']}: the run redrafts it")
        return
    # Recorded before the run hears of it: the conditional update in the store lets exactly
    # one of two decisions given at once through, and only its decider resumes the run.
    with office_session() as session:
        outcome = approval_decisions.record_decision(
            session,
            approval_id=approval_id,
            attempt=None,
            signer_id=signer,
            decision=decision,
            comment=comment,
            at=now,
            four_eyes=_four_eyes(),
            channel="cli",
            cms=cms,
        )
    if not outcome.accepted:
        raise BadInput(f"refused: {outcome.reason}")
    resumed = _resume(view.flow_run_id, approval_id, decision, signer, comment, cms)
    result: dict[str, Any] = {
        "approval_id": approval_id,
        "flow_run_id": view.flow_run_id,
        "signer": signer,
        "decision": outcome.decision,
        "resumed": resumed,
        "status": outcome.status,
        "signature_id": outcome.signature_id,
    }
    deadline = time.monotonic() + wait
    while wait and time.monotonic() < deadline:
        if _waiting_run_state(view.flow_run_id) not in {"Paused", "Suspended"}:
            break
        time.sleep(0.5)
    emit(
        result,
        as_json,
        lambda d: (
            f"approval {d['approval_id']}: {d['decision']} by {d['signer']} recorded"
            f" (status {d['status']}); run {d['flow_run_id']}"
            + (" resumed" if d["resumed"] else " had already been resumed: it carries on with it")
        ),
    )


def _resume(
    flow_run_id: str,
    approval_id: int,
    decision: Decision,
    signer: str,
    comment: str | None,
    cms: bytes,
) -> bool:
    """Give the decision to the waiting run; False when it was resumed meanwhile (from the UI):
    it then finds the approval decided and carries on with the recorded decision. Any other
    failure is told in one line: the decision stays recorded."""
    try:
        prefect_connection()  # before Prefect is imported: the running office's server
    except BadInput as exc:
        raise BadInput(
            f"approval {approval_id}: the decision of {signer} is recorded, but its run"
            f" {flow_run_id} was not resumed ({exc}): the run finds the decision when it is"
            " resumed or started again"
        ) from None
    from prefect.exceptions import NotPausedError
    from prefect.flow_runs import resume_flow_run

    from tasks.decision_forms import offered, signer_value

    try:
        resume_flow_run(
            UUID(flow_run_id),
            run_input={
                "decision": decision.value,
                "signer": signer_value(offered(flow_run_id, approval_id), signer),
                "comment": comment,
                "signature": eds.encode(cms),
            },
        )
    except NotPausedError:
        return False
    except Exception as exc:
        raise BadInput(
            f"approval {approval_id}: the decision of {signer} is recorded, but its run"
            f" {flow_run_id} was not resumed ({one_line(exc)}): the run finds the decision"
            " when it is resumed or started again"
        ) from None
    return True


@documents_app.command("verify")
@fails_cleanly
def documents_verify(
    document_id: Annotated[int, typer.Argument()], as_json: JsonFlag = False
) -> None:
    """Check a document's text against its signatures and re-verify every stored EDS (against
    the text and the trust store at signing time); exit 1 when anything does not match."""
    from models.records.signing_audit import check_signing_records  # the hash audited at signing

    with office_session() as session:
        check = document_store.verify_document(session, document_id)
        stored = eds_store.verify_stored(session, document_id)
        audited = check_signing_records(session, document_id)
    invalid_eds = [c for c in stored if not c.valid and c.problem != eds_store.NO_EDS]
    unaudited = [str(a.problem) for a in audited if not a.valid]
    valid = check.valid and not invalid_eds and not unaudited
    data = {
        "document_id": check.document_id,
        "valid": valid,
        "signed": check.signed,
        "signers": check.signers,
        "sha256": check.sha256_now,
        "problem": check.problem
        or ("; ".join(unaudited + [c.describe() for c in invalid_eds]) or None),
        "eds": [
            {
                "kind": c.kind,
                "staff_id": c.staff_id,
                "name": c.name,
                "iin": c.iin,
                "signed_at": c.signed_at,
                "valid": c.valid,
                "problem": c.problem,
            }
            for c in stored
        ],
    }
    emit(
        data,
        as_json,
        lambda d: "\n".join(
            [
                f"document {d['document_id']}: "
                + (
                    "signed and unchanged by " + ", ".join(d["signers"])
                    if d["valid"]
                    else f"INVALID - {d['problem']}"
                ),
                *(f"  {c.describe()}" for c in stored),
            ]
        ),
    )
    if not valid:
        raise typer.Exit(1)


def _read_with_key(
    session: Any, document_id: int, key: Path, password_file: Path | None
) -> tuple[str | None, str]:
    """Sign a fresh one-time challenge for ``document_id`` and have it verified: the reader
    (None when refused) and why."""
    now = dt.datetime.now(dt.UTC)
    challenge = eds_store.issue_challenge(session, document_id, now)
    cms = sign_bytes(challenge.content, key, password_file)
    try:
        reader = eds_store.answer_challenge(session, challenge.id, cms, now)
    except eds.SignatureRefused as exc:
        return None, f"EDS refused: {exc.reason}"
    return reader.id, "signed"


def _self_declared(session: Any, reader: str, document_id: int, command: str) -> None:
    audit.append(
        session,
        actor=reader,
        action="identity.self_declared",
        entity_kind="document",
        entity_id=document_id,
        payload={"command": command},
    )


@documents_app.command("show")
@fails_cleanly
def documents_show(
    document_id: Annotated[int, typer.Argument()],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Your EDS key (.p12): needed for secret documents."),
    ] = None,
    password_file: PasswordFile = None,
    reader: Annotated[
        str | None,
        typer.Option("--as", help="Your staff id, self-declared (public documents only)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Read a document (audited). Secret materials only with clearance, proven by signing a
    one-time challenge with your EDS (Regulation cl. 8, obligation 5)."""
    refusal = None
    with office_session() as session:
        doc = _document(session, document_id)
        who, why = _reader(session, doc, key, password_file, reader, "documents show")
        read = document_store.read_document(session, document_id, who) if who else None
        if read is None:
            refusal = why if who is None else f"{who} has no clearance for secret documents"
        data = (
            None
            if read is None
            else {
                "document_id": read.id,
                "kind": read.kind,
                "title": read.title,
                "access_level": read.access_level.value,
                "sha256": read.sha256,
                "text": as_text(read.body),
            }
        )
    # raised after the transaction so that the refusal's audit entry is kept
    if data is None:
        raise BadInput(f"refused: {refusal} (document {document_id})")
    emit(data, as_json, lambda d: f"{d['title']} ({d['access_level']})\n\n{d['text']}")


def _document(session: Any, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise BadInput(f"no document {document_id}")
    return doc


def _reader(
    session: Any,
    doc: Document,
    key: Path | None,
    password_file: Path | None,
    reader: str | None,
    command: str,
) -> tuple[str | None, str]:
    """Who reads: the holder of the key that signed a challenge, or (public documents only)
    the staff id declared with ``--as``, audited as self-declared."""
    if key is not None:
        return _read_with_key(session, doc.id, key, password_file)
    if doc.access_level is AccessLevel.SECRET:
        raise BadInput(f"document {doc.id} is secret: give --key YOUR.p12 (with clearance)")
    if reader is None:
        raise BadInput("give --key YOUR.p12, or --as STAFF_ID for a public document")
    _self_declared(session, reader, doc.id, command)
    return reader, "self-declared"


@documents_app.command("pdf")
@fails_cleanly
def documents_pdf(
    document_id: Annotated[int, typer.Argument()],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write it (default: document-ID.pdf).")
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Your EDS key (.p12): needed for secret documents."),
    ] = None,
    password_file: PasswordFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the issued document's PDF (rendered and stored if missing); print path and SHA-256."""
    refusal = None
    with office_session() as session:
        doc = _document(session, document_id)
        allowed = True
        if doc.access_level is AccessLevel.SECRET:
            if key is None:
                raise BadInput(f"document {document_id} is secret: give --key YOUR.p12")
            who, refusal = _read_with_key(session, document_id, key, password_file)
            allowed = who is not None and (
                document_store.read_document(session, document_id, who) is not None
            )
            refusal = refusal if who is None else f"{who} has no clearance for secret documents"
        if allowed:
            sha256 = pdf_store.store_pdf(session, document_id)
            doc = session.get_one(Document, document_id)
            pdf, number = doc.pdf, doc.outgoing_number
    # raised after the transaction so that the refusal's audit entry is kept
    if not allowed:
        raise BadInput(f"refused: {refusal} (document {document_id})")
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


CHECK_RULE = (
    "The check never acts ahead of real time. --on a day after today (Asia/Almaty) is a dry"
    " run: that day's check is computed, printed and rolled back; nothing is written (no"
    " reminder, reassignment, escalation, notification or audit entry) and no flow run is"
    " started. With --force a later day is checked as of today instead: work is reminded,"
    " handed over and escalated only as far as it is due today, never for a day that has not"
    " come. --force also checks a day off. A past day is checked as of that day."
)
COLUMNS = ("state", "what", "title", "assignee", "due", "escalation level")


@deadlines_app.command(
    "check", help=f"Run the deadline check now, as a Prefect flow run. {CHECK_RULE}"
)
@fails_cleanly
def deadlines_check(
    on: OnDate = None,
    remind_within: Annotated[int, typer.Option(min=0)] = 2,
    escalate_every: Annotated[int, typer.Option(min=1)] = 2,
    force: Annotated[
        bool, typer.Option(help="Check even on a day off; write a later day's check as of today.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    from flows.check_deadlines import _table
    from models.sweeps.deadline_sweep import SweepConfig
    from tasks.deadlines import check_plan, preview_sweep

    plan = check_plan(parse_date(on, "--on"), today(), force)
    with office_session():
        pass  # refuse early when the database is not migrated
    if plan.dry_run and not WorkingCalendar().is_working_day(plan.day):
        result: dict[str, Any] = {"on": plan.day, "asked": plan.asked, "dry_run": True}
        result["skipped"] = True  # the morning check does not run on a day off either
    elif plan.dry_run:
        report = preview_sweep(
            plan.day, SweepConfig(remind_within=remind_within, escalate_every=escalate_every)
        )
        result = {
            "on": plan.day,
            "asked": plan.asked,
            "dry_run": True,
            "skipped": False,
            "reminders": report.reminders,
            "reassigned": report.reassigned,
            "escalated": report.escalated,
            "overdue": report.overdue_total,
            "due_soon": report.due_soon_total,
            "table": _table(report),
        }
    else:
        connect()  # the running office's server when there is one (its UI shows the run)
        from flows.check_deadlines import check_deadlines

        result = {
            "asked": plan.asked,
            "dry_run": False,
            **check_deadlines(
                on=plan.day,
                remind_within=remind_within,
                escalate_every=escalate_every,
                force=force,
            ),
        }
    emit(result, as_json, _check_text)


def _check_text(result: dict[str, Any]) -> str:
    """The table the deadline-check artifact shows, then its counts."""
    day = result["on"]
    head = f"deadline check of {day}"
    if result["asked"] != day:
        head += f" (asked for {result['asked']}: checked as of today, never ahead of it)"
    if result["dry_run"]:
        head += ": DRY RUN, nothing written (give --force to write it as of today)"
    if result.get("skipped"):
        hint = "the check does not run on it" if result["dry_run"] else "--force checks it"
        return f"{head}: not a working day, nothing checked ({hint})"
    rows = result.get("table") or []
    lines = [head, _text_table(rows) if rows else "nothing due, overdue or escalated"]
    counts = ("reminders", "reassigned", "escalated", "overdue", "due_soon")
    lines.append(", ".join(f"{k.replace('_', ' ')} {result.get(k, 0)}" for k in counts))
    return "\n".join(lines)


def _text_table(rows: list[dict[str, Any]]) -> str:
    cells = [[str(r.get(c, "")) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(COLUMNS)]
    widths[2] = min(widths[2], 60)  # a long title is cut, the table stays readable

    def line(values: list[str] | tuple[str, ...]) -> str:
        return "  ".join(v[: widths[i]].ljust(widths[i]) for i, v in enumerate(values)).rstrip()

    return "\n".join([line(COLUMNS), line(["-" * w for w in widths]), *map(line, cells)])


@notifications_app.command("list")
@fails_cleanly
def notifications_list(
    recipient: Annotated[
        str | None, typer.Option("--to", help="Staff id, regional_office or body:ID.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Stored reminders, reassignments and escalations, newest first."""
    with office_session() as session:
        if recipient is not None and not _known_recipient(session, recipient):
            raise BadInput(f"--to: unknown staff member {recipient}")
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


def _known_recipient(session: Any, recipient: str) -> bool:
    """A staff member, the regional office, or a body of the register (``body:ID``)."""
    if recipient == REGIONAL_OFFICE:
        return True
    if recipient.startswith("body:"):
        return session.get(Body, recipient.removeprefix("body:")) is not None
    return staff_exists(session, recipient)


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
    """Store, then announce, an answer from outside to a duty: another body's answer to a
    request, a body's report on a coordination item, or a facility's confirmation of a release.
    The announcement carries the duty and the SHA-256 of the stored answer, never its text."""
    from tasks.answers import AnswerInput, receive_answer

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
    if len(text) > 10000:
        raise BadInput("--text: at most 10000 characters")
    given = AnswerInput(
        text=text,
        outcome=Answer(outcome) if outcome else None,
        hearing_date=parse_date(hearing_date, "--hearing-date") if hearing_date else None,
        hearing_place=(hearing_place or "")[:300] or None,
        notified_on=today() if hearing_date else None,
    )
    try:
        sha256 = receive_answer(duty_id, given)  # stored first: nothing is lost
    except (LookupError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    if not emit_answer(event, duty_id, sha256):
        raise BadInput(
            f"the answer is stored on duty {duty_id} but was not announced"
            f" ({last_announcement().reason}): give it again to announce it"
        )
    emit(
        {"duty_id": duty_id, "event": event, "answer_sha256": sha256},
        as_json,
        lambda d: f"{d['event']} for duty {d['duty_id']}",
    )
