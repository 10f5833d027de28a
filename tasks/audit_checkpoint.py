"""A signed checkpoint of the audit log's head at every deadline check, shown as an artifact."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from models.db import reading
from models.records import audit_checkpoint
from models.settings import get_settings
from tasks.step import step


def _markdown(result: dict[str, Any]) -> str:
    if not result["written"]:
        return (
            "# Audit log INVALID: no checkpoint written\n\n"
            f"{result['problem']}\n\nRun `prosecutor audit verify` and investigate.\n"
        )
    return (
        "# Audit log checkpoint\n\n| | |\n|---|---|\n"
        f"| head entry | {result['seq']} |\n| entries | {result['entries']} |\n"
        f"| hash | `{result['hash']}` |\n| at (UTC) | {result['at']} |\n"
        f"| office | {result['office']} |\n\n"
        "Signed with the office's system key and kept outside the database;"
        " `prosecutor audit verify` holds the log to it.\n"
    )


@step
def checkpoint_audit_log() -> dict[str, Any]:
    """Sign the head of the log into the checkpoint file. An invalid log is reported loudly
    (error log, artifact) but does not stop the deadline check: deadlines still run."""
    settings = get_settings()
    try:
        with reading() as session:
            checkpoint = audit_checkpoint.write_checkpoint(
                session,
                settings.office_code,
                settings.resolved_audit_checkpoints,
                settings.resolved_audit_checkpoint_key,
            )
        result: dict[str, Any] = {"written": True, **asdict(checkpoint)}
    except audit_checkpoint.CheckpointRefused as exc:
        get_run_logger().error("audit log INVALID, no checkpoint written: %s", exc)
        result = {"written": False, "problem": str(exc)}
    create_markdown_artifact(
        key="audit-checkpoint", markdown=_markdown(result), description="Audit log checkpoint"
    )
    return result
