"""Deadline sweep at 10k, 100k and 1M open duties, SQLite and PostgreSQL: the write-light sweep
of `check-deadlines` (one statement per escalation level for all assignees) against the previous
set-based sweep (statements per assignee and level, the day's escalations re-read to notify) and
a naive ORM loop doing the same work (same results asserted), side by side on the same data in
one process, each first and as a same-day rerun. Each run is rolled back, so all see the same
database."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, and_, create_engine, literal, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.report import machine, peak_rss_mb, table
from models.db import make_engine
from models.db.migrate import upgrade
from models.db.sql import as_text
from models.db.tables import Duty, DutyStatus, Escalation, Notification
from models.office.roster import Roster
from models.office.roster_store import read_roster
from models.sweeps import deadline_sweep
from models.sweeps.deadline_sweep import SweepConfig, sweep
from models.sweeps.sweep_subjects import ACTOR, SweepReport, _Subject
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit, due_date
from tests.office import load_demo_office

ON = dt.date(2026, 12, 7)
CONFIG = SweepConfig()
ASSIGNEES = "CASE g % 4 WHEN 0 THEN 'as-1' WHEN 1 THEN 'as-2' WHEN 2 THEN 'as-3' ELSE 'sa-1' END"
# 3% overdue by 1-15 days, 5% due within 0-3 days, the rest 5-90 days ahead
OFFSET = "CASE WHEN g % 100 < 3 THEN -(1 + g % 15) WHEN g % 100 < 8 THEN g % 4 ELSE 5 + g % 86 END"


@contextmanager
def database(kind: str, admin_url: str) -> Iterator[Engine]:
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / f"bench-sweep-{uuid.uuid4().hex[:8]}.db"
        upgrade(f"sqlite:///{path}")
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()
            path.unlink(missing_ok=True)
        return
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def populate(engine: Engine, n: int) -> None:
    """A demo office and ``n`` open duties with a realistic spread of due dates."""
    load_demo_office(engine)
    procedures = max(1, n // 1000)
    pg = engine.dialect.name == "postgresql"
    series = "generate_series(1, :n) AS s(g)" if pg else "s"
    prefix = (
        ""
        if pg
        else "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n) "
    )
    day = "CAST(:on AS date) + ({o})" if pg else "date(:on, ({o}) || ' days')"
    with engine.begin() as conn:
        conn.execute(
            text(
                prefix
                + "INSERT INTO procedures (office_code, kind, year, seq, registration_number,"
                " title, status, version, opened_at)"
                " SELECT 'ALM-BST', 'inspection', 2026, g, 'B-' || g,"
                f" 'Bench', 'in_progress', 1, CURRENT_TIMESTAMP FROM {series}"
            ),
            {"n": procedures},
        )
        conn.execute(
            text(
                prefix
                + "INSERT INTO duties (procedure_id, step, title, assignee_id, status, due_date,"
                f" escalation_level, version, created_at) SELECT 1 + g % {procedures}, 'b-' || g,"
                f" 'Bench duty ' || g, {ASSIGNEES}, 'open', {day.format(o=OFFSET)}, 0, 1,"
                f" CURRENT_TIMESTAMP FROM {series}"
            ),
            {"n": n, "on": ON},
        )
    if pg:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def naive_sweep(session: Session, on: dt.date, calendar: WorkingCalendar) -> None:
    """The same sweep, one ORM object at a time (no reassignment here: nobody is absent)."""
    roster = read_roster(session)
    horizon = due_date(on, CONFIG.remind_within, TermUnit.WORKING_DAYS, calendar)
    chains: dict[str, list] = {}
    for duty in session.scalars(select(Duty).where(Duty.status == DutyStatus.OPEN)):
        if duty.due_date is None or duty.assignee_id is None:
            continue
        if on <= duty.due_date <= horizon and (duty.reminded_on is None or duty.reminded_on < on):
            key = f"reminder:duty:{duty.id}:{on.isoformat()}"
            if (
                session.scalar(select(Notification.id).where(Notification.dedupe_key == key))
                is None
            ):
                session.add(
                    Notification(
                        dedupe_key=key,
                        recipient_id=duty.assignee_id,
                        kind="reminder",
                        subject_kind="duty",
                        subject_id=duty.id,
                        on_date=on,
                        message=f"Due {duty.due_date}: {duty.title}",
                    )
                )
            duty.reminded_on = on
        if duty.due_date < on:
            chain = chains.setdefault(
                duty.assignee_id, roster.escalation_chain(duty.assignee_id, on)
            )
            passed = calendar.working_days_between(duty.due_date, on)
            for level, target in enumerate(chain, start=1):
                if (
                    passed >= 1 + (level - 1) * CONFIG.escalate_every
                    and duty.escalation_level < level
                ):
                    exists = session.scalar(
                        select(Escalation.id).where(
                            Escalation.subject_kind == "duty",
                            Escalation.subject_id == duty.id,
                            Escalation.level == level,
                        )
                    )
                    if exists is None:
                        to = target.staff.id if target.staff else None
                        session.add(
                            Escalation(
                                subject_kind="duty",
                                subject_id=duty.id,
                                level=level,
                                from_staff_id=duty.assignee_id,
                                to_staff_id=to,
                                reason=f"overdue since {duty.due_date}; {target.reason}",
                                on_date=on,
                            )
                        )
                        session.add(
                            Notification(
                                dedupe_key=f"escalation:duty:{duty.id}:{level}",
                                recipient_id=to,
                                external_recipient=None if to else "regional_office",
                                kind="escalation",
                                subject_kind="duty",
                                subject_id=duty.id,
                                on_date=on,
                                message="escalated",
                            )
                        )
                    duty.escalation_level = level
    session.flush()


def outcome(session: Session) -> tuple[frozenset[tuple[int, int, str | None]], frozenset[str]]:
    escalations = frozenset(
        session.execute(select(Escalation.subject_id, Escalation.level, Escalation.to_staff_id))
    )
    keys = frozenset(session.scalars(select(Notification.dedupe_key)))
    return escalations, keys


def timed(engine: Engine, fn, rerun: bool = False) -> tuple[float, float, tuple, float]:  # type: ignore[no-untyped-def]
    """Time one sweep; with ``rerun``, also a second sweep the same day (the daily steady state:
    everything already escalated, nothing to write)."""
    calendar = WorkingCalendar()
    again = float("nan")
    with Session(engine) as session:
        tracemalloc.start()
        start = time.perf_counter()
        fn(session, ON, calendar)
        session.flush()
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result = outcome(session)
        if rerun:
            start = time.perf_counter()
            fn(session, ON, calendar)
            session.flush()
            again = time.perf_counter() - start
        session.rollback()
    return elapsed, peak / 2**20, result, again


def set_based(session: Session, on: dt.date, calendar: WorkingCalendar) -> None:
    sweep(session, on, calendar, CONFIG)


def _previous_escalate(
    session: Session,
    subject: _Subject,
    roster: Roster,
    on: dt.date,
    calendar: WorkingCalendar,
    config: SweepConfig,
    report: SweepReport,
) -> list[dict[str, object]]:
    """The sweep's escalation before the write-light one: the overdue assignees read, then per
    assignee and level an INSERT, an UPDATE and an audit entry; the day's escalations re-read
    to notify them."""
    m = subject.model
    assignees = session.scalars(
        select(subject.assignee).where(subject.open_clause, m.due_date < on).distinct()
    ).all()
    for assignee in assignees:
        chain = deadline_sweep._chain_for(roster, assignee, on)
        cutoffs = deadline_sweep._level_cutoffs(on, calendar, len(chain), config.escalate_every)
        whose = subject.assignee.is_(None) if assignee is None else subject.assignee == assignee
        for level, (target, cutoff) in enumerate(zip(chain, cutoffs, strict=True), start=1):
            report.escalated += deadline_sweep.escalate_level(
                session,
                subject,
                late=and_(
                    subject.open_clause, whose, m.escalation_level < level, m.due_date <= cutoff
                ),
                level=level,
                assignee=assignee,
                target=target,
                reason=literal("overdue since ")
                + as_text(m.due_date)
                + literal(f"; {target.reason}"[:400]),
                on=on,
                actor=ACTOR,
            )
    deadline_sweep.notify_escalations(session, on)
    return []


def previous(session: Session, on: dt.date, calendar: WorkingCalendar) -> None:
    current = deadline_sweep._escalate
    deadline_sweep._escalate = _previous_escalate  # type: ignore[assignment]
    try:
        sweep(session, on, calendar, CONFIG)
    finally:
        deadline_sweep._escalate = current


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--naive-up-to", type=int, default=100_000, help="the naive loop is slow beyond this"
    )
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    rows = []
    for kind in args.databases.split(","):
        for n in (int(s) for s in args.sizes.split(",")):
            with database(kind, args.postgres) as engine:
                t0 = time.perf_counter()
                populate(engine, n)
                fill = time.perf_counter() - t0
                fast, fast_mem, fast_result, rerun = timed(engine, set_based, rerun=True)
                before, _mem, before_result, before_rerun = timed(engine, previous, rerun=True)
                assert before_result == fast_result, "the previous sweep and the new disagree"
                if n <= args.naive_up_to:
                    slow, _slow_mem, slow_result, _ = timed(engine, naive_sweep)
                    assert slow_result == fast_result, "the naive loop and the sweep disagree"
                    ratio = f"{slow / fast:,.0f}x"
                else:
                    slow, ratio = float("nan"), "not run"
                escalations = len(fast_result[0])
                big = kind == "postgresql" and n >= 1_000_000
                target = "< 2 s, rerun < 0.2 s" if big else ">= 50x naive"
                rows.append(
                    [
                        kind,
                        n,
                        escalations,
                        f"{fill:.1f}",
                        f"{fast:.3f}",
                        f"{rerun:.3f}",
                        f"{before:.3f}",
                        f"{before_rerun:.3f}",
                        f"{slow:.2f}",
                        ratio,
                        f"{fast_mem:.1f}",
                        target,
                    ]
                )
    table(
        f"Deadline sweep ({machine()}, {dt.date.today()}; peak RSS {peak_rss_mb():,.0f} MB)",
        [
            "database",
            "open duties",
            "escalations",
            "fill s",
            "sweep s",
            "same-day rerun s",
            "previous s",
            "previous rerun s",
            "naive s",
            "speed-up",
            "sweep peak MiB",
            "target",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
