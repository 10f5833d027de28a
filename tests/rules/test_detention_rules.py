"""The terms of a detention to the minute (CPC arts. 14(2), 48, 128(5), 131, 133, 148): pure
rules, no database, no Prefect."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.office.identifiers import check_digit
from models.procedures import detention
from models.timing.calendar import ALMATY
from models.timing.terms import SourceStatus, TermsTable, default_terms


def iin_for(born: dt.date, serial: str = "0001") -> str:
    """A valid IIN of a man born on ``born`` (7th digit: century and sex)."""
    century = 3 if born.year < 2000 else 5
    for n in range(int(serial), 10000):
        first = f"{born:%y%m%d}{century}{n:04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
    raise AssertionError("no IIN")


def almaty(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


@pytest.fixture(scope="module")
def table() -> TermsTable:
    return default_terms()


ADULT = dt.date(1990, 5, 1)
# 14 December 2026, a Monday, 22:10 in Almaty; 16 December is Independence Day (a day off)
DETAINED = almaty(2026, 12, 14, 22, 10)


def test_48_hours_from_the_minute_of_detention_not_moved_by_a_holiday_cpc_arts14_2_48_4_5(
    table: TermsTable,
) -> None:
    """CPC arts. 14(2), 131(4): 48 hours; art. 48(5): from the minute of actual detention;
    art. 48(4): the end on a day off (Independence Day) is not moved."""
    terms = detention.detention_terms(table, DETAINED, ADULT)
    assert not terms.minor and terms.limit_term == "detention.limit"
    assert terms.limit_at == almaty(2026, 12, 16, 22, 10)
    assert terms.limit_at.tzinfo is dt.UTC and terms.limit_at.hour == 17  # Almaty is UTC+5


def test_a_minor_is_held_24_hours_cpc_arts14_2_131_4(table: TermsTable) -> None:
    """CPC arts. 14(2), 131(4), 133(2): a minor, 24 hours; a minor is under eighteen on the
    day of detention (CC art. 17(1))."""
    minor = dt.date(2008, 12, 15)  # eighteen the day after the detention
    terms = detention.detention_terms(table, DETAINED, minor)
    assert terms.minor and terms.limit_hours == 24
    assert terms.limit_at == almaty(2026, 12, 15, 22, 10)
    assert not detention.is_minor(dt.date(2008, 12, 14), DETAINED)  # eighteen that day


def test_72_hours_in_the_cases_of_cpc_art131_4_but_24_for_a_minor(table: TermsTable) -> None:
    """CPC arts. 128(5), 131(4)(1)-(6): 72 hours for an especially grave crime etc.; the office
    keeps the minor's 24 hours even then (the earlier end, module docstring)."""
    grave = detention.detention_terms(table, DETAINED, ADULT, extended_ground=1)
    assert (grave.limit_term, grave.limit_at) == (
        "detention.limit_extended",
        almaty(2026, 12, 17, 22, 10),
    )
    minor = detention.detention_terms(table, DETAINED, dt.date(2010, 1, 1), extended_ground=1)
    assert minor.limit_hours == 24


def test_written_notice_12_hours_from_the_protocol_cpc_art131_3(table: TermsTable) -> None:
    """CPC art. 131(3): the body tells the prosecutor in writing within 12 hours of drawing up
    the protocol; without the protocol's moment, from the detention (the earlier end)."""
    protocol = almaty(2026, 12, 15, 0, 40)
    with_protocol = detention.detention_terms(table, DETAINED, ADULT, protocol_at=protocol)
    assert with_protocol.notice_due_at == almaty(2026, 12, 15, 12, 40)
    without = detention.detention_terms(table, DETAINED, ADULT)
    assert without.notice_due_at == almaty(2026, 12, 15, 10, 10)
    row = table.get("detention.notice")
    assert (row.term, row.status) == (12, SourceStatus.CONFIRMED)
    assert "CPC art. 131(3)" in row.source


def test_alert_before_the_limit_is_office_practice_cpc_art14_2(table: TermsTable) -> None:
    """The alert is the office's setting (3 hours before the limit of CPC art. 14(2)); it is
    due from that minute on, and the release from the limit itself (CPC art. 133(2))."""
    row = table.get("detention.alert")
    assert row.status is SourceStatus.OFFICE_PRACTICE and "office practice" in row.source
    terms = detention.detention_terms(table, DETAINED, ADULT)
    assert terms.alert_at == terms.limit_at - dt.timedelta(hours=row.term or 0)
    minute = dt.timedelta(minutes=1)
    assert not detention.alert_due(terms.limit_at, terms.alert_at - minute, 3)
    assert detention.alert_due(terms.limit_at, terms.alert_at, 3)
    assert not detention.release_due(terms.limit_at, terms.limit_at - minute)
    assert detention.release_due(terms.limit_at, terms.limit_at)


def test_sanction_counts_only_before_the_limit_refusal_ends_nothing_cpc_arts133_2_148_7() -> None:
    """CPC arts. 14(2), 133(2): a sanction counts when given by the limit; art. 148(7)(3),
    148(10): a refusal is executed at once and does not end the control; a release does."""
    limit = almaty(2026, 12, 16, 22, 10)
    assert detention.sanction_in_time(limit, limit)
    assert not detention.sanction_in_time(limit + dt.timedelta(minutes=1), limit)
    assert detention.ends_control(detention.Decision.CUSTODY, False)
    assert detention.ends_control(detention.Decision.HOUSE_ARREST, False)
    assert not detention.ends_control(detention.Decision.REFUSED, False)
    assert detention.ends_control(detention.Decision.REFUSED, True)
    assert not detention.ends_control(None, False)


def protocol(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "external_id": "kui-1",
        "detained_at": "2026-12-14T22:10:37+05:00",
        "person": {
            "last_name": "Ахметов",
            "first_name": "Ерлан",
            "iin": iin_for(ADULT),
            "birth_date": ADULT.isoformat(),
        },
        "body": "УП Бостандыкского района",
        "facility": "ИВС УП Бостандыкского района",
        "grounds": "застигнут при совершении преступления (УПК ст. 128 ч. 2 п. 1)",
    }
    data.update(changes)
    return data


def test_protocol_moment_is_kept_to_the_minute_cpc_arts48_5_131_2() -> None:
    """CPC art. 48(5): from the hour and minute of actual detention (art. 131(2)(2))."""
    record = detention.DetentionProtocolIn.model_validate(protocol())
    assert detention.to_minute(record.detained_at) == DETAINED
    assert detention.parse_moment("2026-12-14 22:10") == DETAINED  # no offset: Almaty


def test_protocol_is_refused_when_its_facts_disagree_cpc_art131_2() -> None:
    """CPC art. 131(2): the protocol names the suspect and the moments; a date of birth other
    than the IIN's, a protocol before the detention, or a moment without a zone is refused."""
    wrong_birth = protocol()
    wrong_birth["person"] = {**wrong_birth["person"], "birth_date": "1990-05-02"}  # type: ignore[dict-item]
    for bad in (
        wrong_birth,
        protocol(protocol_at="2026-12-14T21:00:00+05:00"),
        protocol(detained_at="2026-12-14T22:10:00"),
        protocol(extended_ground=7),
    ):
        with pytest.raises(ValidationError):
            detention.DetentionProtocolIn.model_validate(bad)


def test_detention_ref_from_the_trigger_or_the_bare_number() -> None:
    assert detention.number_of("prosecutor.detention.ALM-BST-DET-2026-000001") == (
        "ALM-BST-DET-2026-000001"
    )
    assert detention.number_of("ALM-BST-DET-2026-000001") == "ALM-BST-DET-2026-000001"
