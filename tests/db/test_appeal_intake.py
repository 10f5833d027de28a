"""Intake on both databases: stored and numbered first; invalid input kept with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.appeals import store as appeal_store
from models.db.tables import AppealRow, AppealStatus, Procedure
from models.office.schemas import AppealIn
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit, due_date
from models.timing.terms import default_terms
from tests.conftest import Database
from tests.office import load_demo_office
from tests.support.appeals import appeal_json

CAL = WorkingCalendar(overrides=[])


def raw(**over: Any) -> str:
    """Appeal ``eo-1`` through e-Otinish with a phone for contact, received at 16:00 on
    18 March 2026, as the JSON text the office takes in; ``over`` changes any field."""
    fields: dict[str, Any] = {
        "contact": {"phone": "+7 701 111 22 33"},
        "channel": "e_otinish",
        "topic": None,
        "subject": "Жалоба",
        "text": "Прошу проверить законность действий.",
        "received_at": "2026-03-18T16:00:00+05:00",
    }
    return appeal_json(**(fields | over))


def take(database: Database, text: str) -> appeal_store.IntakeResult:
    with sessionmaker(database.engine).begin() as session:
        return appeal_store.intake(session, text, "ALM-BST", CAL)


def test_valid_appeal_is_numbered_with_its_statutory_due_date(database: Database) -> None:
    """CL-155 art. 24(3): due 15 working days after receipt (18 March 2026: Nauryz skipped)."""
    load_demo_office(database.engine)
    result = take(database, raw())
    assert result.status == "registered" and result.registration_number == "ALM-BST-APL-2026-000001"
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure))
    assert (
        proc.due_date
        == due_date(dt.date(2026, 3, 18), 15, TermUnit.WORKING_DAYS, CAL)
        == dt.date(2026, 4, 13)
    )
    assert take(database, raw(external_id="eo-2")).registration_number == "ALM-BST-APL-2026-000002"


def test_invalid_iin_is_stored_as_rejected_with_a_clear_reason(database: Database) -> None:
    load_demo_office(database.engine)
    bad = raw(iin="850315400016")
    result = take(database, bad)
    assert result.status == "rejected" and result.registration_number is None
    assert result.reason == "applicant.individual.iin: IIN ********0016 has a wrong check digit"
    with Session(database.engine) as session:
        row = session.scalar(select(AppealRow))
    assert row.status is AppealStatus.REJECTED and row.raw == bad  # nothing lost
    assert row.external_id == "eo-1"


def test_malformed_json_is_kept_too(database: Database) -> None:
    load_demo_office(database.engine)
    result = take(database, '{"subject": "x",')
    assert result.status == "rejected" and "malformed JSON" in (result.reason or "")


def test_resubmitted_appeal_is_not_registered_twice(database: Database) -> None:
    load_demo_office(database.engine)
    first = take(database, raw())
    again = take(database, raw())
    assert again.status == "duplicate" and again.registration_number == first.registration_number
    with Session(database.engine) as session:
        assert len(session.scalars(select(AppealRow)).all()) == 1


def test_appeal_received_on_a_day_off_is_registered_next_working_day(database: Database) -> None:
    """APPC art. 64(3): received on Sunday 31 December 2023, registered on Wednesday 3 January
    2024 (1-2 January are holidays), under 2024's numbers."""
    load_demo_office(database.engine)
    result = take(database, raw(received_at="2023-12-31T11:00:00+05:00"))
    assert result.registration_number == "ALM-BST-APL-2024-000001"


def test_unstarted_reviews_are_found_for_reconciliation(database: Database) -> None:
    load_demo_office(database.engine)
    result = take(database, raw())
    with sessionmaker(database.engine).begin() as session:
        assert appeal_store.without_review(session, dt.timedelta(0)) == [result.registration_number]
        row = session.get_one(AppealRow, result.appeal_id)
        row.review_flow_run_id = "00000000-0000-0000-0000-000000000001"
    with Session(database.engine) as session:
        assert appeal_store.without_review(session, dt.timedelta(0)) == []


def test_complaint_on_investigator_is_registered_under_its_cpc_term_cl155_art24_9() -> None:
    """CL-155 art. 24(9): no APPC appeal; CPC art. 105(2): 7 сутки, 3 for detention and search."""
    terms = default_terms()
    for topic, days in (("investigator_actions", 7), ("investigator_actions_urgent", 3)):
        appeal = AppealIn.model_validate_json(raw(topic=topic))
        term = terms.get(appeal_store.term_of(appeal))
        assert (term.term, term.unit) == (days, TermUnit.CALENDAR_DAYS)
    assert appeal_store.term_of(AppealIn.model_validate_json(raw())) == "appeal.consideration"


def test_complaint_on_investigator_due_in_7_days_not_15_working(database: Database) -> None:
    """CPC art. 105(2): received 18 March 2026, 7 сутки end on 25 March, a day off (Nauryz moved
    from the weekend), so on 26 March (CPC art. 48(4)); not 15 working days."""
    load_demo_office(database.engine)
    take(database, raw(topic="investigator_actions"))
    with Session(database.engine) as session:
        proc = session.scalar(select(Procedure))
    assert not CAL.is_working_day(dt.date(2026, 3, 25))
    assert proc.due_date == dt.date(2026, 3, 26)
