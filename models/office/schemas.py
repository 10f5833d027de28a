"""Schemas of everything that comes from outside: roster files and appeals (обращения)."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from models.office.identifiers import IdentifierError, validate_bin, validate_iin
from models.office.roster import AbsenceKind, Position
from models.timing.calendar import ALMATY


def _iin(value: str) -> str:
    try:
        return validate_iin(value)
    except IdentifierError as exc:
        raise ValueError(str(exc)) from None


def _bin(value: str) -> str:
    try:
        return validate_bin(value)
    except IdentifierError as exc:
        raise ValueError(str(exc)) from None


IIN = Annotated[str, AfterValidator(_iin)]
BIN = Annotated[str, AfterValidator(_bin)]
StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
Area = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{7,20}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- Roster files -------------------------------------------------------------------------


class OfficeIn(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{2,20}$")]
    name_kk: Name
    name_ru: Name
    address: Name | None = None
    region: Name | None = None
    phone: Phone | None = None  # printed on the letterhead
    email: EmailStr | None = None


class StaffIn(Strict):
    id: StaffId
    name: Name
    position: Position
    areas: list[Area] = []
    seniority: int = Field(100, ge=0)
    clearance: bool = False
    active: bool = True
    phone: Phone | None = None  # the executor's phone in a letter's footer
    iin: IIN | None = Field(None, description="the holder's IIN in their EDS certificate (ЭЦП)")


def _period_ordered(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")


class AbsenceIn(Strict):
    staff_id: StaffId
    kind: AbsenceKind
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    note: str | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> AbsenceIn:
        _period_ordered(self.start, self.end)
        return self


class ActingOrderIn(Strict):
    acting_id: StaffId
    for_id: StaffId
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    reference: str = Field("", max_length=100, description="number and date of the order")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> ActingOrderIn:
        _period_ordered(self.start, self.end)
        if self.acting_id == self.for_id:
            raise ValueError("a staff member cannot act for themselves")
        return self


class ShiftIn(Strict):
    """A shift of the prosecutor on duty (дежурный прокурор) outside working hours."""

    staff_id: StaffId
    start: dt.datetime = Field(alias="from")
    end: dt.datetime = Field(alias="to")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> ShiftIn:
        if self.start.tzinfo is None:
            self.start = self.start.replace(tzinfo=ALMATY)
        if self.end.tzinfo is None:
            self.end = self.end.replace(tzinfo=ALMATY)
        if self.end <= self.start:
            raise ValueError(f"the shift ends ({self.end}) before it starts ({self.start})")
        return self


class BodyIn(Strict):
    """A law-enforcement or other state body the office coordinates (Regulation cl. 6.3, 7.4)."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,39}$")]
    name_ru: Name
    name_kk: Name
    head: Name = Field(description="the head of the body, to whom letters are addressed")
    contact: Annotated[str, StringConstraints(max_length=300)] | None = None


class RosterFile(Strict):
    office: OfficeIn
    staff: list[StaffIn] = Field(min_length=1)
    absences: list[AbsenceIn] = []
    acting_orders: list[ActingOrderIn] = []
    duty_roster: list[ShiftIn] = []
    bodies: list[BodyIn] = []

    @model_validator(mode="after")
    def _references(self) -> RosterFile:
        ids = [s.id for s in self.staff]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"staff ids appear twice: {', '.join(dup)}")
        return self


# --- Limits of what is read from outside --------------------------------------------------
# Settings to be: PROSECUTOR_APPEAL_MAX_BYTES, PROSECUTOR_INPUT_FILE_MAX_BYTES,
# PROSECUTOR_RECEIVED_AT_FLOOR. An appeal's text is at most 100 000 characters, under 700 KB
# as JSON even with every character escaped; 1 MiB leaves room for the rest.
APPEAL_MAX_BYTES = 1024 * 1024  # one appeal (a .json file or a line of .jsonl)
INPUT_FILE_MAX_BYTES = 100 * 1024 * 1024  # one file given to intake, checked before reading
EXCERPT_BYTES = 64 * 1024  # what is kept of a rejected input
# No appeal to a prosecutor's office of the Republic is older than the Republic (16 December
# 1991): an earlier date is a typing error, not a backlog.
RECEIVED_AT_FLOOR = dt.date(1991, 12, 16)


def excerpt(text: str, limit: int = EXCERPT_BYTES) -> str:
    """What a database can keep of a rejected input: at most ``limit`` bytes of UTF-8, NUL
    characters and lone surrogates written as escapes (PostgreSQL refuses both), and a note of
    how much was left out. Text that needs none of this is returned unchanged."""
    data = text.encode("utf-8", errors="backslashreplace").replace(b"\x00", b"\\x00")
    if len(data) <= limit:
        return data.decode("utf-8")
    kept = data[:limit].decode("utf-8", errors="ignore")  # never half a character
    return f"{kept}\n[... {len(data) - len(kept.encode('utf-8'))} more bytes not kept]"


def _problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"contains a lone surrogate ({exc.object[exc.start]!a})"
    return None


def unstorable(value: object) -> str | None:
    """The first string of parsed JSON that no database can store as text (a NUL character, a
    lone surrogate from a ``\ud800`` escape) as "field: problem"; None when every one can be.
    Walks without recursion: the JSON may be nested as deep as the parser allows."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = _problem(item)
            if problem:
                return f"{where or 'value'}: {problem}"
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                path = f"{where}.{key}" if where else str(key)
                stack.extend([(path, child), (path, key)])  # the key is looked at first
        elif isinstance(item, list):
            stack.extend(
                (f"{where}.{i}" if where else str(i), child)
                for i, child in reversed(list(enumerate(item)))
            )
    return None


# --- Appeals (обращения) ------------------------------------------------------------------


class Language(StrEnum):
    KK = "kk"
    RU = "ru"


class Channel(StrEnum):
    E_OTINISH = "e_otinish"  # the state e-Otinish portal
    EGOV = "egov"
    POST = "post"
    EMAIL = "email"
    RECEPTION = "reception"  # personal reception (личный приём)
    PHONE = "phone"


class Contact(Strict):
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{7,20}$")] | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not (self.email or self.phone or self.address):
            raise ValueError("a contact needs an e-mail, a phone or a postal address")
        return self


class Individual(Strict):
    """A natural person (жеке тұлға / физическое лицо)."""

    kind: Literal["individual"] = "individual"
    iin: IIN
    last_name: Name
    first_name: Name
    patronymic: Name | None = None


class LegalEntity(Strict):
    """A legal entity (заңды тұлға / юридическое лицо)."""

    kind: Literal["legal_entity"] = "legal_entity"
    bin: BIN
    name: Name
    representative: Name | None = None


_ATTACHMENT = re.compile(r"^[^/\\\x00-\x1f:*?\"<>|]{1,200}$")


class Attachment(Strict):
    filename: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None

    @field_validator("filename")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not _ATTACHMENT.match(value) or value in {".", ".."} or value.startswith("."):
            raise ValueError(f"attachment name {value!r} must be a plain file name, not a path")
        return value


class AppealIn(Strict):
    """An appeal as it arrives, before registration."""

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    applicant: Individual | LegalEntity | None = Field(
        None, discriminator="kind", description="None for an anonymous appeal"
    )
    contact: Contact | None = None
    language: Language
    channel: Channel
    topic: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,59}$")] | None = Field(
        None, description="category chosen at submission, e.g. labour_rights; see competence.yaml"
    )
    subject: Annotated[str, StringConstraints(min_length=3, max_length=300)]
    text: Annotated[str, StringConstraints(min_length=10, max_length=100_000)]
    received_at: dt.datetime
    attachments: list[Attachment] = Field([], max_length=50)

    @field_validator("received_at")
    @classmethod
    def _plausible_moment(cls, value: dt.datetime, info: ValidationInfo) -> dt.datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=ALMATY)
        floor = (info.context or {}).get("received_at_floor", RECEIVED_AT_FLOOR)
        if value.astimezone(ALMATY).date() < floor:
            raise ValueError(f"received_at is before {floor.isoformat()}, the earliest plausible")
        if value > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
            raise ValueError("received_at is in the future")
        return value

    @property
    def anonymous(self) -> bool:
        return self.applicant is None
