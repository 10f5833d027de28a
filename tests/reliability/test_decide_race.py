"""Two `prosecutor approvals decide` at once on one approval, on both databases: exactly one
decision is recorded, the other exits 1 naming who decided first, and only the winner resumes
the waiting run. The run, resumed with the decision the terminal recorded, takes it as given
(no second decision, no refusal)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from deployments.cli import approvals as approvals_cli
from deployments.cli.errors import BadInput
from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.db.tables import Approval, ApprovalDecision, Signature
from models.timing.calendar import today
from tests.conftest import Database
from tests.eds_ca import session_ca
from tests.office import eds_of, load_demo_office, pending_approval

RUN_ID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def waiting_approval(database: Database, monkeypatch: pytest.MonkeyPatch) -> int:
    # the office's server, as the terminal finds it (its calls are replaced in each test)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today() + dt.timedelta(days=3), day=today())
        session.get_one(Approval, view.id).flow_run_id = RUN_ID
    return view.id


def test_two_decides_at_once_one_recorded_the_other_told_who_was_first(
    database: Database, waiting_approval: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_checked = threading.Barrier(2, timeout=60)
    resumed: list[dict[str, Any]] = []

    def run_state(flow_run_id: str) -> str:
        both_checked.wait()  # both have passed their checks: they record at the same moment
        return "Paused"

    def resume(flow_run_id: Any, run_input: dict[str, Any]) -> None:
        resumed.append(run_input)

    monkeypatch.setattr(approvals_cli, "_waiting_run_state", run_state)
    monkeypatch.setattr("tasks.decision_forms.refresh_form", lambda *a, **k: False)
    monkeypatch.setattr("tasks.decision_forms.offered", lambda *a, **k: [])
    monkeypatch.setattr("prefect.flow_runs.resume_flow_run", resume)
    ca = session_ca()
    exits: dict[str, str] = {}

    def decide(decision: str) -> None:
        try:
            approvals_cli.approvals_decide.__wrapped__(  # type: ignore[attr-defined]
                waiting_approval,
                decision,
                Path(ca.key("head")),
                Path(ca.password_file),
                None,
                0,
                True,
            )
            exits[decision] = "ok"
        except BadInput as exc:
            exits[decision] = f"error: {exc}"

    threads = [threading.Thread(target=decide, args=(d,)) for d in ("approve", "reject")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(exits.values())[-1] == "ok" and len(exits) == 2, exits
    [winner] = [d for d, r in exits.items() if r == "ok"]
    [loser] = [r for r in exits.values() if r != "ok"]
    assert "decided first by head" in loser, loser
    with Session(database.engine) as session:
        accepted = session.scalars(
            select(ApprovalDecision).where(ApprovalDecision.accepted.is_(True))
        ).all()
        approval = session.get_one(Approval, waiting_approval)
        signatures = session.scalar(select(func.count()).select_from(Signature))
    assert [(d.decision, d.channel) for d in accepted] == [(winner, "cli")]
    assert approval.status.value == {"approve": "approved", "reject": "rejected"}[winner]
    assert signatures == (1 if winner == "approve" else 0)
    assert [r["decision"] for r in resumed] == [winner]  # only the winner resumes the run


def test_a_bad_run_state_leaves_the_decision_unrecorded(
    database: Database, waiting_approval: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run no longer waiting: refused before anything is recorded."""
    monkeypatch.setattr(approvals_cli, "_waiting_run_state", lambda _id: "Completed")
    ca = session_ca()
    with pytest.raises(BadInput, match="not waiting for a decision"):
        approvals_cli.approvals_decide.__wrapped__(  # type: ignore[attr-defined]
            waiting_approval, "approve", ca.key("head"), ca.password_file, None, 0, True
        )
    with Session(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(ApprovalDecision)) == 0


def test_the_run_takes_the_decision_the_terminal_recorded(
    database: Database, waiting_approval: int
) -> None:
    now = dt.datetime.now(dt.UTC)
    with sessionmaker(database.engine).begin() as session:
        cms = eds_of(session, waiting_approval, "head")
        given = approval_decisions.record_decision(
            session,
            approval_id=waiting_approval,
            attempt=None,
            signer_id="head",
            decision=Decision.APPROVE,
            comment=None,
            at=now,
            channel="cli",
            cms=cms,
        )
    with sessionmaker(database.engine).begin() as session:  # the resumed run, its input
        taken = approval_decisions.record_decision(
            session,
            approval_id=waiting_approval,
            attempt=1,
            signer_id="head",
            decision=Decision.APPROVE,
            comment=None,
            at=now + dt.timedelta(seconds=5),
            cms=cms,
        )
    assert given.accepted and taken.accepted and taken.signed
    assert taken.signature_id == given.signature_id
    with Session(database.engine) as session:
        rows = session.scalars(select(ApprovalDecision)).all()
    assert [(r.accepted, r.channel) for r in rows] == [(True, "cli")]  # no refusal, no second


def test_a_decision_given_after_another_names_the_first(
    database: Database, waiting_approval: int
) -> None:
    with sessionmaker(database.engine).begin() as session:
        cms = {d: eds_of(session, waiting_approval, "head", d.value) for d in Decision}
        first = approval_decisions.record_decision(
            session,
            approval_id=waiting_approval,
            attempt=1,
            signer_id="head",
            decision=Decision.RETURN,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            cms=cms[Decision.RETURN],
        )
    with sessionmaker(database.engine).begin() as session:
        late = approval_decisions.record_decision(
            session,
            approval_id=waiting_approval,
            attempt=None,
            signer_id="head",
            decision=Decision.APPROVE,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            channel="cli",
            cms=cms[Decision.APPROVE],
        )
    assert first.accepted and not late.accepted
    assert late.reason == "the approval was decided first by head (returned)"
