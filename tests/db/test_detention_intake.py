"""Detention protocols on both databases: `prosecutor detention record` stores and numbers them
(CPC art. 131(2)), `show` gives the terms to the minute, and the urgent sweep alerts before the
limit and claims the release at it once, unless a sanction (CPC arts. 14(2), 148(7)) or a
release (CPC art. 133) was recorded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.db.tables import Duty, DutyStatus, InboxRecord, Notification, Procedure
from models.procedures import ProcedureStatus, detention
from models.sweeps.urgent_sweep import UrgentReport, sweep_urgent
from models.timing.calendar import ALMATY, WorkingCalendar
from tests.conftest import Database
from tests.office import load_demo_office, on_duty
from tests.rules.test_detention_rules import ADULT, iin_for, protocol

runner = CliRunner()
DETAINED = dt.datetime(2026, 12, 14, 22, 10, tzinfo=ALMATY)
LIMIT = DETAINED + dt.timedelta(hours=48)


def record(tmp_path: Path, *lines: dict[str, object]) -> tuple[int, dict[str, object]]:
    batch = tmp_path / "protocols.jsonl"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    result = runner.invoke(app, ["detention", "record", str(batch), "--json"])
    return result.exit_code, json.loads(result.stdout)


def cli(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["detention", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def recorded_one(database: Database, tmp_path: Path, **changes: object) -> str:
    load_demo_office(database.engine)
    code, data = record(tmp_path, protocol(**changes))
    assert code == 0, data
    [row] = data["detentions"]  # type: ignore[misc]
    return row["registration_number"]  # its duties in hours are open: no flow needed


def test_protocols_stored_numbered_and_shown_to_the_minute_cpc_arts131_2_14_2(
    database: Database, tmp_path: Path
) -> None:
    """A protocol is numbered with no name in its title; a bad IIN is kept as rejected with the
    reason; a second copy is not registered twice; `show` gives the 48-hour limit and the
    12-hour notice (CPC arts. 14(2), 131(3)) to the minute in Almaty."""
    load_demo_office(database.engine)
    bad = protocol(external_id="kui-2")
    bad["person"] = {**bad["person"], "iin": iin_for(ADULT)[:-1] + "0"}  # type: ignore[dict-item]
    code, data = record(tmp_path, protocol(), bad, protocol())
    assert code == 1
    assert (data["registered"], data["rejected"], data["duplicates"]) == (1, 1, 1)
    assert data["announced"] == []  # no Prefect server: stored, announced later
    number = data["detentions"][0]["registration_number"]  # type: ignore[index]
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
        raws = session.scalars(select(InboxRecord.raw)).all()
    assert proc is not None and proc.title == f"Задержание № {number}" and proc.area == "criminal"
    assert "Ахметов" not in json.dumps(proc.details, ensure_ascii=False)
    assert len(raws) == 2  # the registered one and the rejected one, as received

    shown = cli("show", number)
    assert shown["limit_hours"] == 48 and shown["minor"] is False
    terms = shown["terms"]
    assert terms["detained_at"]["almaty"] == "14.12.2026 22:10"  # type: ignore[index]
    assert terms["limit_at"]["almaty"] == "16.12.2026 22:10"  # type: ignore[index]
    assert terms["limit_at"]["utc"] == "2026-12-16T17:10:00+00:00"  # type: ignore[index]
    assert terms["notice_due_at"]["almaty"] == "15.12.2026 10:10"  # type: ignore[index]
    steps = {(d["step"], d["status"], d["due_at"]) for d in shown["duties"]}  # type: ignore[attr-defined]
    assert steps == {
        ("detention-notice", "open", "15.12.2026 10:10"),
        ("detention-limit", "open", "16.12.2026 22:10"),
    }


def sweep(database: Database, at: dt.datetime) -> UrgentReport:
    with sessionmaker(database.engine).begin() as session:
        return sweep_urgent(session, at, WorkingCalendar())


def test_alert_once_then_release_claimed_once_at_the_limit_cpc_arts14_2_133_2(
    database: Database, tmp_path: Path
) -> None:
    """Before the alert nothing; from the alert the prosecutor on duty is told once; at the
    limit (CPC arts. 14(2), 133(2)) the release is claimed once and listed for starting until
    its release procedure exists (CL-155 art. 10(2)(9))."""
    number = recorded_one(database, tmp_path)
    utc = LIMIT.astimezone(dt.UTC)  # shifts are stored in UTC
    on_duty(database.engine, "as-2", utc - dt.timedelta(hours=5), utc + dt.timedelta(hours=8))
    minute = dt.timedelta(minutes=1)
    alert_at = LIMIT - dt.timedelta(hours=3)

    early = sweep(database, alert_at - minute)
    assert early.detention_alerts == 0 and early.releases_claimed == []
    first, second = sweep(database, alert_at), sweep(database, alert_at + 10 * minute)
    assert (first.detention_alerts, second.detention_alerts) == (1, 0)
    assert first.releases_claimed == []

    assert sweep(database, LIMIT - minute).releases_claimed == []
    at_limit, again = sweep(database, LIMIT), sweep(database, LIMIT + 10 * minute)
    assert at_limit.releases_claimed == [number] and again.releases_claimed == []
    assert again.releases_to_start == [number]  # not registered yet: started again, idempotent
    with Session(database.engine) as session:
        told = session.execute(
            select(Notification.kind, Notification.recipient_id).where(
                Notification.kind.like("detention%")
            )
        ).all()
        limit_duty = session.scalar(select(Duty).where(Duty.step == detention.LIMIT_STEP))
    assert sorted(told) == [("detention_alert", "as-2"), ("detention_release", "as-2")]
    assert limit_duty is not None and limit_duty.status is DutyStatus.DONE
    assert cli("show", number)["release_started_at"] is not None


def test_a_sanction_before_the_limit_stops_alert_and_release_cpc_arts14_2_148_7(
    database: Database, tmp_path: Path
) -> None:
    """The investigating judge sanctions custody one minute before the limit (CPC arts. 14(2),
    148(7)(1)): no alert, no release, the control is closed once the notice came."""
    number = recorded_one(database, tmp_path, notice_received_at="2026-12-15T08:00:00+05:00")
    given = cli("sanction", number, "--at", "2026-12-16T22:09", "--decision", "custody")
    assert given["in_time"] is True and given["control_ended"] is True
    assert (
        cli("sanction", number, "--at", "2026-12-16T22:09", "--decision", "custody")["changed"]
        is False
    )
    report = sweep(database, LIMIT + dt.timedelta(hours=1))
    assert report.detention_alerts == 0 and report.releases_claimed == []
    assert report.releases_to_start == []
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
    assert proc is not None and proc.status is ProcedureStatus.CLOSED


def test_a_refusal_leaves_the_limit_enforced_a_release_ends_it_cpc_arts148_10_133(
    database: Database, tmp_path: Path
) -> None:
    """A refusal to sanction (CPC art. 148(7)(3)) is executed at once (art. 148(10)): the
    authorised prosecutor is told and the limit stays enforced; a release (art. 133) ends the
    control; a moment before the detention is refused."""
    number = recorded_one(database, tmp_path)
    refused = cli("sanction", number, "--at", "2026-12-16T12:00", "--decision", "refused")
    assert refused["control_ended"] is False
    with Session(database.engine) as session:
        kinds = session.scalars(select(Notification.kind)).all()
    assert "detention_refused" in kinds
    bad = runner.invoke(app, ["detention", "released", number, "--at", "2026-12-14T20:00"])
    assert bad.exit_code == 1 and "precede" in bad.output
    assert cli("released", number, "--at", "2026-12-16T13:30")["control_ended"] is True
    report = sweep(database, LIMIT + dt.timedelta(minutes=5))
    assert report.releases_claimed == [] and report.detention_alerts == 0
