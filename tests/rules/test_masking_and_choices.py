"""Personal data masked wherever the Prefect UI shows them (Law of the RK No. 94-V "On
personal data and their protection", art. 1), and who a decision form offers as signer
(Regulation cl. 14-15)."""

from __future__ import annotations

import datetime as dt

from models.approvals import decision_choices, signer_of
from models.office.masking import mask_identifier, mask_name, mask_patterns, redact
from tests.rules.test_roster import DAY, office, order

IIN = "850315400015"


def test_an_iin_keeps_only_its_last_four_digits() -> None:
    """Law No. 94-V art. 1: the IIN encodes birth date and sex, so it is personal data."""
    assert mask_identifier(IIN) == "********0015"
    assert mask_patterns(f"ИИН {IIN}, заявитель") == "ИИН ********0015, заявитель"


def test_names_become_initials() -> None:
    assert mask_name("Сейтқали Әсел") == "С. Ә."
    assert mask_name("Иванов Пётр Сергеевич") == "И. П. С."


def test_emails_and_kazakhstan_phone_numbers_are_masked() -> None:
    text = "пишите p.ivanov@example.kz или звоните +7 701 555 01 01, 8 (727) 255-11-22"
    masked = mask_patterns(text)
    assert "p.ivanov" not in masked and "***@example.kz" in masked
    assert "555" not in masked and "***01" in masked
    assert "255-11" not in masked and "***22" in masked


def test_dates_numbers_and_hashes_the_office_shows_are_left_alone() -> None:
    text = (
        "ALM-BST-APL-2026-000001 от 27.11.2026, срок 2026-12-21, "
        "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, 123456789012345"
    )
    assert mask_patterns(text) == text


def test_known_values_of_the_parties_are_masked_full_name_first() -> None:
    text = "Уважаемая Сейтқали Әсел! Адрес: Алматы, Абай 10. Сейтқали, ИИН 850315400015."
    masked = redact(text, names=["Сейтқали Әсел", "Сейтқали"], other=["Алматы, Абай 10"])
    assert masked == "Уважаемая С. Ә.! Адрес: ***. С., ИИН ********0015."


def test_the_form_offers_the_head_while_present() -> None:
    """Regulation cl. 15: the district prosecutor signs while present."""
    choices = decision_choices(office(), DAY)
    assert [c.staff_id for c in choices] == ["head"]
    assert signer_of(choices[0].label) == "head" and "Head" in choices[0].label


def test_the_form_offers_the_acting_deputy_while_the_head_is_on_leave() -> None:
    """Regulation cl. 14: the deputy named by the acting order replaces the head; the label
    says so, which is how a supervisor sees who replaced whom."""
    choices = decision_choices(office(absent=("head",), orders=(order("dep2", "head"),)), DAY)
    assert [c.staff_id for c in choices] == ["dep2"]
    assert "acting order for the district prosecutor" in choices[0].label


def test_nobody_is_offered_when_the_regional_office_decides() -> None:
    """Regulation cl. 14-15: with the head and both deputies away, nobody in the office signs."""
    assert decision_choices(office(absent=("head", "dep1", "dep2")), DAY) == []


def test_a_visa_is_offered_to_its_giver_or_their_replacement() -> None:
    assert [c.staff_id for c in decision_choices(office(), DAY, visa_by="as1")] == ["as1"]
    away = decision_choices(office(absent=("as1",)), DAY, visa_by="as1")
    assert [c.staff_id for c in away] == ["as3"]  # the colleague sharing the area


def test_an_urgent_matter_is_offered_also_to_those_it_was_escalated_to() -> None:
    """CL-155 art. 10(2)(9); CPC art. 14(4): whoever an urgent matter reached may act on it."""
    at = dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC)  # 11:00 in Almaty, office hours
    choices = decision_choices(
        office(), DAY, moment=at, on_call=True, escalated_to=frozenset({"dep1"})
    )
    assert [c.staff_id for c in choices] == ["head", "dep1"]


def test_the_signer_of_a_bare_id_or_a_label() -> None:
    assert signer_of("dep-1") == "dep-1"
    assert signer_of("dep-1 · Омарова Айгүл — acting order") == "dep-1"
    assert signer_of("  ") == ""
