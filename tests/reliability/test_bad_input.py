"""Bad input, tried by hypothesis: every appeal sent to the office is kept (registered, or
rejected with a clear reason), nothing valid in the same batch is lost, and applicants' text is
always shown as text in documents."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.appeals import store as appeal_store
from models.db.tables import AppealRow
from models.office.identifiers import IdentifierError, validate_iin
from models.office.roster import Position
from models.records.rendering import Letterhead, render
from models.timing.calendar import WorkingCalendar
from tests.conftest import Database
from tests.office import load_demo_office
from tests.support.appeals import appeal

CAL = WorkingCalendar(overrides=[])
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
VALID = appeal(
    None,
    channel="post",
    topic=None,
    subject="Жалоба",
    text="Прошу проверить законность действий.",
    received_at="2026-11-20T10:00:00+05:00",
)


@pytest.fixture
def office(database: Database) -> Iterator[Engine]:
    if database.name != "sqlite":
        pytest.skip("property tests run on SQLite; the constraints are the same on PostgreSQL")
    load_demo_office(database.engine)
    yield database.engine


def kept(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(AppealRow)) or 0


def take(engine: Engine, raw: str) -> appeal_store.IntakeResult:
    with Session(engine) as session, session.begin():
        return appeal_store.intake(session, raw, "ALM-BST", CAL)


@SETTINGS
@given(raw=st.text(max_size=300))
def test_any_text_is_kept_with_a_reason(office: Engine, raw: str) -> None:
    before = kept(office)
    result = take(office, raw)
    assert kept(office) == before + (result.status != "duplicate")
    if result.status == "rejected":
        assert result.reason and len(result.reason) < 5000


FIELDS = st.sampled_from(
    [
        "applicant",
        "contact",
        "language",
        "channel",
        "subject",
        "text",
        "received_at",
        "attachments",
        "topic",
    ]
)
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=50),
    st.lists(st.text(max_size=5), max_size=3),
    st.just("x" * 100_001),
    st.just("../../etc/passwd"),
    st.just("1899-12-31T00:00:00+05:00"),
    st.just("2999-01-01T00:00:00+05:00"),
    st.just([{"filename": "..\\boot.ini"}]),
    st.just({"kind": "individual", "iin": "850315400016", "last_name": "A", "first_name": "B"}),
    st.just({"kind": "legal_entity", "bin": "940140000386", "name": "X"}),
)


@SETTINGS
@given(field=FIELDS, value=JUNK)
def test_a_bad_field_is_named_in_the_reason(office: Engine, field: str, value: object) -> None:
    data = {**VALID, field: value}
    result = take(office, json.dumps(data, ensure_ascii=False))
    if result.status == "rejected":
        assert field in (result.reason or ""), result.reason


def test_a_batch_keeps_every_valid_appeal(office: Engine) -> None:
    batch = [
        json.dumps({**VALID, "external_id": f"b-{i}", "text": f"Текст обращения номер {i}."})
        for i in range(5)
    ]
    batch.insert(2, '{"broken": ')
    batch.insert(
        4, json.dumps({**VALID, "external_id": "bad", "received_at": "2999-01-01T00:00:00"})
    )
    results = [take(office, raw) for raw in batch]
    assert [r.status for r in results].count("registered") == 5
    assert [r.status for r in results].count("rejected") == 2


def published_check_digit(first_eleven: str) -> int | None:
    """The check digit by the published rule, written out here independently of the module
    under test: weights 1..11, modulo 11; on a remainder of 10 the weights 3..11, 1, 2; a
    second 10 means no IIN/BIN is issued with these digits."""
    digits = [int(c) for c in first_eleven]
    for weights in (range(1, 12), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


# worked by hand with the rule above: 104 mod 11 = 5; 131 mod 11 = 10, then 78 mod 11 = 1
HAND_CHECKED = {"85031540001": 5, "90010130081": 1}


def test_the_oracle_agrees_with_hand_computed_iins() -> None:
    assert {k: published_check_digit(k) for k in HAND_CHECKED} == HAND_CHECKED


@settings(max_examples=300, deadline=None)
@given(
    born=st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)),
    sex=st.sampled_from("12"),
    serial=st.text(alphabet="0123456789", min_size=4, max_size=4),
)
def test_iin_is_accepted_exactly_when_its_check_digit_follows_the_published_rule(
    born: dt.date, sex: str, serial: str
) -> None:
    """Rules for forming IIN/BIN: of the ten possible last digits, an IIN with a real birth
    date is accepted with exactly the one the rule gives (none when the rule gives none)."""
    century = {19: 0, 20: 2}[born.year // 100]  # 1-2: 19th c., 3-4: 20th, 5-6: 21st
    first = f"{born:%y%m%d}{int(sex) + century + 2}{serial}"
    expected = published_check_digit(first)
    accepted = []
    for last in "0123456789":
        try:
            validate_iin(first + last)
            accepted.append(int(last))
        except IdentifierError:
            pass
    assert accepted == ([] if expected is None else [expected])


LETTERHEAD = Letterhead("Кеңсе", "Офис", None, "Иванов", Position.DISTRICT_PROSECUTOR, False)


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1, max_size=200))
def test_applicants_text_is_rendered_as_text(text: str) -> None:
    body = render(
        "reply",
        "ru",
        letterhead=LETTERHEAD,
        registration_number="R-1",
        date=dt.date(2026, 11, 27),
        applicant_name="A",
        addressee_name="A",
        addressee_address=None,
        subject=text,
        received="01.11.2026",
        findings=text,
        measures=None,
        outcome="explained",
        ground=2,
        ground_text="защита прав, не обеспеченная уполномоченным органом",
    )
    for dangerous in ("<script", "<img", "<a "):
        if dangerous in text:
            assert dangerous not in body
    assert "{%" not in text or "{%" in body  # template syntax is not evaluated
