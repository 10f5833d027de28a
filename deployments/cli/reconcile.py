"""``prosecutor reconcile``: no procedure is orphaned by a lost, rebuilt or stuck Prefect run."""

from __future__ import annotations

from typing import Annotated

import typer

from deployments.cli.support import (
    JsonFlag,
    emit,
    fails_cleanly,
    prefect_connection,
    require_current_schema,
)


@fails_cleanly
def reconcile(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be done; change nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Give every open procedure whose run is gone, finished or stuck a fresh run that carries
    on from the office's records, and wake runs whose answer is stored. The morning deadline
    check does the same."""
    from tasks.recovery import reconcile as reconcile_runs
    from tasks.recovery import render

    require_current_schema()
    prefect_connection()
    rows = reconcile_runs(dry_run=dry_run)
    emit(
        [row.as_dict() for row in rows],
        as_json,
        lambda _: render(rows) + ("\n(dry run: nothing changed)" if dry_run and rows else ""),
    )
