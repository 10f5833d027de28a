"""The schema: migrations from an empty database, and constraints the database itself enforces."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from models.db import make_engine
from models.db.migrate import current_revision, downgrade, head_revision, upgrade
from models.db.tables import Base, Escalation, Office, Procedure
from models.procedures import ProcedureKind, ProcedureStatus, registration_number
from tests.conftest import Database


def test_migrated_schema_matches_the_models(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_deadline_sweep_columns_are_indexed(database: Database) -> None:
    inspector = inspect(database.engine)
    for table in ("duties", "approvals", "procedures"):
        indexed = [tuple(ix["column_names"]) for ix in inspector.get_indexes(table)]
        assert ("status", "due_date") in indexed, table


def test_downgrade_to_empty_and_upgrade_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cycle.db'}"
    upgrade(url)
    downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(url)
    assert "audit_log" in inspect(engine).get_table_names()
    engine.dispose()


def _office_and_procedure(session, seq: int = 1, **over: object) -> Procedure:  # type: ignore[no-untyped-def]
    if session.get(Office, "T-1") is None:
        session.add(Office(code="T-1", name_kk="к", name_ru="р"))
    fields = {
        "office_code": "T-1",
        "kind": ProcedureKind.APPEAL,
        "year": 2026,
        "seq": seq,
        "registration_number": registration_number("T-1", ProcedureKind.APPEAL, 2026, seq),
        "title": "t",
        "status": ProcedureStatus.REGISTERED,
        "due_date": dt.date(2026, 12, 1),
    }
    fields.update(over)
    proc = Procedure(**fields)
    session.add(proc)
    session.flush()
    return proc


def test_registration_numbers_are_unique(database: Database) -> None:
    from sqlalchemy.orm import Session

    with Session(database.engine) as session:
        _office_and_procedure(session, 1)
        with pytest.raises(IntegrityError):
            _office_and_procedure(session, 2, registration_number="T-1-APL-2026-000001")


def test_sequence_is_unique_per_office_kind_and_year(database: Database) -> None:
    from sqlalchemy.orm import Session

    with Session(database.engine) as session:
        _office_and_procedure(session, 1)
        _office_and_procedure(session, 1, year=2027, registration_number="other-2027")
        with pytest.raises(IntegrityError):
            _office_and_procedure(session, 1, registration_number="duplicate-seq")


def test_database_refuses_an_unknown_status(database: Database) -> None:
    from sqlalchemy.orm import Session

    with Session(database.engine) as session:
        proc = _office_and_procedure(session, 1)
        session.commit()
        with pytest.raises(IntegrityError):
            session.execute(
                text("UPDATE procedures SET status = 'lost' WHERE id = :id"), {"id": proc.id}
            )


def test_foreign_keys_are_enforced(database: Database) -> None:
    from sqlalchemy.orm import Session

    with Session(database.engine) as session, pytest.raises(IntegrityError):
        _office_and_procedure(session, 1, assignee_id="nobody")


def test_an_escalation_level_is_recorded_once(database: Database) -> None:
    from sqlalchemy.orm import Session

    with Session(database.engine) as session:
        row = {
            "subject_kind": "duty",
            "subject_id": 1,
            "level": 1,
            "reason": "overdue",
            "on_date": dt.date(2026, 12, 1),
        }
        session.add(Escalation(**row))
        session.flush()
        with pytest.raises(IntegrityError):
            session.add(Escalation(**row))
            session.flush()


def test_orders_of_the_repealed_law_stay_readable_after_0006_and_none_are_new(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """CL-155 art. 32 has no предписание: a procedure registered as an ``order`` before
    migration 0006 is read as it was, and no new one can be registered."""
    from sqlalchemy.orm import Session

    from models.procedures import store as procedure_store

    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    upgrade(url, "0005")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO offices (code, name_kk, name_ru) VALUES ('T-1', 'к', 'р')"))
        conn.execute(
            text(
                "INSERT INTO procedures (office_code, kind, year, seq, registration_number,"
                " title, status, version) VALUES ('T-1', 'order', 2026, 1, 'T-1-ORD-2026-000001',"
                " 'предписание', 'closed', 1)"
            )
        )
    upgrade(url)
    with Session(engine) as session:
        old = session.query(Procedure).one()
        assert (old.kind, old.registration_number) == (ProcedureKind.ORDER, "T-1-ORD-2026-000001")
        with pytest.raises(ValueError, match=r"CL-155 art\. 32"):
            procedure_store.register_procedure(
                session, office_code="T-1", kind=ProcedureKind.ORDER, title="x", year=2026
            )
    engine.dispose()
