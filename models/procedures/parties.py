"""The parties of a procedure as a supervisor may see them in Prefect, and the personal data
that must be masked wherever the procedure is shown there (see ``models.office.masking``).

The personal data come from what the office stored: the appeal as received, the record from
outside a procedure was opened from (a detention protocol, a complaint, a finished case), the
facts of a release, and the procedure it was opened for (a release names its detention)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import AppealRow, Body, InboxRecord, Procedure
from models.office.masking import mask_identifier, mask_name, redact

# Keys of a stored record whose values name a private person or reach them.
_NAME_PARTS = ("last_name", "first_name", "patronymic")
_NAME_KEYS = frozenset({"accused", "full_name", "person_name", "representative"})
_PRIVATE_KEYS = frozenset({"iin", "phone", "email", "address"})


@dataclass(frozen=True, slots=True)
class Party:
    role: str  # applicant, addressee, facility, person held, subject of inspection
    shown: str  # masked where it is a private person


@dataclass(frozen=True, slots=True)
class PersonalData:
    names: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    def redact(self, text: str) -> str:
        return redact(text, self.names, self.other)

    def __or__(self, more: PersonalData) -> PersonalData:
        return PersonalData(self.names + more.names, self.other + more.other)


def _json(raw: str | None) -> Any:
    try:
        return json.loads(raw or "")
    except ValueError:
        return None


def _people(data: Any) -> Iterator[tuple[str, str]]:
    """(``name``/``other``, value) for every private person's datum in a stored record, at any
    depth; a legal entity's name and BIN are public and stay."""
    if isinstance(data, list):
        for item in data:
            yield from _people(item)
        return
    if not isinstance(data, dict):
        return
    company = data.get("kind") == "legal_entity"
    for key, value in data.items():
        if isinstance(value, str) and value.strip():
            if key in _NAME_PARTS or key in _NAME_KEYS:
                yield "name", value
            elif key in _PRIVATE_KEYS and not company:
                yield "other", value
        else:
            yield from _people(value)


def personal_of_record(raw: str | None) -> PersonalData:
    """The personal data of a record as received (JSON): names and identifiers, contacts."""
    found = list(_people(_json(raw)))
    return PersonalData(
        names=tuple(v for k, v in found if k == "name"),
        other=tuple(v for k, v in found if k == "other"),
    )


def _applicant(appeal: AppealRow) -> tuple[list[Party], PersonalData]:
    raw = _json(appeal.raw)
    applicant = raw.get("applicant") if isinstance(raw, dict) else None
    contact = raw.get("contact") if isinstance(raw, dict) else None
    applicant = applicant if isinstance(applicant, dict) else {}
    contact = contact if isinstance(contact, dict) else {}
    if appeal.applicant_id is None:
        return [Party("applicant", "anonymous")], PersonalData(other=_strings(contact))
    if applicant.get("kind") == "legal_entity":  # a company's name and BIN are public
        shown = f"{appeal.applicant_name} (BIN {appeal.applicant_id})"
        representative = applicant.get("representative")
        names = (representative,) if isinstance(representative, str) else ()
        return [Party("applicant", shown)], PersonalData(names=names, other=_strings(contact))
    name = appeal.applicant_name or ""
    parts = [applicant.get(k) for k in _NAME_PARTS]
    names = (name, *(p for p in parts if isinstance(p, str)))
    shown = f"{mask_name(name)} (IIN {mask_identifier(appeal.applicant_id)})"
    return [Party("applicant", shown)], PersonalData(
        names=names, other=(appeal.applicant_id, *_strings(contact))
    )


def _strings(data: dict[str, object]) -> tuple[str, ...]:
    return tuple(v for v in data.values() if isinstance(v, str))


def _record_of(session: Session, procedure_id: int) -> PersonalData:
    raw = session.scalar(select(InboxRecord.raw).where(InboxRecord.procedure_id == procedure_id))
    return personal_of_record(raw)


def _detention_of(session: Session, number: object) -> PersonalData:
    """A release opened for a detention: the detention's protocol names the person."""
    if not isinstance(number, str) or not number:
        return PersonalData()
    raw = session.scalar(
        select(InboxRecord.raw)
        .join(Procedure, Procedure.id == InboxRecord.procedure_id)
        .where(Procedure.registration_number == number)
    )
    return personal_of_record(raw)


def parties_of(session: Session, procedure_id: int) -> tuple[list[Party], PersonalData]:
    """Who the procedure concerns, masked, and the values to mask in anything shown of it."""
    proc = session.get_one(Procedure, procedure_id)
    details = proc.details or {}
    appeal = session.scalar(select(AppealRow).where(AppealRow.procedure_id == procedure_id))
    if appeal is not None:
        return _applicant(appeal)
    parties: list[Party] = []
    personal = _record_of(session, procedure_id) | _detention_of(session, details.get("detention"))
    if person := details.get("person"):  # a person held: never shown in full
        parties.append(Party("person held", mask_name(str(person))))
        personal = personal | PersonalData(names=(str(person),))
    if facility := details.get("facility"):
        parties.append(Party("facility", str(facility)))
    if addressee := details.get("addressee"):
        body = session.get(Body, str(addressee))
        parties.append(Party("addressee", body.name_ru if body else str(addressee)))
    if subject := details.get("subject"):
        parties.append(Party("subject of inspection", personal.redact(str(subject))))
    return parties, personal


def personal_data_of(session: Session, procedure_id: int) -> PersonalData:
    """The values to mask in anything shown of the procedure."""
    return parties_of(session, procedure_id)[1]
