"""Dates in the running text of a Kazakh document take the ending the sentence needs: «2026 жылғы
27 қарашадағы өтініш», «... қарашаға дейін». The endings follow vowel harmony and the month's last
sound; these tests derive the expected ending from those rules, so a misspelt month fails."""

from __future__ import annotations

import datetime as dt

import pytest

from models.timing.dates_kk import DateCase, date_text, kk_date

BACK, FRONT = set("аоұыя"), set("әөүіеэи")
VOICELESS = set("кқптсшфхцчщ")
NASAL_OR_SONOR = set("мнң")


def _expected(month: str, case: DateCase) -> str:
    last_vowel = next(ch for ch in reversed(month) if ch in BACK | FRONT)
    back = last_vowel in BACK
    last = month[-1]
    if case is DateCase.NOMINATIVE:
        return month
    if case is DateCase.DATIVE:
        if last in VOICELESS:
            return month + ("қа" if back else "ке")
        return month + ("ға" if back else "ге")
    d = "т" if last in VOICELESS else "д"
    if case is DateCase.ABLATIVE:
        d = "т" if last in VOICELESS else ("н" if last in NASAL_OR_SONOR else "д")
        return month + d + ("ан" if back else "ен")
    locative = month + d + ("а" if back else "е")
    return locative if case is DateCase.LOCATIVE else locative + ("ғы" if back else "гі")


MONTHS = [dt.date(2026, m, 5) for m in range(1, 13)]


@pytest.mark.parametrize("case", list(DateCase))
@pytest.mark.parametrize("day", MONTHS, ids=lambda d: f"{d:%m}")
def test_every_month_takes_the_ending_vowel_harmony_gives(day: dt.date, case: DateCase) -> None:
    nominative = kk_date(day).split()[-1]
    assert kk_date(day, case) == f"2026 жылғы 5 {_expected(nominative, case)}"


def test_a_date_in_russian_running_text_stays_numeric_and_in_kazakh_takes_its_case() -> None:
    day = dt.date(2026, 11, 27)
    assert date_text(day, "ru", DateCase.DATIVE) == "27.11.2026"
    assert date_text(day, "kk", DateCase.DATIVE) == "2026 жылғы 27 қарашаға"
    assert date_text(day, "kk", DateCase.ATTRIBUTIVE) == "2026 жылғы 27 қарашадағы"
    assert date_text(dt.date(2026, 9, 1), "kk", "abl") == "2026 жылғы 1 қыркүйектен"
