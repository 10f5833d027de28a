"""Personal data masked in every grammatical case (Law of the RK No. 94-V "On personal data and
their protection", art. 1; issue 16): Russian and Kazakh decline names by endings, so a party's
name written in another case than the one stored is masked all the same; identifiers, phone
numbers and e-mails are masked in any free text, whoever they belong to."""

from __future__ import annotations

import json

import pytest

from models.office.masking import mask_names, mask_patterns, redact
from models.procedures.parties import personal_of_record

KAZAKH = "Құдайбергенова Айгүл Серікқызы"
RUSSIAN = "Воробьёв Юрий Петрович"


@pytest.mark.parametrize(
    "written",
    [
        "Құдайбергенова",  # as stored
        "Құдайбергеновой",  # ru genitive/dative/instrumental of a feminine surname
        "Құдайбергеновою",
        "Құдайбергеновағa".replace("a", "а"),  # kk dative -ға
        "Құдайбергенованың",  # kk genitive
        "Құдайбергенованы",  # kk accusative
        "Құдайбергеновада",  # kk locative
        "Құдайбергеновадан",  # kk ablative
        "Құдайбергеновамен",  # kk instrumental
        "Құдайбергенов",  # the masculine form of the same surname
        "ҚҰДАЙБЕРГЕНОВОЙ",  # capitals, as a heading prints it
        "Айгүлге",  # kk dative of the first name (front vowels)
        "Айгүлдің",
        "Серікқызына",
    ],
)
def test_a_kazakh_name_is_masked_in_every_case(written: str) -> None:
    masked = redact(f"Жалоба {written}, дело 12.", names=[KAZAKH])
    assert written not in masked
    assert masked == f"Жалоба {written[0]}., дело 12."


@pytest.mark.parametrize(
    "written",
    ["Воробьёва", "Воробьёву", "Воробьёвым", "Воробьёвых", "Юрия", "Юрию", "Юрием", "Петровичу"],
)
def test_a_russian_name_is_masked_in_every_case(written: str) -> None:
    masked = redact(f"Допрос {written} назначен", names=[RUSSIAN])
    assert masked == f"Допрос {written[0]}. назначен"


def test_short_names_take_their_endings_without_masking_other_words() -> None:
    """A stem under four letters (Ким, Ася) would catch other words, so only its own endings
    and Kazakh suffixes after the whole name are masked."""
    text = "Ким, Кимге, Асе, Асей; Кимберли-Кларк; в Асыкате; Кино"
    masked = mask_names(text, ["Ким Ася"])
    assert masked == "К., К., А., А.; Кимберли-Кларк; в Асыкате; Кино"


def test_words_that_only_resemble_a_name_are_left_alone() -> None:
    text = "Иванов дал объяснения; Ивановка, Иваново"  # a village starts like the surname too
    masked = mask_names(text, ["Петрова Анна"])
    assert masked == text


def test_identifiers_phones_and_emails_of_nobody_known_are_masked() -> None:
    text = (
        "свидетель ИИН 900101300017, тел. 8-701-555-12-34 и +7 (727) 255 11 22,"
        " 7 777 123 45 67, почта Aigul.K@mail.kz"
    )
    masked = mask_patterns(text)
    for value in ("900101300017", "555-12-34", "255 11 22", "123 45 67", "Aigul.K"):
        assert value not in masked
    assert "********0017" in masked and "***34" in masked and "***@mail.kz" in masked


def test_a_known_phone_is_masked_in_any_layout_of_its_digits() -> None:
    masked = redact("звонил с 701-555-0101 и (701) 555 01 01", other=["+7 701 555 01 01"])
    assert "555" not in masked


def test_the_parties_of_a_stored_record_are_found_at_any_depth() -> None:
    """A detention protocol names the person held (CPC art. 131(2)(1)); a complaint its
    complainant and contacts; a finished case the accused. A company's BIN is public."""
    record = {
        "person": {"last_name": "Құдайбергенова", "first_name": "Айгүл", "iin": "900101400015"},
        "contact": {"phone": "+7 701 000 11 22", "email": "a.k@example.kz"},
        "accused": "Сейітов Бақытжан",
        "complainant": {"kind": "legal_entity", "bin": "123456789012", "name": "ТОО Алатау"},
        "facility": "ИВС",
    }
    personal = personal_of_record(json.dumps(record, ensure_ascii=False))
    assert set(personal.names) == {"Құдайбергенова", "Айгүл", "Сейітов Бақытжан"}
    assert set(personal.other) == {"900101400015", "+7 701 000 11 22", "a.k@example.kz"}
    shown = personal.redact("Құдайбергеновой и Сейітовым; ИВС; ТОО Алатау")
    assert shown == "Қ. и С.; ИВС; ТОО Алатау"
