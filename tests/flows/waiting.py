"""Drive a flow that waits for a human: run it in a thread, resume it like a supervisor."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.db import transaction
from models.db.tables import Approval, ApprovalDecision
from models.office import eds
from tasks.decision_forms import offered, signer_value
from tests.eds_ca import session_ca
from tests.support.polling import wait_until as poll


class FlowInThread:
    def __init__(self, fn: Callable[..., Any], **kwargs: Any) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, kwargs), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        try:
            self.result = fn(**kwargs)
        except BaseException as exc:  # handed to the test
            self.error = exc

    def join(self, timeout: float = 60) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the flow did not finish"
        if self.error:
            raise self.error
        return self.result


def wait_until(check: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
    """The shared poll, quicker (a flow in a thread moves fast) and with no error taken as "not
    yet": the test harness's server is up the whole session."""
    return poll(check, timeout, interval=0.2, what=what, transient=())


def run_state(flow_run_id: str) -> str:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    return state.name if state else ""


def waiting_approval(engine: Engine, decisions_so_far: int = 0) -> Approval:
    """The pending approval once its run is paused for the (n+1)-th decision."""

    def ready() -> Approval | None:
        with Session(engine) as session:
            approval = session.scalar(select(Approval).order_by(Approval.id.desc()).limit(1))
            if approval is None or approval.flow_run_id is None:
                return None
            given = session.scalar(
                select(func.count()).where(ApprovalDecision.approval_id == approval.id)
            )
        if given == decisions_so_far and run_state(approval.flow_run_id) in {"Paused", "Suspended"}:
            return approval
        return None

    return wait_until(ready, what="the run to wait for a decision")


def decide(
    approval: Approval,
    signer: str,
    decision: str = "approve",
    comment: str | None = None,
    key: str | None = None,
) -> None:
    """Resume as ``signer`` through the form: the value the form offers for that staff id,
    as a person picks it in the UI (a bare id when the form does not offer them), signed with
    ``key`` (default: the signer's own test-CA key) over the exact bytes decided on."""
    assert approval.flow_run_id
    _resume_as(approval.flow_run_id, approval.id, signer, decision, comment, key)


def signature(approval_id: int, key: str, decision: str = "approve") -> str:
    """The base64 CMS a person pastes into the form (``prosecutor approvals sign``)."""
    with transaction() as session:
        content = approval_decisions.signed_content(session, approval_id, Decision(decision))
    return eds.encode(session_ca().sign(key, content))


def _resume_as(
    flow_run_id: str,
    approval_id: int,
    signer: str,
    decision: str,
    comment: str | None,
    key: str | None = None,
) -> None:
    resume_flow_run(
        UUID(flow_run_id),
        run_input={
            "decision": decision,
            "signer": signer_value(offered(flow_run_id, approval_id), signer),
            "comment": comment,
            "signature": signature(approval_id, key or signer, decision),
        },
    )


def pause_key(flow_run_id: str) -> str | None:
    """The key of the wait a run is in, or None when it is not waiting."""
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    if state is None or state.name not in {"Paused", "Suspended"}:
        return None
    return state.state_details.pause_key


def wait_for_key(flow_run_id: str, prefix: str, timeout: float = 60) -> str:
    return wait_until(
        lambda: (k := pause_key(flow_run_id)) and k.startswith(prefix) and k,
        timeout,
        f"run {flow_run_id} to wait at {prefix}",
    )


def resume(flow_run_id: str, **given: Any) -> None:
    resume_flow_run(UUID(flow_run_id), run_input=given)


def decide_waiting(
    flow_run_id: str, signer: str, decision: str = "approve", comment: str | None = None
) -> None:
    """Decide on the approval a run waits at (its pause key names it) as ``signer``, signed
    with the signer's own test-CA key."""
    key = wait_for_key(flow_run_id, "approval-")
    _resume_as(flow_run_id, int(key.split("-")[1]), signer, decision, comment)
