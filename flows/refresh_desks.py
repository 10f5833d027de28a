"""Refresh the desks and the office board whenever work changes.

The ``refresh-desks`` deployment is started by Prefect's own flow-run state events of the
office's flows (a run suspends or pauses to wait for someone, resumes, completes), so a desk
shows a new wait or a decision within seconds; the daily deadline check refreshes them too.
Its concurrency limit of one queues the runs a burst of events creates (none is dropped); a
queued refresh that sees a newer one queued behind it stops at once, because the newer one
reads the latest state anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterId,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.context import FlowRunContext

from tasks.desk import publish_desks


@dataclass(frozen=True, slots=True)
class DeskRefresh:
    """``skipped``: a newer refresh was queued and publishes instead; ``published``: the desks
    and the board built (those unchanged are not stored again)."""

    skipped: bool
    published: int


def newer_refresh_waiting() -> bool:
    """Whether another run of this deployment, created after this one, is still to start."""
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    if run is None or run.deployment_id is None:
        return False
    with get_client(sync_client=True) as client:
        waiting = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[run.deployment_id]),
                id=FlowRunFilterId(not_any_=[run.id]),
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.SCHEDULED, StateType.PENDING])
                ),
            ),
            limit=50,
        )
    return any(r.created and run.created and r.created > run.created for r in waiting)


@flow(name="refresh-desks", flow_run_name="refresh-desks")
def refresh_desks(on: dt.date | None = None) -> DeskRefresh:
    """Publish every desk and the board, unless a newer refresh is already queued."""
    if newer_refresh_waiting():
        get_run_logger().info("a newer refresh is queued: it will publish the latest state")
        return DeskRefresh(skipped=True, published=0)
    return DeskRefresh(skipped=False, published=len(publish_desks(on)))
