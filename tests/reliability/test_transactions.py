"""One appeal, one transaction, on both databases (issue 19, part 2): the intake fails at each
of its writes in turn, and nothing of that appeal is left stored — no procedure without its
appeal, no appeal without its `appeal.registered` audit entry, no number used up. Before the
explicit transactions of `models.db`, pysqlite let the savepoint's RELEASE commit on SQLite."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from models.appeals import store as appeal_store
from models.db import transaction
from models.db.tables import AppealRow, AuditEntry, InboxRecord, Procedure
from models.procedures import erdr_intake
from models.records import audit
from models.records.audit import verify_stored_chain
from models.timing.calendar import WorkingCalendar
from tests.conftest import Database
from tests.office import load_demo_office
from tests.support.appeals import appeal_json

CAL = WorkingCalendar(overrides=[])
WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE")


class Fault(RuntimeError):
    """The crash injected in the middle of an intake."""


def appeal(n: int) -> str:
    return appeal_json(
        None,
        channel="post",
        topic=None,
        subject="Жалоба",
        text=f"Прошу проверить законность действий, обращение {n}.",
        received_at="2026-11-20T10:00:00+05:00",
    )


def erdr_record(n: int) -> str:
    return json.dumps(
        {
            "external_id": f"erdr-{n}",
            "erdr_number": f"2611000000{n:05d}",
            "registered_at": "2026-03-10T10:00:00+05:00",
            "cc_article": "188 ч.2",
            "form": "investigation",
            "body": "Управление полиции Бостандыкского района",
            "investigator": "Сейітов Бақытжан Ерланұлы",
            "summary": "тайное хищение имущества.",
            "office_code": "ALM-BST",
        },
        ensure_ascii=False,
    )


@contextmanager
def failing_at(engine: Engine, write: int | None) -> Iterator[list[str]]:
    """Raise ``Fault`` at the ``write``-th writing statement (None: count them, fail none)."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(WRITES):
            seen.append(statement.split()[0].upper() + " " + statement.split()[1])
            if write is not None and len(seen) == write:
                raise Fault(f"crash at write {write}: {seen[-1]}")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def stored(engine: Engine) -> dict[str, object]:
    with Session(engine) as session:
        return {
            "procedures": session.scalar(select(func.count()).select_from(Procedure)),
            "appeals": session.scalar(select(func.count()).select_from(AppealRow)),
            "inbox": session.scalar(select(func.count()).select_from(InboxRecord)),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
            "numbers": sorted(session.scalars(select(Procedure.registration_number))),
        }


def crash_at_every_write(engine: Engine, take: Callable[[int], str | None]) -> list[str]:
    """Take item 0 cleanly counting its writes, then item k failing at write k: each failure
    must leave exactly what was there; the next clean item gets the next number, no gap."""
    with failing_at(engine, None) as writes:
        first = take(0)
    assert writes, "the intake wrote nothing"
    for k in range(1, len(writes) + 1):
        before = stored(engine)
        with failing_at(engine, k), pytest.raises(Fault):
            take(k)
        assert stored(engine) == before, f"half-written after a crash at {writes[k - 1]}"
    last = take(len(writes) + 1)
    assert first is not None and last is not None
    assert last[:-6] == first[:-6] and int(last[-6:]) == int(first[-6:]) + 1  # no number lost
    with Session(engine) as session:
        assert verify_stored_chain(session).valid
    return writes


def test_appeal_intake_leaves_nothing_half_written(database: Database) -> None:
    load_demo_office(database.engine)

    def take(n: int) -> str | None:
        return appeal_store.submit(
            appeal(n), None, "ALM-BST", CAL, database.engine
        ).registration_number

    writes = crash_at_every_write(database.engine, take)
    # the writes the crash was injected at: the number, the procedure, the appeal, two audits
    assert sum(w.startswith("INSERT") for w in writes) >= 4, writes


def test_crash_before_the_audit_entry_keeps_no_appeal(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case the issue saw after kill -9: the appeal registered, its audit entry not."""
    load_demo_office(database.engine)
    real = audit.append

    def append(session: Session, **kw: Any) -> Any:
        if kw["action"] == "appeal.registered":
            raise Fault("killed before the audit write")
        return real(session, **kw)

    monkeypatch.setattr(audit, "append", append)
    with pytest.raises(Fault), transaction(database.engine) as session:
        appeal_store.intake(session, appeal(1), "ALM-BST", CAL)
    assert stored(database.engine)["appeals"] == 0
    assert stored(database.engine)["procedures"] == 0


def test_inbox_intake_leaves_nothing_half_written(database: Database) -> None:
    """The same for records from outside (an ЕРДР case), which share the inbox's intake."""
    load_demo_office(database.engine)

    def take(n: int) -> str | None:
        with transaction(database.engine) as session:
            return erdr_intake.store_one(session, erdr_record(n)).registration_number

    crash_at_every_write(database.engine, take)
