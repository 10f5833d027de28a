"""Races and authority on both databases: two decisions on one approval at once (the UI and the
terminal), exactly one wins; only the authorised signatory of the day may approve, every refusal
is audited."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import approval_decisions
from models.approvals import Decision, check_decision
from models.calendar import today
from models.roster_store import read_roster
from models.tables import Approval, ApprovalDecision, AuditEntry, Signature
from tests.conftest import Database
from tests.office import absent, acting, load_demo_office, pending_approval


def test_two_decisions_at_once_exactly_one_wins(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today() + dt.timedelta(days=3), day=today())
    barrier = threading.Barrier(2)
    outcomes: list[approval_decisions.DecisionOutcome] = []
    errors: list[BaseException] = []

    def decide(attempt: int, decision: Decision) -> None:
        try:
            barrier.wait()
            with sessionmaker(database.engine).begin() as session:
                outcomes.append(
                    approval_decisions.record_decision(
                        session,
                        approval_id=view.id,
                        attempt=attempt,
                        signer_id="head",
                        decision=decision,
                        comment=None,
                        at=dt.datetime.now(dt.UTC),
                        channel="ui" if attempt == 1 else "cli",
                    )
                )
        except BaseException as exc:  # a lost race may surface as a database error: reported
            errors.append(exc)

    threads = [
        threading.Thread(target=decide, args=(1, Decision.APPROVE)),
        threading.Thread(target=decide, args=(2, Decision.REJECT)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [o for o in outcomes if o.accepted]
    assert len(accepted) == 1, (outcomes, errors)
    lost = [o for o in outcomes if not o.accepted]
    assert all("decided" in o.reason for o in lost)
    with Session(database.engine) as session:
        approval = session.get_one(Approval, view.id)
        signatures = session.scalar(select(func.count()).select_from(Signature))
    assert (
        approval.status.value == {"approve": "approved", "reject": "rejected"}[accepted[0].decision]
    )
    assert signatures == (1 if accepted[0].decision == "approve" else 0)


@pytest.mark.parametrize("scenario", ["present", "leave_with_order", "leave_without_order"])
def test_only_the_signatory_of_the_day_may_approve(database: Database, scenario: str) -> None:
    """Regulation cl. 15: documents are signed by the head or the person replacing the head,
    nobody else, whatever their rank; each refusal is audited."""
    load_demo_office(database.engine)
    day = today()
    if scenario != "present":
        absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=5))
    if scenario == "leave_with_order":
        acting(
            database.engine, "dep-2", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=5)
        )
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=day + dt.timedelta(days=3), day=day)
        roster = read_roster(session)
    expected = {"present": "head", "leave_with_order": "dep-2", "leave_without_order": "dep-1"}[
        scenario
    ]
    for staff_id in sorted(roster.staff):
        verdict = check_decision(
            roster,
            signer_id=staff_id,
            decision=Decision.APPROVE,
            day=day,
            drafter_id="as-1",
            pending=True,
        )
        assert verdict.accepted == (staff_id == expected), (staff_id, verdict.reason)
    refused = 0
    for staff_id in sorted(roster.staff):
        if staff_id == expected:
            continue
        with sessionmaker(database.engine).begin() as session:
            outcome = approval_decisions.record_decision(
                session,
                approval_id=view.id,
                attempt=100 + refused,
                signer_id=staff_id,
                decision=Decision.APPROVE,
                comment=None,
                at=dt.datetime.now(dt.UTC),
            )
        assert not outcome.accepted
        refused += 1
    with Session(database.engine) as session:
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "approval.refused")
        )
        stored = session.scalar(
            select(func.count())
            .select_from(ApprovalDecision)
            .where(ApprovalDecision.accepted.is_(False))
        )
    assert audited == stored == refused == len(roster.staff) - 1
