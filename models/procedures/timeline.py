"""A procedure's page for supervisors, as Markdown: status, parties, assignee, due date,
timeline (from the audit log), duties and documents with their hashes. Personal data of the
parties are masked: the Prefect UI, where it is published, is open to everyone who can log in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.db.tables import (
    Approval,
    ApprovalDecision,
    ApprovalStatus,
    AuditEntry,
    Document,
    Duty,
    DutyStatus,
    Procedure,
    Signature,
    StaffRow,
)
from models.procedures.parties import parties_of
from models.timing.calendar import ALMATY


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def procedure_timeline(session: Session, procedure_id: int) -> str:
    proc = session.get_one(Procedure, procedure_id)
    number = proc.registration_number
    documents = session.scalars(select(Document).where(Document.procedure_id == procedure_id)).all()
    approval_rows = session.scalars(
        select(Approval).where(Approval.procedure_id == procedure_id).order_by(Approval.id)
    ).all()
    approvals = [a.id for a in approval_rows]
    accepted = {
        d.approval_id: d
        for d in session.scalars(
            select(ApprovalDecision).where(
                ApprovalDecision.approval_id.in_(approvals), ApprovalDecision.accepted
            )
        )
    }
    duties = session.scalars(select(Duty).where(Duty.procedure_id == procedure_id)).all()
    related = or_(
        AuditEntry.entity_id == number,
        AuditEntry.entity_id.like(f"{number}#%"),
        (AuditEntry.entity_kind == "document")
        & AuditEntry.entity_id.in_([str(d.id) for d in documents]),
        (AuditEntry.entity_kind == "approval")
        & AuditEntry.entity_id.in_([str(a) for a in approvals]),
        (AuditEntry.entity_kind == "duty") & AuditEntry.entity_id.in_([str(d.id) for d in duties]),
    )
    entries = session.scalars(select(AuditEntry).where(related).order_by(AuditEntry.seq)).all()
    signed = {
        s.document_id: s.signer_id
        for s in session.scalars(
            select(Signature).where(Signature.document_id.in_([d.id for d in documents]))
        )
    }

    def when(at: dt.datetime) -> str:
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        return f"{at.astimezone(ALMATY):%d.%m.%Y %H:%M}"

    parties, personal = parties_of(session, procedure_id)
    assignee = session.get(StaffRow, proc.assignee_id) if proc.assignee_id else None
    lines = [
        f"# {number}: {_cell(proc.title)}",
        "",
        f"**Procedure:** {proc.kind.value}  ",
        f"**Status:** {proc.status.value}  ",
        f"**Assignee:** {f'{assignee.name} (`{assignee.id}`)' if assignee else '-'}  ",
        f"**Due:** {proc.due_date:%d.%m.%Y}" if proc.due_date else "**Due:** -",
        "",
        "## Parties",
        "",
        *([f"- {p.role}: {_cell(p.shown)}" for p in parties] or ["- none recorded"]),
        "",
        "## Timeline",
        "",
        "| when (Almaty) | who | what | details |",
        "|---|---|---|---|",
    ]
    for e in entries:
        # masked before it is cut short: a name or an IIN cut in two is no longer recognised
        details = _cell(personal.redact(e.payload))[:300]
        lines.append(f"| {when(e.at)} | {_cell(e.actor)} | {e.action} | {details} |")
    lines += [
        "",
        "## Duties",
        "",
        "| id | step | assignee | due | status | command |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {d.id} | {d.step} | {d.assignee_id or '-'} |"
        f" {d.due_date or (when(d.due_at) if d.due_at else '-')} | {d.status.value} |"
        f" {_code(duty_command(d))} |"
        for d in duties
    ]
    lines += [
        "",
        "## Approvals",
        "",
        "| id | step | must decide | by | status | decided by | on what authority | command |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a in approval_rows:
        decided = accepted.get(a.id)
        lines.append(
            f"| {a.id} | {a.step} | {a.signatory_id or 'regional office'} |"
            f" {a.due_date:%d.%m.%Y} | {a.status.value} | {a.decided_by or '-'} |"
            f" {_cell(decided.reason) if decided else '-'} | {_code(approval_command(a))} |"
        )
    lines += [
        "",
        "## Documents",
        "",
        "| id | kind | outgoing № | date | signed by | sent | SHA-256 of text | PDF |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [_document_row(d, signed.get(d.id, "-")) for d in documents]
    return personal.redact("\n".join(lines) + "\n")


def _code(command: str | None) -> str:
    return f"`{command}`" if command else "-"


def duty_command(duty: Duty) -> str | None:
    """The command that moves an open duty on, with its id (what the command needs, not the
    step's name): an answer from outside (a body's report on a coordination item, an answer to
    an information request, a facility's confirmation of a release) by `prosecutor answer`."""
    awaits_answer = (
        duty.body_id is not None
        or duty.step == "confirm-release"
        or duty.step.startswith("request-")
    )
    if duty.status is DutyStatus.OPEN and awaits_answer:
        return f"prosecutor answer {duty.id} --text ..."
    return None


def approval_command(approval: Approval) -> str | None:
    """A pending approval is decided by `prosecutor approvals decide APPROVAL_ID`."""
    if approval.status is ApprovalStatus.PENDING:
        return f"prosecutor approvals decide {approval.id} --decision ..."
    return None


def _document_row(d: Document, signer: str) -> str:
    """One document: its outgoing number and date, the hash of the text as issued (the stamped
    text once registered, the draft before), and its PDF with the command that writes it."""
    sent = "yes" if d.dispatched_at else "no"
    number = d.outgoing_number or "-"
    date = f"{d.outgoing_date:%d.%m.%Y}" if d.outgoing_date else "-"
    text_sha = d.issued_sha256 or d.sha256
    if d.issued_body is None:
        pdf = "-"  # not issued: nothing to print yet
    else:
        command = f"`prosecutor documents pdf {d.id}`"
        pdf = f"`{d.pdf_sha256}` {command}" if d.pdf_sha256 else f"not stored yet: {command}"
    return f"| {d.id} | {d.kind} | {number} | {date} | {signer} | {sent} | `{text_sha}` | {pdf} |"
