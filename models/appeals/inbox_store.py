"""Intake of records from outside the office (ERDR cases, detention protocols, complaints about
the investigating body, finished cases): validate, store and number each record before it is
announced, so nothing sent to the office is lost.

Each source gives a pydantic model of its record and a ``register`` callable that opens the
procedure; this module does the rest the same way for every source: an invalid record is stored
as rejected with the reason, a record whose external id is already registered is found, not
registered again, and records not yet announced to Prefect are listed for reconciling.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.appeals.store import describe_errors, external_id_of, parse_json, too_large
from models.db.tables import InboxRecord, InboxSource, InboxStatus, Procedure
from models.office.schemas import excerpt
from models.records import audit

RecordT = TypeVar("RecordT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class InboxResult:
    record_id: int
    status: str  # registered, rejected, duplicate
    registration_number: str | None
    reason: str | None = None
    external_id: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status != "rejected"


def _existing(session: Session, source: InboxSource, external_id: str | None) -> InboxRecord | None:
    if external_id is None:
        return None
    return session.scalar(
        select(InboxRecord).where(
            InboxRecord.source == source,
            InboxRecord.external_id == external_id,
            InboxRecord.status == InboxStatus.REGISTERED,
        )
    )


def _result_of(session: Session, row: InboxRecord, status: str | None = None) -> InboxResult:
    number = None
    if row.procedure_id is not None:
        number = session.get_one(Procedure, row.procedure_id).registration_number
    return InboxResult(
        row.id, status or row.status.value, number, row.rejection_reason, row.external_id
    )


def store_rejected(
    session: Session,
    source: InboxSource,
    raw_text: str,
    reason: str,
    external_id: str | None = None,
) -> InboxResult:
    """Keep a record the office cannot register with the reason: exactly as received when it
    is small and storable, else a bounded excerpt (``schemas.excerpt``)."""
    reason = excerpt(reason, 5000)
    row = InboxRecord(
        source=source,
        external_id=external_id,
        status=InboxStatus.REJECTED,
        rejection_reason=reason,
        raw=excerpt(raw_text),
        received_at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor="intake",
        action=f"{source.value}.rejected",
        entity_kind="inbox_record",
        entity_id=row.id,
        payload={"reason": reason[:500], "external_id": external_id},
    )
    return _result_of(session, row)


def intake(
    session: Session,
    source: InboxSource,
    raw_text: str,
    model: type[RecordT],
    register: Callable[[Session, RecordT], Procedure],
    received_at: Callable[[RecordT], dt.datetime | None] = lambda _r: None,
) -> InboxResult:
    """Store one record given as JSON text: registered (``register`` opens its procedure in the
    same transaction), a duplicate of a registered one, or rejected with why.

    ``register`` may raise ``ValueError`` for a record that is well-formed but cannot be
    registered (e.g. a case of another office): it is stored as rejected with that reason.
    """
    problem = too_large(raw_text)
    if problem:
        return store_rejected(session, source, raw_text, problem)
    raw, problem = parse_json(raw_text)
    external_id = external_id_of(raw)
    if problem:
        return store_rejected(session, source, raw_text, problem, external_id)
    existing = _existing(session, source, external_id)
    if existing is not None:
        return _result_of(session, existing, "duplicate")
    try:
        record = model.model_validate(raw)
    except ValidationError as exc:
        return store_rejected(session, source, raw_text, describe_errors(exc), external_id)
    try:
        with session.begin_nested():
            proc = register(session, record)
            row = InboxRecord(
                source=source,
                external_id=external_id,
                status=InboxStatus.REGISTERED,
                raw=raw_text,
                procedure_id=proc.id,
                received_at=received_at(record),
            )
            session.add(row)
            session.flush()
    except IntegrityError:  # the same external id arrived at the same moment: this one waited
        existing = _existing(session, source, external_id)
        if existing is None:
            raise
        return _result_of(session, existing, "duplicate")
    except ValueError as exc:
        return store_rejected(session, source, raw_text, str(exc), external_id)
    audit.append(
        session,
        actor="intake",
        action=f"{source.value}.registered",
        entity_kind="inbox_record",
        entity_id=proc.registration_number,
        payload={"record_id": row.id, "external_id": external_id},
    )
    return InboxResult(row.id, "registered", proc.registration_number, None, external_id)


def unannounced(session: Session, source: InboxSource) -> list[tuple[int, str]]:
    """Registered records of ``source`` not yet announced: (record id, registration number)."""
    rows = session.execute(
        select(InboxRecord.id, Procedure.registration_number)
        .join(Procedure, InboxRecord.procedure_id == Procedure.id)
        .where(
            InboxRecord.source == source,
            InboxRecord.status == InboxStatus.REGISTERED,
            InboxRecord.event_emitted_at.is_(None),
        )
        .order_by(InboxRecord.id)
    )
    return [(r[0], r[1]) for r in rows]


def mark_announced(session: Session, record_ids: list[int]) -> None:
    now = dt.datetime.now(dt.UTC)
    for row in session.scalars(select(InboxRecord).where(InboxRecord.id.in_(record_ids))):
        row.event_emitted_at = now


def raw_of(session: Session, registration_number: str) -> tuple[InboxRecord, Procedure]:
    """The record a procedure was opened from, and the procedure."""
    found = session.execute(
        select(InboxRecord, Procedure)
        .join(Procedure, InboxRecord.procedure_id == Procedure.id)
        .where(Procedure.registration_number == registration_number)
    ).first()
    if found is None:
        raise LookupError(f"no registered record {registration_number}")
    return found[0], found[1]


def rejected(session: Session, source: InboxSource) -> list[InboxRecord]:
    return list(
        session.scalars(
            select(InboxRecord)
            .where(InboxRecord.source == source, InboxRecord.status == InboxStatus.REJECTED)
            .order_by(InboxRecord.id)
        )
    )
