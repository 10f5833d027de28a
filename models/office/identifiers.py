"""Kazakhstan identification numbers: IIN (ЖСН / ИИН) of individuals, BIN (БСН / БИН) of legal
entities. Both have 12 digits and share the check-digit rule of the Rules for forming IIN and BIN
(Government decree of 26 December 2006 No. 1299 / Law "On national registers of identification
numbers" of 12 January 2007 No. 223-III).
"""

from __future__ import annotations

import datetime as dt

_WEIGHTS_FIRST = tuple(range(1, 12))
_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


class IdentifierError(ValueError):
    pass


def check_digit(first_eleven: str) -> int | None:
    """Control digit for 11 digits, or None when the number cannot have one (it is not issued)."""
    digits = [int(c) for c in first_eleven]
    for weights in (_WEIGHTS_FIRST, _WEIGHTS_SECOND):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def shown(number: str) -> str:
    """An identifier as an error line may show it: only its last four digits (the whole number
    is personal data of its holder)."""
    return f"********{number[-4:]}"


def _twelve_digits(value: str, kind: str) -> str:
    value = value.strip()
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise IdentifierError(f"{kind} must be exactly 12 digits, got {len(value)} characters")
    expected = check_digit(value[:11])
    if expected is None or expected != int(value[11]):
        raise IdentifierError(f"{kind} {shown(value)} has a wrong check digit")
    return value


def iin_birth_date(iin: str) -> dt.date:
    """Date of birth encoded in an IIN: YYMMDD and the century in the 7th digit."""
    century_digit = int(iin[6])
    if not 1 <= century_digit <= 6:
        raise IdentifierError(f"IIN {shown(iin)}: 7th digit (century and sex) must be 1-6")
    century = 1800 + 100 * ((century_digit - 1) // 2)
    try:
        return dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError as exc:
        raise IdentifierError(f"IIN {shown(iin)}: no such date of birth ({exc})") from exc


def validate_iin(value: str) -> str:
    iin = _twelve_digits(value, "IIN")
    iin_birth_date(iin)
    return iin


def validate_bin(value: str) -> str:
    bin_ = _twelve_digits(value, "BIN")
    month = int(bin_[2:4])
    if not 1 <= month <= 12:
        raise IdentifierError(f"BIN {shown(bin_)}: digits 3-4 must be the month of registration")
    if bin_[4] not in "456":
        raise IdentifierError(
            f"BIN {shown(bin_)}: 5th digit must be 4 (resident entity), 5 (non-resident) or 6"
            " (IP in partnership form)"
        )
    return bin_
