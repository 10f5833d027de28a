"""Dates in the running text of a Kazakh document: "2026 жылғы 27 қараша" with the month name
in the case the sentence needs (a postposition or a suffix never follows a bare "27.11.2026").

The case endings are spelled out per month instead of being derived by vowel harmony, so every
form can be read and checked here.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class DateCase(StrEnum):
    NOMINATIVE = "nom"  # after a label: "Күні: 2026 жылғы 27 қараша"
    ATTRIBUTIVE = "attr"  # "2026 жылғы 27 қарашадағы өтініш" (of that date)
    LOCATIVE = "loc"  # "2026 жылғы 27 қарашада басталды" (on that date)
    ABLATIVE = "abl"  # "2026 жылғы 27 қарашадан бастап" (from that date)
    DATIVE = "dat"  # "2026 жылғы 27 қарашаға дейін" (until that date)


# month: (nominative, attributive, locative, ablative, dative)
_MONTHS: dict[int, tuple[str, str, str, str, str]] = {
    1: ("қаңтар", "қаңтардағы", "қаңтарда", "қаңтардан", "қаңтарға"),
    2: ("ақпан", "ақпандағы", "ақпанда", "ақпаннан", "ақпанға"),
    3: ("наурыз", "наурыздағы", "наурызда", "наурыздан", "наурызға"),
    4: ("сәуір", "сәуірдегі", "сәуірде", "сәуірден", "сәуірге"),
    5: ("мамыр", "мамырдағы", "мамырда", "мамырдан", "мамырға"),
    6: ("маусым", "маусымдағы", "маусымда", "маусымнан", "маусымға"),
    7: ("шілде", "шілдедегі", "шілдеде", "шілдеден", "шілдеге"),
    8: ("тамыз", "тамыздағы", "тамызда", "тамыздан", "тамызға"),
    9: ("қыркүйек", "қыркүйектегі", "қыркүйекте", "қыркүйектен", "қыркүйекке"),
    10: ("қазан", "қазандағы", "қазанда", "қазаннан", "қазанға"),
    11: ("қараша", "қарашадағы", "қарашада", "қарашадан", "қарашаға"),
    12: ("желтоқсан", "желтоқсандағы", "желтоқсанда", "желтоқсаннан", "желтоқсанға"),
}
_INDEX = {c: i for i, c in enumerate(DateCase)}


def kk_date(value: dt.date, case: DateCase | str = DateCase.NOMINATIVE) -> str:
    """ "2026 жылғы 27 қарашадағы" and the other forms (the year always takes "жылғы")."""
    month = _MONTHS[value.month][_INDEX[DateCase(case)]]
    return f"{value.year} жылғы {value.day} {month}"


def date_text(value: dt.date, language: str, case: DateCase | str = DateCase.NOMINATIVE) -> str:
    """The date as the document's language writes it in running text: Russian "27.11.2026"
    (a numeric date takes no ending), Kazakh with the month's case ending."""
    return kk_date(value, case) if language == "kk" else f"{value:%d.%m.%Y}"
