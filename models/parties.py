"""The parties of a procedure as a supervisor may see them in Prefect, and the personal data
that must be masked wherever the procedure is shown there (see ``models.masking``)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.masking import mask_identifier, mask_name, redact
from models.tables import AppealRow, Body, Procedure


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


def _applicant(appeal: AppealRow) -> tuple[list[Party], PersonalData]:
    try:
        raw = json.loads(appeal.raw)
    except ValueError:
        raw = {}
    applicant = raw.get("applicant") if isinstance(raw, dict) else None
    contact = raw.get("contact") if isinstance(raw, dict) else None
    applicant = applicant if isinstance(applicant, dict) else {}
    contact = contact if isinstance(contact, dict) else {}
    if appeal.applicant_id is None:
        return [Party("applicant", "anonymous")], PersonalData()
    if applicant.get("kind") == "legal_entity":  # a company's name and BIN are public
        shown = f"{appeal.applicant_name} (BIN {appeal.applicant_id})"
        return [Party("applicant", shown)], PersonalData(other=_strings(contact))
    name = appeal.applicant_name or ""
    parts = [applicant.get(k) for k in ("last_name", "first_name", "patronymic")]
    names = (name, *(p for p in parts if isinstance(p, str)))
    shown = f"{mask_name(name)} (IIN {mask_identifier(appeal.applicant_id)})"
    return [Party("applicant", shown)], PersonalData(
        names=names, other=(appeal.applicant_id, *_strings(contact))
    )


def _strings(data: dict[str, object]) -> tuple[str, ...]:
    return tuple(v for v in data.values() if isinstance(v, str))


def parties_of(session: Session, procedure_id: int) -> tuple[list[Party], PersonalData]:
    """Who the procedure concerns, masked, and the values to mask in anything shown of it."""
    proc = session.get_one(Procedure, procedure_id)
    details = proc.details or {}
    appeal = session.scalar(select(AppealRow).where(AppealRow.procedure_id == procedure_id))
    if appeal is not None:
        return _applicant(appeal)
    parties: list[Party] = []
    personal = PersonalData()
    if person := details.get("person"):  # a person held: never shown in full
        parties.append(Party("person held", mask_name(str(person))))
        personal = PersonalData(names=(str(person),))
    if facility := details.get("facility"):
        parties.append(Party("facility", str(facility)))
    if addressee := details.get("addressee"):
        body = session.get(Body, str(addressee))
        parties.append(Party("addressee", body.name_ru if body else str(addressee)))
    if subject := details.get("subject"):
        parties.append(Party("subject of inspection", personal.redact(str(subject))))
    return parties, personal
