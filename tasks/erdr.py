"""Steps of the ЕРДР intake as Prefect tasks (the logic is in
``models/procedures/erdr_intake.py``, shared with ``prosecutor erdr``)."""

from __future__ import annotations

from pathlib import Path

from models.procedures import erdr_intake
from models.procedures.erdr import InboxFolderAdapter
from models.procedures.erdr_intake import IntakeSummary
from models.vocabulary import CASE_REGISTERED
from tasks.events import emit_registered
from tasks.step import step


def announce_cases(numbers: list[str]) -> bool:
    """Announce registered cases by their numbers (``prosecutor.case.registered``); False when
    Prefect could not be reached (they are announced later by reconciling)."""
    return emit_registered(CASE_REGISTERED, erdr_intake.KIND, numbers)


@step
def poll_erdr_inbox(folder: str | None = None) -> IntakeSummary:
    """Store every new ЕРДР record (each in its own transaction) and announce the new cases."""
    summary = erdr_intake.poll(InboxFolderAdapter(Path(folder) if folder else None))
    erdr_intake.announce_new(summary, announce_cases)
    return summary


@step
def reconcile_erdr() -> list[str]:
    """Announce stored cases whose announcement failed before."""
    return erdr_intake.reconcile(announce_cases)
