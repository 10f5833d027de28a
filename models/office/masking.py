"""Masking of personal data (персональные данные) shown where everyone with the Prefect UI can
read it: artifacts, run names, logs, forms. The open Prefect server has no per-user access
control, so what it shows is masked; the full text stays in the office's database, read through
``prosecutor`` commands by staff.

Law of the RK "On personal data and their protection" No. 94-V, art. 1: data that identify a
person directly or indirectly; the IIN (ЖСН/ИИН) encodes the birth date and sex.

A name is found in any grammatical case: Russian and Kazakh decline names by endings
(Құдайбергенова → Құдайбергеновой, Құдайбергеноваға, Құдайбергенованың; Иван → Ивану), so a
name is matched by its stem (the name without its final vowel) followed by any letters, rather
than by a list of endings that would always miss one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

HIDDEN = "***"
# twelve digits standing alone: an IIN or a BIN (a hash or a longer number is not matched)
_IDENTIFIER = re.compile(r"(?<![\w])\d{12}(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
# Kazakhstan numbers: +7, 7 or 8, then ten digits with spaces, dots, brackets or dashes between
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?7|7|8)[ ().-]*(?:\d[ ().-]*){9}\d(?![\w])")
_LETTERS = r"[^\W\d_]"  # any letter, Cyrillic (Kazakh included) or Latin
# Final vowels (and the soft sign, й of -ий) that declension replaces: Айгүл-ге, Асия → Асии.
_FINAL = re.compile(r"(?:ий|ый|[аеёиоуыэюяәіөұүьй])$", re.IGNORECASE)
# A stem this long is distinctive enough to be followed by any ending.
MIN_STEM = 4
# Endings a short name takes in place of its final vowel (Russian: Ася → Аси, Асе, Асю, Асей).
_SHORT_ENDINGS = "а|я|е|и|у|ю|ы|ой|ей|ою|ею|ем|ом|ью|ия|ии|ию|ией|ием"


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
    """Identifiers, e-mail addresses and phone numbers, wherever they appear in ``text``, even
    when they belong to nobody the office knows."""
    text = _IDENTIFIER.sub(lambda m: mask_identifier(m.group(0)), text)
    text = _EMAIL.sub(_mask_email, text)
    return _PHONE.sub(_mask_phone, text)


def name_words(names: Iterable[str]) -> set[str]:
    """The separate words of people's names (surname, first name, patronymic), each of two
    letters or more: a declined full name no longer matches as a whole, its words do."""
    words: set[str] = set()
    for name in names:
        for word in re.findall(rf"{_LETTERS}+(?:-{_LETTERS}+)*", name or ""):
            if len(word) >= 2 and word[0].isalpha():
                words.add(word)
    return words


@lru_cache(maxsize=4096)
def name_pattern(word: str) -> re.Pattern[str]:
    """``word`` in any case of Russian or Kazakh: its stem followed by any letters, as a whole
    word. A stem shorter than ``MIN_STEM`` would catch other words (Ли, Ким, Ася), so a short
    name takes only the endings listed for it, or Kazakh suffixes after the whole name."""
    stem = _FINAL.sub("", word)
    if len(stem) >= MIN_STEM:
        body = rf"{re.escape(stem)}{_LETTERS}*"
    else:
        body = rf"(?:{re.escape(word)}{_LETTERS}{{0,3}}|{re.escape(stem)}(?:{_SHORT_ENDINGS}))"
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def mask_names(text: str, names: Iterable[str]) -> str:
    """Every word of ``names``, in any grammatical case, as its initial: ``Құдайбергеновой``
    becomes ``Қ.``. Longer words go first, so a name inside another is not left half-masked."""
    for word in sorted(name_words(names), key=len, reverse=True):
        text = name_pattern(word).sub(lambda m: f"{m.group(0)[0]}.", text)
    return text


def _digits_pattern(value: str) -> re.Pattern[str] | None:
    """A known phone number in any layout: its last ten digits with anything but digits
    between them."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 10:
        return None
    return re.compile(r"(?<!\d)" + r"\D{0,3}".join(digits[-10:]) + r"(?!\d)")


def mask_values(text: str, other: Iterable[str]) -> str:
    """Other personal values (an address, a phone number, an e-mail) hidden whole, matched
    regardless of letter case; a phone number in any layout of its digits."""
    values = {v.strip() for v in other if v and v.strip()}
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value), HIDDEN, text, flags=re.IGNORECASE)
        if (digits := _digits_pattern(value)) is not None:
            text = digits.sub(HIDDEN, text)
    return text


def redact(text: str, names: Iterable[str] = (), other: Iterable[str] = ()) -> str:
    """``text`` with the known personal values of its parties masked, then the patterns.

    ``names``: people's names, shown as initials in whatever case they are written; ``other``:
    anything else personal (an address, a phone number), hidden whole.
    """
    text = mask_values(text, other)
    return mask_patterns(mask_names(text, names))
