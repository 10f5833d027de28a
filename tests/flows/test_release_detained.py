"""Immediate release of a person held illegally (CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1)),
through flows in the Prefect test harness on both databases: at night the order goes to the
prosecutor on duty, is escalated by the hour, and the facility's confirmation closes the case;
any prosecutor present may order it instead, and the head is told at once. Started by hand, a
release takes only the number of a stored detention protocol and a ground from a list: no name
is given to Prefect."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from deployments.cli import app
from flows.check_urgent import check_urgent
from flows.record_answer import record_answer
from flows.release_detained import ReleaseStatus, release_detained
from models.approvals import signer_of
from models.db.tables import AuditEntry, Document, Escalation, Notification, Procedure, Signature
from models.procedures import ProcedureStatus
from models.procedures.timeline import procedure_timeline
from models.settings import get_settings
from models.timing.calendar import ALMATY
from tasks.decision_forms import offered
from tests.conftest import Database
from tests.flows.waiting import FlowInThread, decide, wait_until, waiting_approval
from tests.office import absent, load_demo_office, on_duty
from tests.rules.test_detention_rules import ADULT, iin_for, protocol


def offered_ids(approval: object) -> list[str]:
    """The staff ids the run's decision form offers, in order."""
    return [signer_of(v) for v in offered(approval.flow_run_id, approval.id)]


pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def night(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.datetime]:
    """Outside working hours whatever the clock says: the office is closed all day."""
    monkeypatch.setenv("PROSECUTOR_OFFICE_HOURS", "00:00-00:00")
    get_settings.cache_clear()
    yield dt.datetime.now(dt.UTC)
    get_settings.cache_clear()


def stored_protocol(
    tmp_path: Path, key: str, last_name: str, held_for: dt.timedelta, facility: str
) -> str:
    """A detention protocol recorded through ``prosecutor detention record``: its number."""
    detained = dt.datetime.now(dt.UTC) - held_for
    person = {
        "last_name": last_name,
        "first_name": "Ерлан",
        "iin": iin_for(ADULT),
        "birth_date": ADULT.isoformat(),
    }
    data = protocol(
        external_id=key, detained_at=detained.isoformat(), person=person, facility=facility
    )
    path = tmp_path / f"{key}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["detention", "record", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["detentions"][0]["registration_number"]


def report_at_night(
    database: Database,
    night: dt.datetime,
    tmp_path: Path,
    key: str,
    last_name: str,
    facility: str = "ИВС УП Бостандыкского района",
    **params: object,
) -> FlowInThread:
    """The demo office with as-2 on duty tonight, a stored protocol of a detention two hours
    ago, and its release started by hand: the detention had no lawful grounds (CPC art.
    133(1)(4))."""
    load_demo_office(database.engine)
    on_duty(database.engine, "as-2", night - dt.timedelta(hours=1), night + dt.timedelta(hours=12))
    number = stored_protocol(tmp_path, key, last_name, dt.timedelta(hours=2), facility)
    return FlowInThread(
        release_detained, detention_ref=number, ground="no_lawful_grounds", **params
    )


def test_release_at_night_goes_to_the_prosecutor_on_duty_and_is_escalated_by_the_hour(
    database: Database, night: dt.datetime, tmp_path: Path
) -> None:
    run = report_at_night(database, night, tmp_path, "tdf-7", "Құдайбергенова")
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "as-2"  # the prosecutor on duty, not the head
    with get_client(sync_client=True) as client:  # Prefect keeps parameters for all to read
        shown = client.read_flow_run(UUID(approval.flow_run_id))
    assert set(shown.parameters) <= {"detention_ref", "ground", "ordered_by", "language"}
    assert "Құдайбергенов" not in json.dumps(shown.parameters, ensure_ascii=False) + shown.name

    later = night + dt.timedelta(hours=1, minutes=30)  # the order is past its hour
    first, second = check_urgent(at=later), check_urgent(at=later)
    assert first.escalated >= 1 and second.escalated == 0  # once
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
    assert result.status is ReleaseStatus.AWAITING_FACILITY and result.signer == "as-2"
    with Session(database.engine) as session:
        order = session.scalar(select(Document).where(Document.kind == "release_order"))
        signature = session.scalar(select(Signature))
    assert order is not None and order.dispatched_at is not None
    assert "Дежурный прокурор" in order.body and "немедленно освободить" in order.body
    # the facts come from the stored protocol: the person, the facility, the ground chosen
    assert "Құдайбергенова" in order.body and "ИВС УП Бостандыкского района" in order.body
    assert "пункт 4) части первой статьи 133" in order.body
    assert signature is not None and signature.signer_id == "as-2"

    # the facility confirms the release: the event's flow closes the case
    assert record_answer(result.confirmation_duty_id, "освобождён") is True
    with Session(database.engine) as session:
        proc = session.scalar(
            select(Procedure).where(Procedure.registration_number == result.registration_number)
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
    database: Database, night: dt.datetime, tmp_path: Path
) -> None:
    run = report_at_night(database, night, tmp_path, "tdf-8", "Петров", facility="Гауптвахта")
    approval = waiting_approval(database.engine)
    check_urgent(at=night + dt.timedelta(hours=1, minutes=30))
    decide(approval, "head")  # the order names the prosecutor on duty: redrafted for the head
    first_id = approval.id

    def redrafted() -> object:
        a = waiting_approval(database.engine)
        return a if a.id != first_id else None

    second = wait_until(redrafted, what="the order redrafted for the head")
    decide(second, "head")
    assert run.join().signer == "head"
    with Session(database.engine) as session:
        orders = session.scalars(
            select(Document).where(Document.kind == "release_order").order_by(Document.id)
        ).all()
    assert (
        len(orders) == 2 and "Серікбаев" in orders[1].body and orders[1].dispatched_at is not None
    )
    assert orders[0].dispatched_at is None  # the first draft named someone else: never sent


def audit_payloads(database: Database, action: str) -> list[dict[str, object]]:
    with Session(database.engine) as session:
        stored = session.scalars(select(AuditEntry.payload).where(AuditEntry.action == action))
        return [json.loads(p) for p in stored]


def test_any_prosecutor_present_orders_the_release_and_the_head_is_told_cl155_art10_2_9(
    database: Database, night: dt.datetime, tmp_path: Path
) -> None:
    """CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1): the assistant who found the illegal
    detention (not the prosecutor on duty, not the head) orders the release in their own name;
    it is sent at once, recorded as ordered by them, and the head is notified and audited."""
    run = report_at_night(database, night, tmp_path, "tdf-9", "Сидоров", ordered_by="as-1")
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "as-1"  # not as-2 on duty
    decide(approval, "as-1")
    result = run.join()
    assert (result.signer, result.reported_to) == ("as-1", "head")  # the finder signed
    with Session(database.engine) as session:
        order = session.scalar(select(Document).where(Document.kind == "release_order"))
        signature = session.scalar(select(Signature))
        told = session.scalars(
            select(Notification).where(Notification.kind == "release_ordered")
        ).all()
    assert order is not None and order.dispatched_at is not None
    assert "Қасымов" in order.body and signature.signer_id == "as-1"
    assert [n.recipient_id for n in told] == ["head"] and "as-1 ordered" in told[0].message
    assert "Сидоров" not in told[0].message  # the notice names the person by initials
    [report] = audit_payloads(database, "release.reported_to_head")
    assert report["ordered_by"] == "as-1" and report["reported_to"] == "head"


def test_a_present_prosecutor_not_on_duty_may_sign_the_order_drafted_for_the_duty_one(
    database: Database, night: dt.datetime, tmp_path: Path
) -> None:
    """CL-155 art. 10(2)(9): the order was drafted for the prosecutor on duty; a senior
    assistant present comes first: it is redrafted in their name, signed and sent, and the head
    is told who ordered it."""
    run = report_at_night(database, night, tmp_path, "tdf-10", "Орлов", facility="Гауптвахта")
    first = waiting_approval(database.engine)
    assert first.signatory_id == "as-2" and "sa-1" in offered_ids(first)
    decide(first, "sa-1")
    second = wait_until(
        lambda: (a := waiting_approval(database.engine)).id != first.id and a,
        what="the order redrafted for sa-1",
    )
    assert second.signatory_id == "sa-1" and offered_ids(second)[0] == "sa-1"
    decide(second, "sa-1")
    result = run.join()
    assert result.signer == "sa-1" and result.reported_to == "head"
    [report] = audit_payloads(database, "release.reported_to_head")
    assert report["ordered_by"] == "sa-1"


def test_an_absent_prosecutor_cannot_order_the_release_the_duty_one_is_asked(
    database: Database, night: dt.datetime, tmp_path: Path
) -> None:
    """Only a prosecutor present may order it: a named one on leave is recorded as refused and
    the order goes to the prosecutor on duty."""
    load_demo_office(database.engine)
    day = night.astimezone(ALMATY).date()
    absent(database.engine, "as-3", day - dt.timedelta(days=1), day + dt.timedelta(days=2))
    on_duty(database.engine, "as-2", night - dt.timedelta(hours=1), night + dt.timedelta(hours=12))
    number = stored_protocol(tmp_path, "tdf-11", "Ким", dt.timedelta(hours=2), "ИВС")
    run = FlowInThread(
        release_detained, detention_ref=number, ground="no_lawful_grounds", ordered_by="as-3"
    )
    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "as-2" and "as-3" not in offered_ids(approval)
    [reported] = audit_payloads(database, "release.reported")
    assert reported["ordered_by_refused"] == "as-3"
    decide(approval, "as-2")
    assert run.join().signer == "as-2"


def test_release_order_cites_the_law_in_force_cl155_art10_2_9_cpc_14_4_133_1() -> None:
    """The order rests on CL-155 art. 10(2)(9) and CPC arts. 14(4), 133(1), in both
    languages; not on the Regulation."""
    from models.office.roster import Position
    from models.records.rendering import Letterhead, render

    head = Letterhead(
        "Аудан", "Район", "Алматы", "Серікбаев Н.А.", Position.DISTRICT_PROSECUTOR, False
    )
    facts = {
        "registration_number": "R-1",
        "date": dt.date(2026, 12, 2),
        "time": "20:00",
        "addressee_name": "ИВС",
        "addressee_address": None,
        "facility": "ИВС",
        "person": "X",
        "held_since": "01.12.2026 10:00",
        "grounds": "нет оснований",
    }
    ru = render("release_order", "ru", letterhead=head, **facts)
    kk = render("release_order", "kk", letterhead=head, **facts)
    assert "подпунктом 9) пункта 2 статьи 10 Конституционного закона" in ru
    assert "частью четвертой статьи 14 и частью первой статьи 133" in ru
    assert "10-бабы 2-тармағының 9) тармақшасын" in kk and "133-бабының бірінші бөлігін" in kk
    assert "Положени" not in ru and "ереже" not in kk
