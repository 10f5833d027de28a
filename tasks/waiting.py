"""Waiting for a person inside a flow run: suspended from a deployment, paused otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.exceptions import PrefectHTTPStatusError
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.input.run_input import keyset_from_base_key
from prefect.logging import get_run_logger

from models.settings import get_settings
from models.vocabulary import attempt_key
from tasks.log_masking import mask_known
from tasks.procedure_page import masked, publish_procedure

# Prefect's own wait limit is not a legal deadline: the deadline check escalates late work.
# A pause whose limit passes can no longer be resumed, so the limit is long.
WAIT_LIMIT_SECONDS = 366 * 24 * 3600

# A run started by `prosecutor reconcile` in place of a lost one: the answers given to the lost
# run's forms were copied to it (tasks/recovery.py) and are read back instead of asked again.
RESTARTED_TAG = "restarted"

R = TypeVar("R", bound=RunInput)


def pause_poll_seconds() -> int:
    return get_settings().pause_poll_seconds


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
    if context and context.flow_run and RESTARTED_TAG in (context.flow_run.tags or []):
        given = _given_before(context.flow_run.id, key)
        if given is not None:
            return with_description(**given)
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


def _given_before(flow_run_id: UUID, key: str) -> dict[str, object] | None:
    """The answer to the form ``key`` copied from the run this one replaced, if any."""
    response = keyset_from_base_key(f"suspended-{key}")["response"]
    with get_client(sync_client=True) as client:
        try:
            value = client.read_flow_run_input(flow_run_id, response)
        except PrefectHTTPStatusError as exc:
            if exc.response.status_code == 404:
                return None
            raise
    return json.loads(value)


@dataclass(frozen=True, slots=True)
class Asked(Generic[R]):
    """An accepted answer and the number of the form that gave it (part of the form's key, so
    a replayed run reads the same forms in the same order)."""

    answer: R
    attempt: int


def ask(
    form: type[R],
    description: str,
    key: str,
    *,
    after: int = 0,
    refuse: Callable[[R, int], str | None] | None = None,
    page: tuple[int, str] | None = None,
    **initial: object,
) -> Asked[R]:
    """Ask with form ``key-<n>`` (n counting on from ``after``) until an answer is accepted:
    ``refuse(answer, n)`` says why one is not (e.g. the reporter is not the assignee, the signer
    has no authority today), and the form is asked again. The reason is logged, masked."""
    attempt = after
    while True:
        attempt += 1
        given = wait_for(form, description, attempt_key(key, attempt), page=page, **initial)
        problem = refuse(given, attempt) if refuse is not None else None
        if problem is None:
            return Asked(given, attempt)
        get_run_logger().warning("%s-%d refused: %s", key, attempt, mask_known(problem))
