"""The desks' rows read from both databases: the roster, an absence with its acting order, an
overdue duty, a pending approval and the deadline sweep's escalation land on the right desks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from models import procedure_store
from models.calendar import ALMATY, WorkingCalendar
from models.deadline_sweep import SweepConfig, sweep
from models.deadlines import TermUnit
from models.desk import OfficeDesks, desk_key, render_all
from models.desk_store import load_desks
from models.tables import Approval, Duty, Procedure
from tests.conftest import Database
from tests.office import absent, acting, load_demo_office, pending_approval, procedure_with_duty

CAL = WorkingCalendar(overrides=[])
MONDAY = dt.date(2026, 12, 7)  # a working week: 7-11 December 2026
ON = MONDAY + dt.timedelta(days=3)  # Thursday
NOW = dt.datetime.combine(ON, dt.time(10), ALMATY)
RUN = "9f6d3b1e-0c2a-4d7e-8f11-2a3b4c5d6e7f"


def load(database: Database) -> OfficeDesks:
    with sessionmaker(database.engine)() as session:
        return load_desks(session, ON, NOW)


def test_each_desk_gets_its_own_work_escalations_and_todays_absences(
    database: Database,
) -> None:
    load_demo_office(database.engine)
    # the head is on leave; the first deputy acts for the head under order No. 7
    absent(database.engine, "head", MONDAY, MONDAY + dt.timedelta(days=10))
    acting(database.engine, "dep-1", "head", MONDAY, MONDAY + dt.timedelta(days=10))
    absent(database.engine, "as-3", MONDAY - dt.timedelta(days=20), MONDAY - dt.timedelta(days=10))
    with sessionmaker(database.engine).begin() as session:
        # an assistant's duty overdue since Monday (due the Friday before)
        late_proc, late = procedure_with_duty(
            session, assignee="as-1", due=MONDAY - dt.timedelta(days=3)
        )
        session.execute(update(Procedure).where(Procedure.id == late_proc).values(flow_run_id=RUN))
        # an appeal is considered in working days (CL-155 art. 24(3))
        session.execute(update(Duty).where(Duty.id == late).values(term_id="appeal.consideration"))
        _, later = procedure_with_duty(
            session, assignee="as-1", due=ON + dt.timedelta(days=7), step="redirect"
        )
        _, other = procedure_with_duty(session, assignee="as-2", due=ON + dt.timedelta(days=1))
        # a reply awaiting the signatory of the day: the acting deputy
        approval = pending_approval(session, due=ON - dt.timedelta(days=1), day=MONDAY)
        session.execute(update(Approval).where(Approval.id == approval.id).values(flow_run_id=RUN))
        done_proc, done = procedure_with_duty(session, assignee="as-1", due=MONDAY)
        procedure_store.complete_duty(session, done, "as-1")
        sweep(session, ON, CAL, SweepConfig())  # escalates the late duty to the deputy

    data = load(database)
    assert set(data.staff) == {"head", "dep-1", "dep-2", "sa-1", "as-1", "as-2", "as-3"}
    mine = {i.id for i in data.items if i.subject == "duty" and i.assignee_id == "as-1"}
    assert mine == {late, later}  # the finished duty is not on anyone's desk
    assert {i.id for i in data.items if i.assignee_id == "as-2"} == {other}
    [signing] = [i for i in data.items if i.subject == "approval"]
    assert (signing.assignee_id, signing.flow_run_id) == ("dep-1", RUN)
    assert signing.unit is TermUnit.WORKING_DAYS
    assert {e.subject_id for e in data.escalations if e.to_staff_id == "dep-1"} >= {late}
    escalated = next(e for e in data.escalations if e.subject_id == late)
    assert escalated.from_staff_id == "as-1" and escalated.registration_number.startswith(
        "ALM-BST-APL-"
    )
    assert [(a.staff_id, a.kind) for a in data.absences] == [("head", "leave")]  # not as-3's
    assert [(o.acting_id, o.for_id, o.reference) for o in data.acting] == [
        ("dep-1", "head", "No. 7")
    ]
    # the board lists an open procedure whose duties are done, once; one with work, by its work
    assert done_proc in {p.id for p in data.idle_procedures}
    assert late_proc not in {p.id for p in data.idle_procedures}

    pages = render_all(data, "ru", "http://ui", CAL)
    assistant = pages[desk_key("as-1")]
    terms = assistant.split("## Мои сроки")[1].split("## ")[0].splitlines()
    rows = [r for r in terms if r.startswith("| ") and "---" not in r][1:]
    assert "ПРОСРОЧЕНО" in rows[0] and "просрочено на 4 раб. дн." in rows[0]  # Mon-Thu
    assert "ПРОСРОЧЕНО" not in rows[1]
    assert f"http://ui/runs/flow-run/{RUN}" in assistant
    deputy = pages[desk_key("dep-1")]
    assert "подпись: Ответ заявителю" in deputy
    escalations = deputy.split("## Передано мне")[1].split("## ")[0]
    assert "Қасымов Ерлан Маратұлы (as-1)" in escalations
    assert "No. 7" in deputy and "отпуск" in deputy
    assert "Ответ заявителю" not in pages[desk_key("dep-2")]
