"""Races and authority on both databases: two decisions on one approval at once (the UI and the
terminal), exactly one wins; only the authorised signatory of the day may approve, every refusal
is audited; a visa is never a signature; the deputy replaces the head; the prosecutor on duty is
present; any prosecutor present may order a release."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.approvals import ANY_PROSECUTOR, Decision, check_decision
from models.approvals import decisions as approval_decisions
from models.approvals import store as approval_store
from models.db.tables import ActingOrderRow, Approval, ApprovalDecision, AuditEntry, Signature
from models.office.roster import RosterError
from models.office.roster_store import read_roster
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.records import document_store
from models.records.document_store import DocumentError
from models.timing.calendar import today
from tests.conftest import Database
from tests.office import (
    OFFICE,
    absent,
    acting,
    eds_of,
    load_demo_office,
    on_duty,
    pending_approval,
)


def test_two_decisions_at_once_exactly_one_wins(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today() + dt.timedelta(days=3), day=today())
        cms = {d: eds_of(session, view.id, "head", d.value) for d in Decision}
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
                        cms=cms[decision],
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
                cms=eds_of(session, view.id, staff_id),
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


def _decide(approval_id: int, signer: str, attempt: int, database: Database) -> object:
    with sessionmaker(database.engine).begin() as session:
        return approval_decisions.record_decision(
            session,
            approval_id=approval_id,
            attempt=attempt,
            signer_id=signer,
            decision=Decision.APPROVE,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            cms=eds_of(session, approval_id, signer),
        )


def test_an_assistants_visa_alone_dispatches_nothing_reg_cl15(database: Database) -> None:
    """Regulation cl. 15: documents of the office are signed by the head or the person
    replacing the head. An assistant's visa (виза) is accepted as a visa only: no signature
    record, an outcome that is not APPROVE, and dispatch is refused; the head's signature then
    lets the document go."""
    load_demo_office(database.engine)
    day = today()
    with sessionmaker(database.engine).begin() as session:
        proc = procedure_store.register_procedure(
            session, office_code=OFFICE, kind=ProcedureKind.APPEAL, title="A", year=day.year
        )
        doc = document_store.create_document(
            session,
            procedure_id=proc.id,
            kind="reply",
            language="ru",
            title="Ответ",
            body="Ответ заявителю",
            drafted_by="as-3",
        )
        doc_id, proc_id = doc.id, proc.id
        visa = approval_store.open_approval(
            session,
            procedure_id=proc.id,
            step="visa",
            document_id=doc.id,
            due_date=day,
            day=day,
            drafter_id="as-3",
            visa_by="as-1",
        )
    outcome = _decide(visa.id, "as-1", 1, database)
    assert outcome.accepted and outcome.decision == "visa" and outcome.decision != "approve"
    assert outcome.signature_id is None and not outcome.signed
    with sessionmaker(database.engine).begin() as session:
        assert session.scalar(select(func.count()).select_from(Signature)) == 0
        with pytest.raises(DocumentError, match="not signed"):
            document_store.dispatch_document(session, doc_id, "as-1", "post")
    with sessionmaker(database.engine).begin() as session:
        sign = approval_store.open_approval(
            session,
            procedure_id=proc_id,
            step="sign",
            document_id=doc_id,
            due_date=day,
            day=day,
            drafter_id="as-3",
        )
    assert not _decide(sign.id, "as-1", 1, database).accepted  # the visa giver cannot sign
    signed = _decide(sign.id, "head", 2, database)
    assert signed.decision == "approve" and signed.signed
    with sessionmaker(database.engine).begin() as session:
        assert document_store.dispatch_document(session, doc_id, "head", "post").dispatched_at
        log = session.scalars(select(AuditEntry.action)).all()
    assert "approval.visa_given" in log and log.count("approval.approved") == 1


def test_cli_refuses_an_acting_order_for_the_head_naming_an_assistant_reg_cl14_15(
    database: Database,
) -> None:
    """Regulation cl. 14.2, 15: `roster acting add sa-1 --for head` while the deputies are
    present is refused with one clear line and stores nothing; naming a deputy is accepted."""
    load_demo_office(database.engine)
    runner = CliRunner()
    args = ["roster", "acting", "add", "--for", "head", "--from", "2026-12-01"]
    refused = runner.invoke(app, [*args, "sa-1", "--to", "2026-12-10"])
    assert refused.exit_code == 1
    assert "deputy dep-1 is present" in refused.stderr and "cl. 14.2, 15" in refused.stderr
    with Session(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(ActingOrderRow)) == 0
    accepted = runner.invoke(app, [*args, "dep-2", "--to", "2026-12-10"])
    assert accepted.exit_code == 0, accepted.stderr


def test_a_duty_shift_of_an_absent_prosecutor_is_refused(database: Database) -> None:
    """The prosecutor on duty must be present on the duty day: putting someone on leave on
    duty is refused and stores nothing."""
    load_demo_office(database.engine)
    day = today()
    absent(database.engine, "as-2", day, day + dt.timedelta(days=3))
    start = dt.datetime.combine(day, dt.time(13), tzinfo=dt.UTC)
    with pytest.raises(RosterError, match="as-2 is absent"):
        on_duty(database.engine, "as-2", start, start + dt.timedelta(hours=15))
    on_duty(database.engine, "as-1", start, start + dt.timedelta(hours=15))
    with Session(database.engine) as session:
        shifts = read_roster(session).shifts
    assert [s.staff_id for s in shifts] == ["as-1"]


def test_any_prosecutor_present_may_order_a_release_cl155_art10_2_9_cpc_133_1() -> None:
    """CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1): every prosecutor must release a person
    held illegally at once, so any prosecutor present may approve the release order, not
    only the person authorised now; one absent may not; rejecting stays with the authorised."""
    from tests.rules.test_roster import DAY, office

    roster = office(absent=("as3",))
    common = {"day": DAY, "drafter_id": None, "on_call": True}
    moment = dt.datetime.combine(DAY, dt.time(6), tzinfo=dt.UTC)  # working hours: head
    for staff_id in ("head", "dep2", "sa1", "as1"):
        verdict = check_decision(
            roster,
            signer_id=staff_id,
            decision=Decision.APPROVE,
            moment=moment,
            any_prosecutor=True,
            **common,
        )
        assert verdict.accepted, (staff_id, verdict.reason)
    assert check_decision(
        roster, signer_id="as1", decision=Decision.APPROVE, moment=moment, **common
    ).reason.startswith("as1 is not the authorised")  # any other document: cl. 15 holds
    away = check_decision(
        roster,
        signer_id="as3",
        decision=Decision.APPROVE,
        moment=moment,
        any_prosecutor=True,
        **common,
    )
    assert not away.accepted and "absent" in away.reason
    rejected = check_decision(
        roster,
        signer_id="as1",
        decision=Decision.REJECT,
        moment=moment,
        any_prosecutor=True,
        **common,
    )
    assert not rejected.accepted
    assert ANY_PROSECUTOR.endswith("(CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1))")


def test_leave_over_a_duty_shift_is_reported_and_the_shift_covers_nobody(
    database: Database,
) -> None:
    """The prosecutor on duty must be present: sick leave recorded over a shift is kept (it
    cannot be refused), the command says the shift needs someone else, and the roster no longer
    counts the absent prosecutor as on duty."""
    load_demo_office(database.engine)
    start = dt.datetime(2026, 12, 2, 13, tzinfo=dt.UTC)  # 18:00 in Almaty
    on_duty(database.engine, "as-1", start, start + dt.timedelta(hours=15))
    args = ["roster", "absence", "add", "as-1", "--from", "2026-12-02", "--to", "2026-12-04"]
    result = CliRunner().invoke(app, [*args, "--kind", "sick_leave"])
    assert result.exit_code == 0, result.stderr
    assert "warning: as-1 was on duty" in result.stdout and "put someone else" in result.stdout
    with Session(database.engine) as session:
        roster = read_roster(session)
    assert roster.on_duty_at(start + dt.timedelta(hours=2)) is None
