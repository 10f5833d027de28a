"""Offices kept apart in one database, on SQLite and PostgreSQL: a second office's roster that
reuses a staff id of the first is refused and changes nothing (it used to move the head); two
offices loaded together each keep their own signatory (Regulation cl. 14-15 are per office:
who signs for one office is never staff of the other) and their own gap-free numbering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from deployments.cli.roster import DEMO_ROSTER
from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.approvals import store as approval_store
from models.db.tables import Approval, AuditEntry, Escalation, Office, StaffRow
from models.office.roster_store import read_roster
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.records import document_store
from models.sweeps.deadline_sweep import sweep
from models.sweeps.urgent_sweep import sweep_urgent
from models.timing.calendar import WorkingCalendar, today
from tests.conftest import Database
from tests.office import OFFICE, absent, load_demo_office

runner = CliRunner()
SECOND = "ALM-ALT"


def second_office(rename: bool = True) -> dict[str, Any]:
    """The demo office's file as another district's office (Alatau): its own code and names,
    its staff with ids of their own (``rename``) or the first office's ids; no IINs."""
    data = yaml.safe_load(DEMO_ROSTER.read_text(encoding="utf-8"))
    data["office"] |= {
        "code": SECOND,
        "name_kk": "Алатау ауданының прокуратурасы",
        "name_ru": "Прокуратура Алатауского района",
    }
    ids = {s["id"]: (f"alt-{s['id']}" if rename else s["id"]) for s in data["staff"]}
    for s in data["staff"]:
        s["id"], s["name"] = ids[s["id"]], f"Алатау {s['name']}"
        s.pop("iin", None)
    for key, fields in (
        ("absences", ["staff_id"]),
        ("acting_orders", ["acting_id", "for_id"]),
        ("duty_roster", ["staff_id"]),
    ):
        for row in data.get(key) or []:
            for f in fields:
                row[f] = ids[row[f]]
    for body in data.get("bodies") or []:
        body["id"] = f"alt-{body['id']}"
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "second.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def state(database: Database) -> tuple[Any, ...]:
    with Session(database.engine) as session:
        staff = session.execute(
            select(StaffRow.id, StaffRow.office_code, StaffRow.name).order_by(StaffRow.id)
        ).all()
        offices = session.scalars(select(Office.code).order_by(Office.code)).all()
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
    return tuple(map(tuple, staff)), tuple(offices), audit


def two_offices(database: Database, tmp_path: Path) -> None:
    load_demo_office(database.engine)
    loaded = runner.invoke(app, ["roster", "load", str(write(tmp_path, second_office()))])
    assert loaded.exit_code == 0, loaded.output


def reply_for_signature(
    session: Session, office: str, day: dt.date, due: dt.date, kind: ProcedureKind
) -> tuple[int, approval_store.ApprovalView]:
    """A matter of ``office`` (its procedure id) whose reply waits for the signatory."""
    proc = procedure_store.register_procedure(
        session, office_code=office, kind=kind, title="Matter", year=day.year, due_date=due
    )
    doc = document_store.create_document(
        session,
        procedure_id=proc.id,
        kind="reply",
        language="ru",
        title="Ответ",
        body=f"Reply of {office}",
        drafted_by=None,
    )
    view = approval_store.open_approval(
        session,
        procedure_id=proc.id,
        step="sign-reply",
        document_id=doc.id,
        due_date=day + dt.timedelta(days=5),
        day=day,
    )
    return proc.id, view


def first_level_escalations(database: Database) -> dict[int, str | None]:
    """Duty id → to whom its first escalation went."""
    with Session(database.engine) as session:
        return dict(
            session.execute(
                select(Escalation.subject_id, Escalation.to_staff_id).where(
                    Escalation.subject_kind == "duty", Escalation.level == 1
                )
            ).all()
        )


def test_a_second_office_reusing_a_staff_id_is_refused_and_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    load_demo_office(database.engine)
    before = state(database)
    result = runner.invoke(app, ["roster", "load", str(write(tmp_path, second_office(False)))])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert "already staff of another office" in lines[0] and "'head' (ALM-BST)" in lines[0]
    assert state(database) == before  # the head still heads ALM-BST, nothing written
    with Session(database.engine) as session:
        assert read_roster(session, OFFICE).signatory_on(today()).staff.id == "head"


def test_two_offices_each_keep_their_own_signatory(database: Database, tmp_path: Path) -> None:
    two_offices(database, tmp_path)
    day, now = today(), dt.datetime.now(dt.UTC)
    views = {}
    with sessionmaker(database.engine).begin() as session:
        for office in (OFFICE, SECOND):
            _, views[office] = reply_for_signature(
                session, office, day, day + dt.timedelta(days=5), ProcedureKind.APPEAL
            )
    assert views[OFFICE].signatory_id == "head"
    assert views[SECOND].signatory_id == "alt-head"

    def verdict(office: str, signer: str) -> approval_decisions.Verdict:
        with Session(database.engine) as session:
            return approval_decisions.precheck(
                session, views[office].id, signer, Decision.APPROVE, now, False
            )

    def offered(office: str) -> set[str]:
        with Session(database.engine) as session:
            return {
                c.staff_id for c in approval_decisions.choices_for(session, views[office].id, now)
            }

    assert verdict(SECOND, "alt-head").accepted and not verdict(SECOND, "head").accepted
    assert verdict(OFFICE, "head").accepted and not verdict(OFFICE, "alt-head").accepted
    # the second office's head on leave (recorded at the terminal): its own deputy signs
    absent(database.engine, "alt-head", day - dt.timedelta(days=1), day + dt.timedelta(days=9))
    assert offered(SECOND) == {"alt-dep-1"} and offered(OFFICE) == {"head"}
    assert verdict(SECOND, "alt-dep-1").accepted
    assert not verdict(SECOND, "dep-1").accepted and not verdict(SECOND, "head").accepted
    assert not verdict(OFFICE, "alt-dep-1").accepted


def test_two_offices_number_their_procedures_apart(database: Database, tmp_path: Path) -> None:
    two_offices(database, tmp_path)
    year = today().year
    numbers: dict[str, list[str]] = {OFFICE: [], SECOND: []}
    for office in (OFFICE, SECOND, SECOND, OFFICE, SECOND, OFFICE, OFFICE):
        with sessionmaker(database.engine).begin() as session:
            proc = procedure_store.register_procedure(
                session,
                office_code=office,
                kind=ProcedureKind.APPEAL,
                title="Appeal",
                year=year,
                due_date=today(),
            )
            numbers[office].append(proc.registration_number)
    assert numbers[OFFICE] == [f"{OFFICE}-APL-{year}-{n:06d}" for n in range(1, 5)]
    assert numbers[SECOND] == [f"{SECOND}-APL-{year}-{n:06d}" for n in range(1, 4)]


def test_the_deadline_check_escalates_and_reassigns_within_each_office(
    database: Database, tmp_path: Path
) -> None:
    """Regulation cl. 14-15 per office: overdue work of one office escalates to its own head, and
    its approvals go to its own deputy while its head is away, never to the other office's."""
    two_offices(database, tmp_path)
    day = today()
    long_ago = day - dt.timedelta(days=30)
    duties, approvals = {}, {}
    with sessionmaker(database.engine).begin() as session:
        for office in (OFFICE, SECOND):
            proc_id, view = reply_for_signature(
                session, office, day, long_ago, ProcedureKind.APPEAL
            )
            approvals[office] = view.id
            duties[office] = procedure_store.open_duty(
                session,
                procedure_id=proc_id,
                step="consider",
                title="Consider",
                assignee_id=None,  # unassigned: the office's head answers for it
                due_date=long_ago,
            ).id
    absent(database.engine, "alt-head", day - dt.timedelta(days=1), day + dt.timedelta(days=9))
    with sessionmaker(database.engine).begin() as session:
        sweep(session, day, WorkingCalendar(overrides=[]))
    with Session(database.engine) as session:
        signers = {o: session.get_one(Approval, a).signatory_id for o, a in approvals.items()}
    first_level = first_level_escalations(database)
    assert first_level[duties[OFFICE]] == "head"
    assert first_level[duties[SECOND]] in {"alt-dep-1", "alt-dep-2"}  # its head is away
    assert signers == {OFFICE: "head", SECOND: "alt-dep-1"}


def test_the_urgent_check_escalates_within_each_office(database: Database, tmp_path: Path) -> None:
    """Urgent work past its hour (CL-155 art. 10(2)(9)) goes to the person authorised now in its
    own office, never to the other office's head."""
    two_offices(database, tmp_path)
    at = dt.datetime(2026, 12, 8, 6, 0, tzinfo=dt.UTC)  # Tuesday 11:00 in Almaty: office hours
    duties = {}
    with sessionmaker(database.engine).begin() as session:
        for office in (OFFICE, SECOND):
            proc = procedure_store.register_procedure(
                session,
                office_code=office,
                kind=ProcedureKind.RELEASE,
                title="Release",
                year=at.year,
                due_date=at.date(),
            )
            duty = procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="release",
                title="Release",
                assignee_id=None,
                due_date=at.date(),
            )
            duty.due_at = at - dt.timedelta(hours=2)
            duties[office] = duty.id
    with sessionmaker(database.engine).begin() as session:
        sweep_urgent(session, at, WorkingCalendar(overrides=[]))
    assert first_level_escalations(database) == {duties[OFFICE]: "head", duties[SECOND]: "alt-head"}
