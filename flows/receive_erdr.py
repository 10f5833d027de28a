"""Intake of cases registered in the Unified Register of Pre-trial Investigations (ЕРДР), every
five minutes: the start of a pre-trial investigation is its registration in ЕРДР (CPC art.
179(1)) and the prosecutor supervises it from then (CPC art. 193(1)). Each record is stored and
numbered first, then announced by its registration number; records not announced before (the
Prefect server was down) are announced again."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from models.procedures.erdr_intake import IntakeSummary
from models.timing.calendar import ALMATY
from tasks.erdr import poll_erdr_inbox, reconcile_erdr


@dataclass(frozen=True, slots=True)
class ErdrIntake:
    """What one intake did: records stored, already known, refused; cases announced (new ones
    and those left over from an earlier intake)."""

    registered: int
    duplicates: int
    rejected: int
    announced: int


def _run_name() -> str:
    """Readable in the UI's run list: ``receive-erdr · 27.11.2026 14:35`` (Almaty)."""
    at = flow_run.scheduled_start_time.astimezone(ALMATY)
    return f"receive-erdr · {at:%d.%m.%Y %H:%M}"


def publish_intake_table(summary: IntakeSummary, late: list[str]) -> None:
    """The intake's table in the UI: numbers, statuses and reasons only (the records' contents
    stay in the database)."""
    rows = [
        {
            "record": r["record_id"],
            "status": r["status"],
            "registration number": r["registration_number"] or "-",
            "reason": (r["reason"] or "")[:200],
        }
        for r in summary.records
    ] + [
        {"record": "-", "status": "announced", "registration number": n, "reason": ""} for n in late
    ]
    create_table_artifact(key="erdr-intake", table=rows, description="ЕРДР intake")


@flow(name="receive-erdr", flow_run_name=_run_name)
def receive_erdr(folder: str | None = None) -> ErdrIntake:
    """Read the ЕРДР inbox through its adapter, store, announce; then reconcile.

    Args:
        folder: the inbox folder of ``*.jsonl`` files (default ``<data dir>/inbox/erdr``).
    """
    summary = poll_erdr_inbox(folder)
    late = reconcile_erdr()
    if summary.records or late:
        publish_intake_table(summary, late)
    return ErdrIntake(
        registered=summary.registered,
        duplicates=summary.duplicates,
        rejected=summary.rejected,
        announced=summary.announced + len(late),
    )
