"""Batch intake on both databases (performance issue, part 2): a batch stores exactly what the
same appeals submitted one by one store — numbers, rows, audit entries and their hashes — with
duplicates found inside the batch and against stored appeals, rejected input kept with its
reason, numbers gap-free under concurrent submitters, and nothing half-written on a failure."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from deployments.cli.inputs import chunks, input_records, submit_appeals
from models.appeals import store as appeal_store
from models.appeals.batch_intake import intake_batch
from models.db import make_engine, transaction
from models.db.migrate import upgrade
from models.db.tables import AppealRow, AuditEntry, Procedure
from models.procedures import ProcedureKind
from models.records import audit
from models.records.audit import verify_stored_chain
from models.timing.calendar import WorkingCalendar
from tests.conftest import POSTGRES_ADMIN_URL, Database
from tests.office import OFFICE, load_demo_office
from tests.support.appeals import appeal_json

CAL = WorkingCalendar(overrides=[])
MOMENT = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def appeal(n: int | str, **change: Any) -> str:
    """Appeal ``eo-<n>`` by post, received on 20 November 2026, as JSON text; its text names
    ``n``, so appeals without an external id (``external_id=None``) differ by content."""
    fields: dict[str, Any] = {
        "external_id": f"eo-{n}",
        "channel": "post",
        "topic": None,
        "subject": f"Жалоба {n}",
        "text": f"Прошу проверить законность действий, обращение {n}.",
        "received_at": "2026-11-20T10:00:00+05:00",
    }
    return appeal_json(**(fields | change))


# Every way an appeal of a batch can end, in one batch (the comment says what it must become).
BATCH = [
    appeal(1),  # registered
    appeal(2, received_at="2025-12-31T12:00:00+05:00"),  # registered in the 2025 register
    appeal(1, subject="Жалоба снова"),  # duplicate of eo-1 earlier in this batch
    appeal("stored"),  # duplicate of an appeal registered before the batch
    appeal(3, subject="x"),  # rejected: the field named in the reason
    "{not json",  # rejected: malformed JSON
    appeal("anon", external_id=None),  # registered, recognised by content
    appeal("anon", external_id=None),  # duplicate of the previous one by content
    appeal("old-anon", external_id=None),  # duplicate by content of a stored appeal
    appeal("stored", channel="unknown"),  # invalid, but its external id is registered: duplicate
    appeal(4),  # registered
]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit log's clock stopped, so hashes of two databases can be compared."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:  # type: ignore[override]
            return cls.fromtimestamp(MOMENT.timestamp(), tz)

    monkeypatch.setattr(audit, "dt", types.SimpleNamespace(datetime=Frozen, UTC=dt.UTC))


@pytest.fixture
def twin(database: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A second empty database of the same kind as ``database``."""
    if database.name == "sqlite":
        path = tmp_path / "twin.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"prosecutor_twin_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """What the intake left in a database, without the moments of storing."""
    with Session(engine) as session:
        appeals = session.execute(
            select(
                AppealRow.id,
                AppealRow.external_id,
                AppealRow.status,
                AppealRow.rejection_reason,
                AppealRow.procedure_id,
                AppealRow.applicant_id,
                AppealRow.text_sha256,
            ).order_by(AppealRow.id)
        ).all()
        procedures = session.execute(
            select(Procedure.id, Procedure.registration_number, Procedure.due_date).order_by(
                Procedure.id
            )
        ).all()
        entries = session.execute(
            select(AuditEntry.seq, AuditEntry.action, AuditEntry.payload, AuditEntry.hash)
            .where(AuditEntry.actor == "intake")
            .order_by(AuditEntry.seq)
        ).all()
        assert verify_stored_chain(session).valid
    return {"appeals": appeals, "procedures": procedures, "audit": entries}


def before_the_batch(engine: Engine) -> None:
    load_demo_office(engine)
    with transaction(engine) as session:
        appeal_store.intake(session, appeal("stored"), OFFICE, CAL)
        appeal_store.intake(session, appeal("old-anon", external_id=None), OFFICE, CAL)


def test_a_batch_stores_what_one_by_one_stores(
    database: Database, twin: Engine, frozen: None
) -> None:
    before_the_batch(database.engine)
    before_the_batch(twin)
    one_by_one = []
    for raw in BATCH:
        with transaction(database.engine) as session:
            one_by_one.append(appeal_store.intake(session, raw, OFFICE, CAL))
    with transaction(twin) as session:
        batch = intake_batch(session, BATCH, OFFICE, CAL)

    assert batch == one_by_one
    assert [r.status for r in batch] == [
        "registered",
        "registered",
        "duplicate",
        "duplicate",
        "rejected",
        "rejected",
        "registered",
        "duplicate",
        "duplicate",
        "duplicate",
        "registered",
    ]
    assert [r.registration_number for r in batch if r.status == "registered"] == [
        "ALM-BST-APL-2026-000003",
        "ALM-BST-APL-2025-000001",  # registered on 31 December 2025, a working day
        "ALM-BST-APL-2026-000004",
        "ALM-BST-APL-2026-000005",
    ]
    assert batch[2].registration_number == batch[0].registration_number
    assert batch[7].appeal_id == batch[6].appeal_id
    assert "subject" in (batch[4].reason or "") and "malformed JSON" in (batch[5].reason or "")
    assert stored(twin) == stored(database.engine)  # the same rows, entries and hashes


def test_append_many_gives_the_hashes_of_append(database: Database, twin: Engine) -> None:
    """One INSERT of many entries and one append at a time build the same chain."""
    entries = [
        {
            "actor": "intake",
            "action": f"test.{n}",
            "entity_kind": "appeal",
            "entity_id": n,
            "payload": {"n": n, "on": dt.date(2026, 11, n + 1)},
            "at": MOMENT + dt.timedelta(seconds=n),
        }
        for n in range(5)
    ]
    with transaction(database.engine) as session:
        singly = [audit.append(session, **e).hash for e in entries]
    with transaction(twin) as session:
        together = [h for _seq, h in audit.append_many(session, entries)]
    assert together == singly
    with transaction(twin) as session:  # and the chain goes on from the head
        audit.append_many(session, entries[:2])
        assert verify_stored_chain(session).valid


class Fault(RuntimeError):
    """A failure injected at one statement of the batch."""


def test_a_failure_mid_batch_leaves_nothing_half_written(database: Database) -> None:
    load_demo_office(database.engine)
    writes = 0

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal writes
        writes += statement.lstrip().upper().startswith(("INSERT", "UPDATE"))

    event.listen(database.engine, "before_cursor_execute", count)
    with transaction(database.engine) as session:
        intake_batch(session, [appeal(n) for n in range(3)], OFFICE, CAL)
    event.remove(database.engine, "before_cursor_execute", count)
    before = stored(database.engine)
    assert writes <= 6  # a constant number of statements, however many appeals

    for k in range(1, writes + 1):
        seen = 0

        def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any, k: int = k) -> None:
            nonlocal seen
            seen += statement.lstrip().upper().startswith(("INSERT", "UPDATE"))
            if seen == k:
                raise Fault(f"crash at write {k}: {statement.split()[:3]}")

        event.listen(database.engine, "before_cursor_execute", fail)
        try:
            with pytest.raises(Fault), transaction(database.engine) as session:
                intake_batch(session, [appeal(n) for n in range(10, 14)], OFFICE, CAL)
        finally:
            event.remove(database.engine, "before_cursor_execute", fail)
        assert stored(database.engine) == before, f"half-written after write {k}"
    results = appeal_store.submit_batch([(appeal(n), None) for n in range(10, 14)], OFFICE, CAL)
    assert [r.registration_number for r in results] == [
        f"ALM-BST-APL-2026-{n:06d}" for n in range(4, 8)
    ]  # no number lost to the failed attempts


def test_an_appeal_the_database_refuses_does_not_lose_the_others(database: Database) -> None:
    """The batch is rolled back and taken one by one: the culprit is kept as rejected with the
    error, the others are registered."""
    load_demo_office(database.engine)

    def refuse(_conn: Any, _cursor: Any, statement: str, params: Any, *_args: Any) -> None:
        mine = statement.startswith("INSERT INTO appeals") and "culprit" in str(params)
        if mine and "'registered'" in str(params):
            raise Fault("the database refuses this appeal")

    event.listen(database.engine, "before_cursor_execute", refuse)
    try:
        results = appeal_store.submit_batch(
            [(appeal(1), None), (appeal("culprit"), None), (appeal(2), None)],
            OFFICE,
            CAL,
            database.engine,
        )
    finally:
        event.remove(database.engine, "before_cursor_execute", refuse)
    assert [r.status for r in results] == ["registered", "rejected", "registered"]
    assert "could not be registered: the database refuses" in (results[1].reason or "")
    assert [r.registration_number for r in results if r.registration_number] == [
        "ALM-BST-APL-2026-000001",
        "ALM-BST-APL-2026-000002",
    ]


def test_concurrent_batches_number_without_gaps(database: Database) -> None:
    """Four submitters at once, each with batches of 25: every appeal stored once, numbered
    1..200, the chain one valid line."""
    load_demo_office(database.engine)
    errors: list[BaseException] = []

    def submitter(p: int) -> None:
        try:
            for b in range(2):
                records = [(appeal(f"{p}-{b}-{n}"), None) for n in range(25)]
                results = appeal_store.submit_batch(records, OFFICE, CAL, database.engine)
                assert all(r.status == "registered" for r in results), results
        except BaseException as exc:  # reported below, from the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=submitter, args=(p,)) for p in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with Session(database.engine) as session:
        seqs = session.scalars(
            select(Procedure.seq)
            .where(Procedure.kind == ProcedureKind.APPEAL)
            .order_by(Procedure.seq)
        ).all()
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "appeal.registered")
        )
        assert verify_stored_chain(session).valid
    assert list(seqs) == list(range(1, 201)) and audited == 200


def test_the_command_line_submits_in_growing_chunks(database: Database, tmp_path: Path) -> None:
    """`appeals submit` reads a file in chunks of 8, 16, ... 500, each stored as one batch; a bad
    line in a chunk is rejected, the rest registered, a second run finds every one."""
    assert [len(c) for c in chunks(iter([("w", "r", None)] * 1100))] == [
        8,
        16,
        32,
        64,
        128,
        256,
        500,
        96,
    ]
    load_demo_office(database.engine)
    batch = tmp_path / "batch.jsonl"
    lines = [appeal(n) for n in range(30)]
    lines[9] = "{broken"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = list(submit_appeals(input_records(batch), OFFICE, CAL))
    assert [r["status"] for r in first].count("registered") == 29
    assert first[9]["status"] == "rejected" and first[9]["source"].endswith(":10")
    again = list(submit_appeals(input_records(batch), OFFICE, CAL))
    assert [r["status"] for r in again].count("duplicate") == 29
