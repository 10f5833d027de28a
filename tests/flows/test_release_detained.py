"""Immediate release of a person held illegally (Regulation cl. 8, obligation 6), through flows
in the Prefect test harness on both databases: at night the order goes to the prosecutor on duty,
is escalated by the hour, and the facility's confirmation closes the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.check_urgent import check_urgent
from flows.record_answer import record_answer
from flows.release_detained import release_detained
from models.procedures import ProcedureStatus
from models.settings import get_settings
from models.tables import AuditEntry, Document, Escalation, Notification, Procedure, Signature
from models.timeline import procedure_timeline
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, decide, wait_until, waiting_approval
from tests.office import load_demo_office, on_duty

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def night(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.datetime]:
    """Outside working hours whatever the clock says: the office is closed all day."""
    monkeypatch.setenv("PROSECUTOR_OFFICE_HOURS", "00:00-00:00")
    get_settings.cache_clear()
    yield dt.datetime.now(dt.UTC)
    get_settings.cache_clear()


def report_at_night(
    database: Database, night: dt.datetime, report_id: str, **facts: object
) -> FlowInThread:
    """The demo office with as-2 on duty tonight, and a report that someone is held illegally."""
    load_demo_office(database.engine)
    on_duty(database.engine, "as-2", night - dt.timedelta(hours=1), night + dt.timedelta(hours=12))
    return FlowInThread(release_detained, report_id=report_id, **facts)


def test_release_at_night_goes_to_the_prosecutor_on_duty_and_is_escalated_by_the_hour(
    database: Database, night: dt.datetime
) -> None:
    run = report_at_night(
        database,
        night,
        "tdf-7",
        facility="ИВС УП Бостандыкского района",
        person="Иванов Иван Иванович",
        held_since=night - dt.timedelta(hours=80),
        grounds="срок задержания (72 часа) истёк, решение суда о мере пресечения отсутствует",
    )
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "as-2"  # the prosecutor on duty, not the head

    later = night + dt.timedelta(hours=1, minutes=30)  # the order is past its hour
    first, second = check_urgent(at=later), check_urgent(at=later)
    assert first["escalated"] >= 1 and second["escalated"] == 0  # once
    with Session(database.engine) as session:
        levels = session.execute(
            select(Escalation.subject_kind, Escalation.level, Escalation.to_staff_id)
        ).all()
        told = session.scalars(
            select(Notification.recipient_id).where(Notification.kind == "escalation")
        ).all()
    assert ("approval", 1, "head") in levels and all(level == 1 for _, level, _ in levels)
    assert "head" in told

    decide(approval, "as-2")
    result = run.join()
    assert result["signer"] == "as-2"
    with Session(database.engine) as session:
        order = session.scalar(select(Document).where(Document.kind == "release_order"))
        signature = session.scalar(select(Signature))
    assert order is not None and order.dispatched_at is not None
    assert "Дежурный прокурор" in order.body and "немедленно освободить" in order.body
    assert signature is not None and signature.signer_id == "as-2"

    # the facility confirms the release: the event's flow closes the case
    assert (
        record_answer(
            duty_ref=f"prosecutor.duty.{result['confirmation_duty_id']}", answer="освобождён"
        )
        is True
    )
    with Session(database.engine) as session:
        proc = session.scalar(
            select(Procedure).where(Procedure.registration_number == result["registration_number"])
        )
        assert proc.status is ProcedureStatus.CLOSED
        timeline = procedure_timeline(session, proc.id)
        actions = session.scalars(select(AuditEntry.action)).all()
    for step in (
        "release.reported",
        "approval.requested",
        "approval.approved",
        "document.dispatched",
        "duty.answered",
    ):
        assert step in timeline, step
    assert "duty.escalated" in actions or "approval.escalated" in actions


def test_escalated_head_may_sign_the_order_redrafted_in_the_heads_name(
    database: Database, night: dt.datetime
) -> None:
    run = report_at_night(
        database,
        night,
        "tdf-8",
        facility="Спецприёмник",
        person="Петров П.П.",
        held_since=night - dt.timedelta(hours=30),
        grounds="административный арест отбыт",
    )
    approval = waiting_approval(database.engine)
    check_urgent(at=night + dt.timedelta(hours=1, minutes=30))
    decide(approval, "head")  # the order names the prosecutor on duty: redrafted for the head
    first_id = approval.id

    def redrafted() -> object:
        a = waiting_approval(database.engine)
        return a if a.id != first_id else None

    second = wait_until(redrafted, what="the order redrafted for the head")
    decide(second, "head")
    assert run.join()["signer"] == "head"
    with Session(database.engine) as session:
        orders = session.scalars(
            select(Document).where(Document.kind == "release_order").order_by(Document.id)
        ).all()
    assert (
        len(orders) == 2 and "Серікбаев" in orders[1].body and orders[1].dispatched_at is not None
    )
    assert orders[0].dispatched_at is None  # the first draft named someone else: never sent
