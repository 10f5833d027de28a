"""IIN/BIN check digits and the schemas of outside input (roster files, appeals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from models.office.identifiers import (
    IdentifierError,
    check_digit,
    iin_birth_date,
    validate_bin,
    validate_iin,
)
from models.office.schemas import AppealIn, RosterFile
from tests.support.appeals import appeal as shared_appeal

# 8,5,0,3,1,5,4,0,0,0,1 x weights 1..11 = 104; 104 mod 11 = 5 -> check digit 5.
IIN_FIRST_PASS = "850315400015"
# 9,0,0,1,0,1,3,0,0,8,1 x 1..11 = 131, mod 11 = 10 -> second weights 3..11,1,2 give 78, mod 11 = 1.
IIN_SECOND_PASS = "900101300811"
# Published BINs of well-known legal entities (Halyk Bank, Kaspi Bank, Samruk-Kazyna).
REAL_BINS = ("940140000385", "971240001315", "081140000436")


def with_check_digit(first_eleven: str) -> str:
    """A number whose check digit is right, to reach the checks that come after it."""
    return first_eleven + str(check_digit(first_eleven))


def test_valid_iins_with_both_passes_of_the_check_digit_rule() -> None:
    """Rules of forming IIN/BIN: weights 1..11; on a remainder of 10, weights 3..11,1,2."""
    assert validate_iin(IIN_FIRST_PASS) == IIN_FIRST_PASS
    assert validate_iin(IIN_SECOND_PASS) == IIN_SECOND_PASS
    assert iin_birth_date(IIN_FIRST_PASS) == dt.date(1985, 3, 15)  # 7th digit 4: 1900s
    assert iin_birth_date("000101500010") == dt.date(2000, 1, 1)  # 7th digit 5: 2000s


@pytest.mark.parametrize("bin_", REAL_BINS)
def test_real_bins_validate(bin_: str) -> None:
    assert validate_bin(bin_) == bin_


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("850315400016", "wrong check digit"),
        ("90010130080" + "0", "wrong check digit"),  # both passes give 10: never issued
        ("85031540001", "exactly 12 digits"),
        ("85031540001x", "exactly 12 digits"),
        ("８５０３１５４０００１５", "exactly 12 digits"),  # full-width digits are not ASCII
        (with_check_digit("85131540001"), "no such date"),  # month 13
    ],
)
def test_invalid_iins_are_refused_with_the_reason(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        validate_iin(value)


def test_iin_with_a_bad_century_digit_is_refused() -> None:
    with pytest.raises(IdentifierError, match="7th digit"):
        validate_iin(with_check_digit("85031570000"))


def test_bin_needs_an_entity_type_digit() -> None:
    with pytest.raises(IdentifierError, match="5th digit"):
        validate_bin(IIN_FIRST_PASS)


def appeal(**over: Any) -> dict[str, Any]:
    """Әсел Сейтқали's appeal in Kazakh on unpaid wages through e-Otinish; ``over`` changes
    any field."""
    fields: dict[str, Any] = {
        "external_id": "eotinish-1",
        "iin": IIN_FIRST_PASS,
        "last_name": "Сейтқали",
        "first_name": "Әсел",
        "contact": {"email": "asel@example.kz"},
        "language": "kk",
        "channel": "e_otinish",
        "topic": None,
        "subject": "Жалақы төленбеді",
        "text": "Жұмыс беруші үш ай бойы жалақы төлемеді.",
        "received_at": "2026-11-20T10:15:00+05:00",
    }
    return shared_appeal(**(fields | over))


def test_valid_appeals_of_individual_legal_entity_and_anonymous() -> None:
    assert not AppealIn.model_validate(appeal()).anonymous
    entity = AppealIn.model_validate(
        appeal(applicant={"kind": "legal_entity", "bin": REAL_BINS[0], "name": "Halyk Bank"})
    )
    assert entity.applicant is not None and entity.applicant.kind == "legal_entity"
    assert AppealIn.model_validate(appeal(applicant=None, contact=None)).anonymous


@pytest.mark.parametrize(
    ("over", "where", "message"),
    [
        ({"iin": "850315400016"}, "applicant.individual.iin", "wrong check digit"),
        ({"language": "en"}, "language", "'kk' or 'ru'"),
        ({"received_at": "2999-01-01T00:00:00+05:00"}, "received_at", "future"),
        ({"received_at": "1899-12-31T00:00:00+05:00"}, "received_at", "before 1991-12-16"),
        ({"contact": {}}, "contact", "e-mail, a phone or a postal address"),
        (
            {"attachments": [{"filename": "../../etc/passwd"}]},
            "attachments.0.filename",
            "plain file name",
        ),
        ({"text": "short"}, "text", "at least 10"),
        ({"surprise": 1}, "surprise", "Extra inputs"),
    ],
)
def test_invalid_appeals_say_where_and_why(
    over: dict[str, object], where: str, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        AppealIn.model_validate(appeal(**over))
    errors = info.value.errors()
    assert any(
        ".".join(map(str, e["loc"])).startswith(where) and message in e["msg"] for e in errors
    ), errors


def test_naive_receipt_time_is_taken_as_almaty() -> None:
    a = AppealIn.model_validate(appeal(received_at="2026-11-20T10:15:00"))
    assert a.received_at.utcoffset() == dt.timedelta(hours=5)


def test_roster_file_refuses_duplicate_staff_and_reversed_periods() -> None:
    base = {
        "office": {"code": "T-1", "name_kk": "к", "name_ru": "р"},
        "staff": [{"id": "a", "name": "A", "position": "deputy"}],
    }
    RosterFile.model_validate(base)
    with pytest.raises(ValidationError, match="appear twice"):
        RosterFile.model_validate({**base, "staff": base["staff"] * 2})
    with pytest.raises(ValidationError, match="ends"):
        RosterFile.model_validate(
            {
                **base,
                "absences": [
                    {"staff_id": "a", "kind": "leave", "from": "2026-02-01", "to": "2026-01-01"}
                ],
            }
        )
    with pytest.raises(ValidationError, match="position"):
        RosterFile.model_validate({**base, "staff": [{"id": "a", "name": "A", "position": "boss"}]})
