"""Intake of ЕРДР cases on both databases: registered with the term of the investigation (CPC
art. 192(2)), a duplicate found by its ЕРДР id, invalid records and cases of another office kept
as rejected with the reason, and cases not announced to Prefect announced by reconciling."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import inbox_store
from models.db.tables import AuditEntry, InboxRecord, InboxSource, InboxStatus, Procedure
from models.procedures import ProcedureKind, ProcedureStatus, erdr_intake
from tests.conftest import Database
from tests.office import load_demo_office


def record(n: int, **change: object) -> str:
    return json.dumps(
        {
            "external_id": f"erdr-{n}",
            "erdr_number": f"2611000000{n:05d}",
            "registered_at": "2026-03-10T10:00:00+05:00",
            "cc_article": "188 ч.2",
            "form": "investigation",
            "body": "Управление полиции Бостандыкского района",
            "investigator": "Сейітов Бақытжан Ерланұлы",
            "summary": "тайное хищение имущества Әлиевой А.",
            "office_code": "ALM-BST",
        }
        | change,
        ensure_ascii=False,
    )


def test_registered_duplicate_rejected_and_wrong_office(database: Database) -> None:
    """A case is numbered with its two-month term (CPC art. 192(2): from 10 March 2026 to 10
    May, a Sunday; 11 May is the day off for Victory Day on Saturday 9 May, so 12 May, CPC
    art. 48(4)); sent again it is found, not registered twice; an invalid record and
    a case of another office are kept as received with the reason; no personal data in the
    procedure's title or its audit."""
    load_demo_office(database.engine)
    summary = erdr_intake.store_all(
        [
            ("a:1", record(1)),
            ("a:2", record(1)),
            ("a:3", record(2, erdr_number="26-11")),
            ("a:4", record(3, office_code="AST-ESL")),
            ("a:5", "{not json"),
        ]
    )
    assert (summary.registered, summary.duplicates, summary.rejected) == (1, 1, 3)
    first, again, invalid, foreign, broken = summary.records
    assert again["registration_number"] == first["registration_number"]
    assert again["status"] == "duplicate"
    assert "erdr_number" in invalid["reason"]
    assert "AST-ESL" in foreign["reason"] and "not by this office" in foreign["reason"]
    assert "malformed JSON" in broken["reason"]

    with Session(database.engine) as session:
        proc = session.scalars(select(Procedure)).one()
        assert proc.kind is ProcedureKind.CRIMINAL_CASE and proc.area == "criminal"
        assert proc.status is ProcedureStatus.REGISTERED
        assert proc.title == "Дело ЕРДР № 261100000000001"
        assert proc.due_date == dt.date(2026, 5, 12)
        assert proc.details["form"] == "investigation"
        assert proc.details["term_id"] == "pretrial.investigation"
        rows = session.scalars(select(InboxRecord).order_by(InboxRecord.id)).all()
        assert [r.status for r in rows] == [InboxStatus.REGISTERED] + [InboxStatus.REJECTED] * 3
        assert rows[2].raw == record(3, office_code="AST-ESL")  # kept exactly as received
        audit = " ".join(e.payload for e in session.scalars(select(AuditEntry)))
    assert "Сейітов" not in audit and "Әлиевой" not in audit


def test_unannounced_cases_are_announced_by_reconciling(database: Database) -> None:
    """Prefect down at intake: the case stays unannounced; reconciling announces it once, with
    its registration number only."""
    load_demo_office(database.engine)
    summary = erdr_intake.store_all([("a:1", record(1)), ("a:2", record(2))])
    assert not erdr_intake.announce_new(summary, announce=lambda numbers: False)

    sent: list[list[str]] = []

    def announce(numbers: list[str]) -> bool:
        sent.append(numbers)
        return True

    numbers = [r["registration_number"] for r in summary.records]
    assert erdr_intake.reconcile(announce=lambda numbers: False) == []
    assert erdr_intake.reconcile(announce=announce) == numbers
    assert erdr_intake.reconcile(announce=announce) == []
    assert sent == [numbers]
    with Session(database.engine) as session:
        assert inbox_store.unannounced(session, InboxSource.ERDR) == []
