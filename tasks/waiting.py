"""Waiting for a person inside a flow run: suspended from a deployment, paused otherwise."""

from __future__ import annotations

import os
from typing import TypeVar

from prefect.context import FlowRunContext
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput

from tasks.log_masking import mask_known
from tasks.procedure_page import masked, publish_procedure

# Prefect's own wait limit is not a legal deadline: the deadline check escalates late work.
# A pause whose limit passes can no longer be resumed, so the limit is long.
WAIT_LIMIT_SECONDS = 366 * 24 * 3600

R = TypeVar("R", bound=RunInput)


def pause_poll_seconds() -> int:
    return int(os.environ.get("PROSECUTOR_PAUSE_POLL_SECONDS", "10"))


def wait_for(
    form: type[R],
    description: str,
    key: str,
    page: tuple[int, str] | None = None,
    **initial: object,
) -> R:
    """The input a person gives in the form; ``key`` must be the same on every replay.
    ``page``: (procedure id, what the run waits for): the procedure's page is published and the
    run named after it first, so the UI shows where it stands. ``initial``: values the form is
    filled in with."""
    if page is not None:
        publish_procedure(*page)
    # Prefect keeps the description for everyone with the UI: masked like the page
    description = masked(page[0], description) if page is not None else mask_known(description)
    with_description = form.with_initial_data(description=description, **initial)
    context = FlowRunContext.get()
    if context and context.flow_run and context.flow_run.deployment_id:
        # From a deployment: free the worker; the run restarts from the top on resume.
        return suspend_flow_run(
            wait_for_input=with_description, timeout=WAIT_LIMIT_SECONDS, key=key
        )
    return pause_flow_run(
        wait_for_input=with_description,
        timeout=WAIT_LIMIT_SECONDS,
        poll_interval=pause_poll_seconds(),
        key=key,
    )
