"""The desks' rows read from both databases: the roster, an absence with its acting order, an
overdue duty, a pending approval and the deadline sweep's escalation land on the right desks;
only the rows a desk or the board can show are read, and the pages are the same as with all."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from models.db.tables import Approval, Duty, Escalation, Procedure
from models.procedures import store as procedure_store
from models.sweeps import desk
from models.sweeps.deadline_sweep import SweepConfig, sweep
from models.sweeps.desk import BOARD_KEY, OfficeDesks, desk_key, render_all
from models.sweeps.desk_store import load_desks
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.deadlines import TermUnit
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


def _rows(page: str, section: str) -> list[str]:
    """The table rows of a page's section (without the head), and its "…and N more" line."""
    part = page.split(f"## {section}")[1].split("\n## ")[0]
    return [r for r in part.splitlines() if r.startswith("| ") and "---" not in r][1:] + [
        r for r in part.splitlines() if r.startswith("…")
    ]


def _numbers(rows: list[str]) -> list[str]:
    return [m.group(0) for r in rows if (m := re.search(r"ALM-BST-[A-Z]+-\d{4}-\d+", r))]


def test_only_the_rows_that_can_be_shown_are_read_and_the_pages_stay_the_same(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:

        def duty(
            assignee: str, due: dt.date | None, *, hours: float | None = None, run: bool = False
        ) -> int:
            proc, duty_id = procedure_with_duty(session, assignee=assignee, due=due or ON)
            values: dict[str, object] = {"due_date": due}
            if hours is not None:  # a term in hours: its moment, not its day, counts
                values = {"due_date": None, "due_at": NOW + dt.timedelta(hours=hours)}
            session.execute(update(Duty).where(Duty.id == duty_id).values(**values))
            if run:
                session.execute(
                    update(Procedure).where(Procedure.id == proc).values(flow_run_id=RUN)
                )
            return duty_id

        day = dt.timedelta(days=1)
        # as-1, by urgency: overdue by days and by hours interleaved by the moment they ended,
        # then today's hour term before today's day term, later work, work without a term
        early = duty("as-3", ON + 15 * day)  # the first registration number of 2026
        a = duty("as-1", ON - 5 * day, run=True)
        late_hours = duty("as-1", None, hours=-2)  # due 08:00 today, after the end of yesterday
        c = duty("as-1", ON - day)
        e = duty("as-1", None, hours=3, run=True)
        d = duty("as-1", ON)
        f = duty("as-1", ON + 3 * day, run=True)
        duty("as-1", None, run=True)  # no term: last
        for n in range(30):  # far from urgent, the same day for several (ties by number)
            duty("as-1", ON + (20 + n // 5) * day, run=n % 2 == 0)
        # another assignee's work is the most overdue of the office and the next due
        x = duty("as-2", ON - 10 * day)
        duty("as-2", None, hours=1)
        # on a's day: by the registration number, then the record, not by the record alone (a
        # later duty of the first procedure comes before a, z and w; the cut must rank so)
        z = duty("as-2", ON - 5 * day)
        w = duty("as-2", ON - 5 * day)
        a2 = procedure_store.open_duty(
            session,
            procedure_id=session.get_one(Duty, early).procedure_id,
            step="demand-1",
            title="Demand",
            assignee_id="as-2",
            due_date=ON - 5 * day,
        ).id
        v = duty("as-3", ON - 6 * day)
        # escalations to the deputy: the latest first, the higher level first
        for n, (subject, on_date, level) in enumerate(
            [(a, ON, 1), (c, ON, 2), (late_hours, ON - day, 1), (d, ON - 2 * day, 3), (f, ON, 1)]
        ):
            session.add(
                Escalation(
                    subject_kind="duty",
                    subject_id=subject,
                    level=level,
                    from_staff_id="as-1",
                    to_staff_id="dep-1",
                    reason=f"test {n}",
                    on_date=on_date,
                )
            )

    # every row, as the desks were read before they were bounded
    monkeypatch.setattr(desk, "ROWS_PER_SECTION", 10**6)
    monkeypatch.setattr(desk, "ROWS_ON_BOARD", 10**6)
    everything = load(database)
    monkeypatch.setattr(desk, "ROWS_PER_SECTION", 3)
    monkeypatch.setattr(desk, "ROWS_ON_BOARD", 5)
    bounded = load(database)

    # the reads are bounded: per assignee and class of term (hours, days, none) the first rows
    # of the terms and of the waiting list, and of the board; not the 37 duties of as-1
    mine = [i for i in bounded.items if i.assignee_id == "as-1"]
    assert len([i for i in everything.items if i.assignee_id == "as-1"]) == 37
    assert len(mine) <= 3 * (3 + 3 + 5) < 37
    assert len(bounded.items) < len(everything.items) == 44
    assert len([e for e in bounded.escalations if e.to_staff_id == "dep-1"]) == 3
    assert bounded.totals[("terms", "as-1")] == 37
    assert bounded.totals[("waiting", "as-1")] == 4 + 15
    assert bounded.totals[("escalated", "dep-1")] == 5
    assert bounded.totals[desk.BOARD_TOTAL] == 44 + len(everything.idle_procedures)

    # the pages are exactly those of all the rows
    pages = render_all(bounded, "ru", "http://ui", CAL)
    assert pages == render_all(replace(everything, totals={}), "ru", "http://ui", CAL)

    number = {i.id: i.registration_number for i in everything.items if i.subject == "duty"}
    assistant = pages[desk_key("as-1")]
    terms = _rows(assistant, "Мои сроки")
    assert _numbers(terms) == [number[a], number[c], number[late_hours]]
    assert all("ПРОСРОЧЕНО" in r for r in terms[:3])
    assert terms[3] == "…и ещё 34."
    waiting = _rows(assistant, "Ждёт моей подписи")
    assert _numbers(waiting) == [number[a], number[e], number[f]]
    assert waiting[3] == f"…и ещё {4 + 15 - 3}."
    escalated = _rows(pages[desk_key("dep-1")], "Передано мне")
    assert _numbers(escalated) == [number[c], number[a], number[f]]
    assert escalated[3] == "…и ещё 2."
    board = _rows(pages[BOARD_KEY], "Открытые дела")
    assert _numbers(board) == [number[i] for i in (x, v, a2, a, z)]
    colleague = _rows(pages[desk_key("as-2")], "Мои сроки")
    assert _numbers(colleague) == [number[i] for i in (x, a2, z)]
    assert colleague[3] == "…и ещё 2."  # w and the hour term
    assert number[w] > number[z] > number[a] > number[a2] and a2 > w
    assert board[5] == f"…и ещё {bounded.totals[desk.BOARD_TOTAL] - 5}."
