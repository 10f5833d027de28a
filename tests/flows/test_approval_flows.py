"""Approvals end to end through flows in the Prefect test harness, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.check_deadlines import check_deadlines
from flows.sign_document import sign_document
from models.approvals import signer_of
from models.db.tables import (
    Approval,
    ApprovalDecision,
    AuditEntry,
    Document,
    Escalation,
    Signature,
)
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.timing.calendar import WorkingCalendar, today
from tasks.decision_forms import offered as offered_values
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, decide, waiting_approval
from tests.office import OFFICE, absent, acting, load_demo_office, pending_approval

pytestmark = pytest.mark.usefixtures("prefect_harness")


def new_appeal(database: Database) -> str:
    with sessionmaker(database.engine).begin() as session:
        proc = procedure_store.register_procedure(
            session,
            office_code=OFFICE,
            kind=ProcedureKind.APPEAL,
            title="Appeal on unpaid wages",
            year=today().year,
            due_date=today() + dt.timedelta(days=20),
        )
        return proc.registration_number


def actions(database: Database) -> list[str]:
    with Session(database.engine) as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def start_signing(number: str, drafter: str = "as-1") -> FlowInThread:
    return FlowInThread(
        sign_document,
        registration_number=number,
        title="Ответ заявителю",
        body="Ваше обращение рассмотрено. <b>Нарушения</b> устранены.",
        drafter_id=drafter,
    )


def offered(approval: Approval) -> list[str]:
    """The staff ids the run's decision form offers as signer."""
    assert approval.flow_run_id
    values = offered_values(approval.flow_run_id, approval.id)
    assert values, "the run does not wait for this approval"
    return [signer_of(v) for v in values]


def test_head_signs_while_present_and_a_deputy_is_not_offered(database: Database) -> None:
    """Regulation cl. 15: the head signs. The form offers only the head, and Prefect refuses
    a deputy's input against it: nothing is recorded and the run still waits."""
    load_demo_office(database.engine)
    run = start_signing(new_appeal(database))
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "head"
    assert offered(approval) == ["head"]
    with pytest.raises(RuntimeError, match="not one of"):
        decide(approval, "dep-1")
    approval = waiting_approval(database.engine)
    decide(approval, "head", comment="Согласовано")
    result = run.join()
    assert result.decision == "approve" and result.signer == "head"
    assert result.dispatched_at is not None
    with Session(database.engine) as session:
        decisions = session.scalars(select(ApprovalDecision).order_by(ApprovalDecision.id)).all()
        signature = session.scalar(select(Signature))
    assert [(d.signer_id, d.accepted) for d in decisions] == [("head", True)]
    assert signature is not None and signature.signer_id == "head" and not signature.acting
    log = actions(database)
    assert log.count("approval.approved") == 1 and log.count("document.dispatched") == 1


def test_head_goes_on_leave_while_approval_pending(database: Database) -> None:
    """Regulation cl. 14-15: the head goes on leave with an acting order while an approval is
    pending; the next deadline check hands it to the acting deputy and the form then offers
    the deputy instead of the head; the deputy's approval is accepted as acting."""
    load_demo_office(database.engine)
    run = start_signing(new_appeal(database))
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "head" and offered(approval) == ["head"]
    day = today()
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=10))
    acting(
        database.engine, "dep-2", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=10)
    )
    checked = check_deadlines(on=day, force=True)
    assert checked.reassigned == 1 and checked.forms_refreshed == 1
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "dep-2" and offered(approval) == ["dep-2"]
    with pytest.raises(RuntimeError, match="not one of"):
        decide(approval, "head")
    decide(approval, "dep-2")
    result = run.join()
    assert result.signer == "dep-2"
    with Session(database.engine) as session:
        signature = session.scalar(select(Signature))
    assert signature is not None and signature.signer_id == "dep-2" and signature.acting


def test_a_form_offered_before_the_roster_changed_is_checked_again(database: Database) -> None:
    """Regulation cl. 14: the head's leave is recorded after the form was offered and before
    any refresh; the head's decision from that form is refused at the moment it is given,
    audited, and the form is offered again with the senior deputy who now replaces the head."""
    load_demo_office(database.engine)
    run = start_signing(new_appeal(database))
    approval = waiting_approval(database.engine)
    assert offered(approval) == ["head"]
    day = today()
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=3))
    decide(approval, "head")
    approval = waiting_approval(database.engine, decisions_so_far=1)
    assert offered(approval) == ["dep-1"]
    decide(approval, "dep-1")
    assert run.join().signer == "dep-1"
    with Session(database.engine) as session:
        decisions = session.scalars(select(ApprovalDecision).order_by(ApprovalDecision.id)).all()
    assert [(d.signer_id, d.accepted) for d in decisions] == [("head", False), ("dep-1", True)]
    assert "not the authorised signatory" in decisions[0].reason
    assert actions(database).count("approval.refused") == 1


def test_drafter_cannot_approve_own_visa_but_may_when_signing_for_the_office(
    database: Database,
) -> None:
    """Four-eyes rule: the drafter of a document cannot approve it, unless the drafter is the
    signatory of the day."""
    load_demo_office(database.engine)
    run = FlowInThread(
        sign_document,
        registration_number=new_appeal(database),
        title="Справка",
        body="Справка о результатах",
        drafter_id="dep-1",
        visa_by="dep-1",
    )
    approval = waiting_approval(database.engine)
    decide(approval, "dep-1")
    approval = waiting_approval(database.engine, decisions_so_far=1)
    with Session(database.engine) as session:
        refusal = session.scalar(select(ApprovalDecision))
    assert refusal is not None and "four-eyes" in refusal.reason
    decide(approval, "dep-1", decision="return", comment="Переделать")
    assert run.join().decision == "return"
    assert "document.dispatched" not in actions(database)  # a returned document is not sent


def test_an_assistants_visa_alone_dispatches_nothing_reg_cl15(database: Database) -> None:
    """Regulation cl. 15: a document of the office leaves it only with the signature of the
    head or the person replacing the head. The assistant's visa is recorded, then the run
    waits for the head: no signature and no dispatch on the visa; the head's signature sends it."""
    load_demo_office(database.engine)
    run = FlowInThread(
        sign_document,
        registration_number=new_appeal(database),
        title="Ответ заявителю",
        body="Ответ по существу обращения",
        drafter_id="as-3",
        visa_by="as-1",
    )
    visa = waiting_approval(database.engine)
    assert visa.visa_by == "as-1" and offered(visa) == ["as-1"]
    decide(visa, "as-1")
    signing = waiting_approval(database.engine)  # the newest approval, with no decision yet
    assert signing.id != visa.id and signing.visa_by is None and offered(signing) == ["head"]
    with Session(database.engine) as session:
        assert session.scalar(select(Signature)) is None
        assert session.get_one(Document, signing.document_id).dispatched_at is None
    log = actions(database)
    assert "approval.visa_given" in log and "document.dispatched" not in log
    decide(signing, "head")
    result = run.join()
    assert (result.visa, result.signer, result.decision) == ("as-1", "head", "approve")
    assert result.dispatched_at is not None
    with Session(database.engine) as session:
        signatures = session.scalars(select(Signature)).all()
    assert [s.signer_id for s in signatures] == ["head"]


def test_a_visa_returned_sends_nothing_and_asks_no_signature(database: Database) -> None:
    """A document returned at the visa goes back to its drafter: the head is never asked."""
    load_demo_office(database.engine)
    run = FlowInThread(
        sign_document,
        registration_number=new_appeal(database),
        title="Ответ заявителю",
        body="Черновик ответа",
        drafter_id="as-3",
        visa_by="as-1",
    )
    decide(waiting_approval(database.engine), "as-1", decision="return", comment="Дополнить")
    result = run.join()
    assert result.decision == "return" and result.dispatched_at is None
    with Session(database.engine) as session:
        assert len(session.scalars(select(Approval)).all()) == 1


def test_undecided_approval_escalated_once_when_checked_twice(database: Database) -> None:
    load_demo_office(database.engine)
    cal = WorkingCalendar()
    due = today() - dt.timedelta(days=1)
    with sessionmaker(database.engine).begin() as session:
        pending_approval(session, due=due, day=due)
    check_day = cal.on_or_next_working_day(today() + dt.timedelta(days=1))
    first = check_deadlines(on=check_day)
    second = check_deadlines(on=check_day)
    assert (first.escalated, second.escalated) == (1, 0)
    with Session(database.engine) as session:
        assert len(session.scalars(select(Escalation)).all()) == 1


def test_check_skips_days_off_unless_forced(database: Database) -> None:
    load_demo_office(database.engine)
    assert check_deadlines(on=dt.date(2026, 12, 16)).skipped is True  # Independence Day
    assert check_deadlines(on=dt.date(2026, 12, 16), force=True).skipped is False


def test_main_job_runs_the_deadline_check(database: Database) -> None:
    """`prosecutor start --once`: bootstrap, then today's check as a flow run, and exit."""
    from typer.testing import CliRunner

    from deployments.cli import app

    result = CliRunner().invoke(app, ["start", "--once"])
    assert result.exit_code == 0, result.stderr
    assert "Deadline check: 0 overdue" in result.stdout
