"""Steps of the ЕРДР intake as Prefect tasks (the logic is in
``models/procedures/erdr_intake.py``, shared with ``prosecutor erdr``)."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from models.procedures import erdr_intake
from models.procedures.erdr import InboxFolderAdapter
from models.procedures.erdr_intake import IntakeSummary


@task(name="poll-erdr-inbox", cache_policy=NO_CACHE)
def poll_inbox(folder: str | None = None) -> IntakeSummary:
    """Store every new ЕРДР record (each in its own transaction) and announce the new cases."""
    summary = erdr_intake.poll(InboxFolderAdapter(Path(folder) if folder else None))
    erdr_intake.announce_new(summary)
    return summary


@task(name="reconcile-erdr", cache_policy=NO_CACHE)
def reconcile() -> list[str]:
    """Announce stored cases whose announcement failed before."""
    return erdr_intake.reconcile()
