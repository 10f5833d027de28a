"""The hash-chained audit log: it verifies when intact and names the first broken entry."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from models.db.tables import AuditEntry
from models.records import audit
from tests.conftest import Database


def _write(database: Database, n: int) -> None:
    with Session(database.engine) as session, session.begin():
        for i in range(n):
            audit.append(
                session,
                actor="tester",
                action="test.event",
                entity_kind="thing",
                entity_id=i,
                payload={"i": i, "text": "Қазақ тілі — «мәтін»"},
            )


def _verify(database: Database) -> audit.ChainReport:
    with Session(database.engine) as session:
        return audit.verify_stored_chain(session)


def _without_guard(database: Database, sql: str) -> None:
    """Tamper as a database administrator would: around the append-only triggers."""
    with database.engine.begin() as conn:
        if database.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text(sql))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
            conn.execute(text(sql))


def test_intact_chain_verifies(database: Database) -> None:
    _write(database, 5)
    report = _verify(database)
    assert report.valid and report.entries == 5


def test_edited_row_is_named(database: Database) -> None:
    _write(database, 5)
    _without_guard(database, "UPDATE audit_log SET actor = 'intruder' WHERE seq = 3")
    report = _verify(database)
    assert not report.valid and report.first_broken_seq == 3 and "edited" in report.problem


def test_deleted_row_is_detected_at_its_successor(database: Database) -> None:
    _write(database, 5)
    _without_guard(database, "DELETE FROM audit_log WHERE seq = 2")
    report = _verify(database)
    assert report.first_broken_seq == 3 and "removed or inserted" in report.problem


def test_database_refuses_update_and_delete(database: Database) -> None:
    _write(database, 2)
    for sql in (
        "UPDATE audit_log SET actor = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text(sql))
    assert _verify(database).valid


def test_concurrent_writers_keep_one_chain(database: Database) -> None:
    """Two writers at once: the unique previous hash (and on PostgreSQL an advisory lock) keep
    the chain linear, with no entry lost."""
    factory = sessionmaker(database.engine)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(20):
                with factory.begin() as session:
                    audit.append(session, actor=name, action="race", entity_kind="t", entity_id=i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(database)
    assert report.valid and report.entries == 40
    with Session(database.engine) as session:
        actors = session.scalars(select(AuditEntry.actor)).all()
    assert sorted(set(actors)) == ["w0", "w1"]
