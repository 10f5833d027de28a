"""Errors a user can fix, and one-line messages for everything else.

An error line never shows an applicant's IIN, BIN, e-mail or phone (Law of the RK No. 94-V on
personal data): whatever the message quotes is masked as the UI masks it, and a database error
is reduced to the driver's own message, never the statement's parameters (they hold the
appeal being stored).
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from sqlalchemy.exc import StatementError

from models.office.masking import mask_patterns

# a run of digits as long as an identifier, or nearly (a mistyped IIN of 11 or 13 digits)
_LONG_DIGITS = re.compile(r"(?<!\d)\d{9,}(?!\d)")


def masked(text: str) -> str:
    """``text`` with identifiers (IIN, BIN, and digit runs nearly as long), e-mail addresses
    and phone numbers masked to their last characters, as the UI shows them."""
    text = mask_patterns(text)
    return _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)


class BadInput(Exception):
    """Input the user can correct; its message is shown as is, personal identifiers masked."""

    def __init__(self, message: str = "") -> None:
        super().__init__(masked(str(message)))


def describe_validation(exc: ValidationError, source: str = "") -> str:
    """All problems of a pydantic error on one line, each with where it is (never the value)."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    prefix = f"{source}: " if source else ""
    return masked(prefix + "; ".join(parts))


def one_line(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return describe_validation(exc)
    if isinstance(exc, StatementError):
        # the driver's message, first line: never "[SQL: ...] [parameters: (...)]"
        first = str(exc.orig).strip().splitlines() if exc.orig is not None else []
        text = first[0] if first else type(exc).__name__
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    text = masked(" ".join(text.split()))
    return text if len(text) <= 500 else text[:497] + "..."
