"""Masking of personal data (персональные данные) shown where everyone with the Prefect UI can
read it: artifacts, run names, logs, approval forms. The open Prefect server has no per-user
access control, so what it shows is masked; the full text stays in the office's database, read
through ``prosecutor`` commands by staff.

Law of the RK "On personal data and their protection" No. 94-V, art. 1: data that identify a
person directly or indirectly; the IIN (ЖСН/ИИН) encodes the birth date and sex.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HIDDEN = "***"
# twelve digits standing alone: an IIN or a BIN (a hash or a longer number is not matched)
_IDENTIFIER = re.compile(r"(?<![\w])\d{12}(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
# Kazakhstan numbers: +7 or 8, then ten digits with spaces, brackets or dashes between
_PHONE = re.compile(r"(?<![\w+])(?:\+7|8)[ ()-]*(?:\d[ ()-]*){9}\d(?![\w])")


def mask_identifier(value: str) -> str:
    """An IIN or BIN with all but its last four digits hidden: ``********0015``."""
    digits = value.strip()
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_name(full_name: str) -> str:
    """A person's name as initials: ``Сейтқали Әсел`` becomes ``С. Ә.``."""
    return " ".join(f"{word[0]}." for word in full_name.split() if word[0].isalpha())


def _mask_email(match: re.Match[str]) -> str:
    return f"{HIDDEN}@{match.group(1)}"


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"{HIDDEN}{digits[-2:]}"


def mask_patterns(text: str) -> str:
    """Identifiers, e-mail addresses and phone numbers, wherever they appear in ``text``."""
    text = _IDENTIFIER.sub(lambda m: mask_identifier(m.group(0)), text)
    text = _EMAIL.sub(_mask_email, text)
    return _PHONE.sub(_mask_phone, text)


def redact(text: str, names: Iterable[str] = (), other: Iterable[str] = ()) -> str:
    """``text`` with the known personal values of its parties masked, then the patterns.

    ``names``: people's names, shown as initials; ``other``: anything else personal (an address),
    hidden whole. Longer values go first, so a full name is not left half-masked by a shorter
    value inside it.
    """
    known = {v.strip(): mask_name(v) for v in names if v and v.strip()}
    known |= {v.strip(): HIDDEN for v in other if v and v.strip()}
    for value in sorted(known, key=len, reverse=True):
        text = text.replace(value, known[value])
    return mask_patterns(text)
