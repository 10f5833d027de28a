"""``prosecutor audit``: the hash-chained audit log, held to its signed checkpoints."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput
from deployments.cli.support import JsonFlag, emit, fails_cleanly, office_session
from models.records import audit_checkpoint
from models.settings import get_settings

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def verify_chain(session: Session) -> dict[str, Any]:
    """The chain walked and held to the latest signed checkpoint of its head."""
    settings = get_settings()
    report = audit_checkpoint.verify(
        session, settings.resolved_audit_checkpoints, settings.resolved_audit_checkpoint_key
    )
    return {
        "valid": report.valid,
        "entries": report.chain.entries,
        "first_broken_seq": report.first_broken_seq,
        "problem": report.problem,
        "checkpoint": audit_checkpoint.describe(report.checkpoint),
        "checkpoints": report.checkpoints,
    }


def write_checkpoint(session: Session) -> dict[str, Any]:
    """Sign the head of the log and append it to the checkpoint file."""
    settings = get_settings()
    try:
        checkpoint = audit_checkpoint.write_checkpoint(
            session,
            settings.office_code,
            settings.resolved_audit_checkpoints,
            settings.resolved_audit_checkpoint_key,
        )
    except audit_checkpoint.CheckpointRefused as exc:
        raise BadInput(f"audit log INVALID, no checkpoint written: {exc}") from None
    return {**asdict(checkpoint), "file": str(settings.resolved_audit_checkpoints)}


@audit_app.command("verify")
@fails_cleanly
def audit_verify(as_json: JsonFlag = False) -> None:
    """Walk the hash chain and hold it to the latest signed checkpoint; exit 1 when the chain is
    broken, the log is shorter than or differs from the checkpoint, or the checkpoint file is
    tampered with."""
    with office_session() as session:
        data = verify_chain(session)
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
def audit_checkpoint_now(as_json: JsonFlag = False) -> None:
    """Sign the head of the log with the office's system key and append it to the checkpoint
    file (outside the database); refused, exit 1, when the log does not hold to the last one."""
    with office_session() as session:
        data = write_checkpoint(session)
    emit(
        data,
        as_json,
        lambda d: (
            f"checkpoint: entry {d['seq']} ({d['entries']} entries), {d['hash'][:16]}..."
            f" signed into {d['file']}"
        ),
    )
