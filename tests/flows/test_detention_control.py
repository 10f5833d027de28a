"""A detention under control on the hour-accurate clock, in the Prefect test harness on both
databases: the protocol recorded at 22:10 (Almaty), its terms as duties in hours, the alert
before the limit and the release started at the limit and signed by the prosecutor on duty
(CPC arts. 14(2), 131(4), 133; CL-155 art. 10(2)(9)); a sanction before the limit stops both."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from deployments.cli import app
from flows.check_urgent import check_urgent, release_thread
from flows.control_detention import control_detention
from models.db.tables import Document, Procedure, Signature
from models.procedures import ProcedureKind
from models.settings import get_settings
from models.timing.calendar import ALMATY
from tests.conftest import Database
from tests.flows.waiting import decide, waiting_approval
from tests.office import load_demo_office, on_duty
from tests.rules.test_detention_rules import iin_for, protocol

pytestmark = pytest.mark.usefixtures("prefect_harness")
runner = CliRunner()
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def night(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.datetime]:
    """Outside working hours whatever the clock says: the prosecutor on duty acts."""
    monkeypatch.setenv("PROSECUTOR_OFFICE_HOURS", "00:00-00:00")
    get_settings.cache_clear()
    yield dt.datetime.now(dt.UTC)
    get_settings.cache_clear()


def recorded_at_2210(
    database: Database, tmp_path: Path, night: dt.datetime, hours: int, **changes: object
) -> tuple[str, dt.datetime]:
    """A protocol of a detention at 22:10 (Almaty) yesterday, recorded through the CLI, with
    as-2 on duty from now until past its limit; its control flow run. Returns the number and
    the limit."""
    load_demo_office(database.engine)
    yesterday = night.astimezone(ALMATY).date() - dt.timedelta(days=1)
    detained = dt.datetime.combine(yesterday, dt.time(22, 10), ALMATY)
    limit = (detained + dt.timedelta(hours=hours)).astimezone(dt.UTC)
    on_duty(database.engine, "as-2", night - dt.timedelta(hours=1), limit + dt.timedelta(hours=3))
    path = tmp_path / "protocol.json"
    data = protocol(detained_at=detained.isoformat(), **changes)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["detention", "record", str(path), "--json"])
    assert result.exit_code == 0, result.output
    number = json.loads(result.stdout)["detentions"][0]["registration_number"]
    control = control_detention(detention_ref=f"prosecutor.detention.{number}")
    assert control.assignee == "as-2"  # the prosecutor on duty
    assert control.limit_at == limit and not control.ended
    return number, limit


def test_detention_at_2210_alerted_then_released_at_the_limit_by_the_prosecutor_on_duty(
    database: Database, tmp_path: Path, night: dt.datetime
) -> None:
    """CPC arts. 14(2), 131(4): 48 hours from 22:10; the prosecutor on duty is alerted 3 hours
    before (office practice), and at the limit without a sanction the release starts on its
    own (CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1)) and is signed by the prosecutor on
    duty; a later check starts no second release."""
    number, limit = recorded_at_2210(database, tmp_path, night, 48)
    alert = limit - dt.timedelta(hours=3)

    assert check_urgent(at=alert - MINUTE).detention_alerts == 0
    assert check_urgent(at=alert + MINUTE).detention_alerts == 1
    assert check_urgent(at=limit - MINUTE).releases_started == ()
    started = check_urgent(at=limit + MINUTE)
    assert started.releases_claimed == (number,) and started.releases_started == (number,)

    approval = waiting_approval(database.engine)
    assert approval.signatory_id == "as-2"
    assert check_urgent(at=limit + 11 * MINUTE).releases_started == ()  # once
    decide(approval, "as-2")
    thread = release_thread(number)
    assert thread is not None
    thread.join(60)
    assert not thread.is_alive()
    with Session(database.engine) as session:
        order = session.scalar(select(Document).where(Document.kind == "release_order"))
        signature = session.scalar(select(Signature))
        releases = session.scalars(
            select(Procedure).where(Procedure.kind == ProcedureKind.RELEASE)
        ).all()
    assert order is not None and order.dispatched_at is not None
    assert "Дежурный прокурор" in order.body and "Ахметов Ерлан" in order.body
    assert "срок задержания без санкции суда (48 ч." in order.body
    assert signature is not None and signature.signer_id == "as-2"
    assert [r.details["detention"] for r in releases] == [number]  # type: ignore[index]


def test_minor_24_hours_and_a_sanction_before_the_limit_stops_alert_and_release(
    database: Database, tmp_path: Path, night: dt.datetime
) -> None:
    """CPC arts. 14(2), 131(4): a minor's limit is 24 hours; the investigating judge's
    sanction of house arrest before it (CPC arts. 14(2), 148(7)) stops the alert and the
    release."""
    born = dt.date(2010, 1, 1)
    person = {"last_name": "Б", "first_name": "Е", "iin": iin_for(born), "birth_date": str(born)}
    number, limit = recorded_at_2210(database, tmp_path, night, 24, person=person)
    at = f"{(limit - dt.timedelta(hours=4)).astimezone(ALMATY):%Y-%m-%dT%H:%M}"
    sanction = ["detention", "sanction", number, "--at", at, "--decision", "house_arrest"]
    given = runner.invoke(app, sanction)
    assert given.exit_code == 0, given.output
    later = check_urgent(at=limit + MINUTE)
    assert later.detention_alerts == 0 and later.releases_started == ()
    with Session(database.engine) as session:
        kinds = session.scalars(select(Procedure.kind)).all()
    assert ProcedureKind.RELEASE not in kinds
