"""The decision form of a waiting approval, kept offering whoever is authorised now.

Prefect's server checks a resume against the form's schema, so a form that still offered the
head after the head went on leave would shut out the deputy now replacing the head (cl. 14).
The schema and description of a waiting run are stored as flow run inputs; refreshing rewrites
them with the people authorised at this moment. The check-urgent flow does it every 10 minutes,
the roster commands after every change, and `approvals decide` before it resumes a run.
"""

from __future__ import annotations

import datetime as dt
import json
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.exceptions import ObjectNotFound
from prefect.input.run_input import Keyset

from models.approvals import signer_of
from models.approvals import store as approval_store
from models.db import transaction
from models.vocabulary import approval_prefix
from tasks.approvals import approval_description, decision_form, form_facts
from tasks.step import step


def waiting_keyset(client: SyncPrefectClient, flow_run_id: str, approval_id: int) -> Keyset | None:
    """The inputs of the form the run waits at, when it waits for this approval."""
    try:
        state = client.read_flow_run(UUID(flow_run_id)).state
    except ObjectNotFound:  # a run of another Prefect server (e.g. a one-off check)
        return None
    if state is None or state.name not in {"Paused", "Suspended"}:
        return None
    if not (state.state_details.pause_key or "").startswith(approval_prefix(approval_id)):
        return None
    return state.state_details.run_input_keyset


def offered_signers(client: SyncPrefectClient, flow_run_id: str, keyset: Keyset) -> list[str]:
    schema = json.loads(client.read_flow_run_input(UUID(flow_run_id), keyset["schema"]) or "{}")
    return list(schema.get("properties", {}).get("signer", {}).get("enum", []))


def signer_value(offered: list[str], staff_id: str) -> str:
    """The form's value that names ``staff_id`` (the bare id when the form has no choice)."""
    return next((v for v in offered if signer_of(v) == staff_id), staff_id)


def offered(flow_run_id: str, approval_id: int) -> list[str]:
    """The signer values the run's form offers (none when it does not wait for the approval)."""
    with get_client(sync_client=True) as client:
        keyset = waiting_keyset(client, flow_run_id, approval_id)
        return offered_signers(client, flow_run_id, keyset) if keyset else []


def refresh_form(approval_id: int, at: dt.datetime | None = None) -> bool:
    """Rewrite the waiting form when those authorised changed; whether it was rewritten."""
    view, choices, personal = form_facts(approval_id, at)
    if view.status != "pending" or not view.flow_run_id:
        return False
    run_id = view.flow_run_id
    with get_client(sync_client=True) as client:
        keyset = waiting_keyset(client, run_id, approval_id)
        if keyset is None or offered_signers(client, run_id, keyset) == [c.label for c in choices]:
            return False
        for key in (keyset["schema"], keyset["description"]):
            client.delete_flow_run_input(UUID(run_id), key)
    form = decision_form(choices).with_initial_data(
        description=approval_description(view, choices, personal)
    )
    form.save(keyset, UUID(run_id))
    return True


def pending_with_runs() -> list[int]:
    with transaction() as session:
        return approval_store.pending_with_runs(session)


def refresh_all() -> int:
    """Every waiting decision form offers whoever is authorised now; how many were rewritten."""
    return sum(refresh_form(approval_id) for approval_id in pending_with_runs())


@step
def refresh_decision_forms() -> int:
    """:func:`refresh_all` as a step of the scheduled checks."""
    return refresh_all()
