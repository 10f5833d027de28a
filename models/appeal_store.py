"""Intake of appeals: validate, store and number each appeal before anything else happens.

An invalid appeal is stored too, as rejected with the reason, so nothing sent to the office is
lost; a resubmitted appeal with the same external id is found, not registered again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import audit, procedure_store
from models.appeals import default_register, text_fingerprint
from models.calendar import WorkingCalendar, local_date
from models.procedures import ProcedureKind
from models.schemas import AppealIn
from models.tables import AppealRow, AppealStatus, Procedure
from models.terms import default_terms


def describe_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class IntakeResult:
    appeal_id: int
    status: str  # registered, rejected, duplicate
    registration_number: str | None
    reason: str | None = None
    external_id: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status != "rejected"


def _applicant(appeal: AppealIn) -> tuple[str | None, str | None]:
    a = appeal.applicant
    if a is None:
        return None, None
    if a.kind == "individual":
        name = " ".join(p for p in (a.last_name, a.first_name, a.patronymic) if p)
        return a.iin, name
    return a.bin, a.name


def _external_id(raw: Any) -> str | None:
    if isinstance(raw, dict) and isinstance(raw.get("external_id"), str):
        return raw["external_id"][:100] or None
    return None


def _existing(session: Session, external_id: str | None) -> AppealRow | None:
    if external_id is None:
        return None
    return session.scalar(
        select(AppealRow).where(
            AppealRow.external_id == external_id, AppealRow.status == AppealStatus.REGISTERED
        )
    )


def _result_of(session: Session, row: AppealRow, status: str | None = None) -> IntakeResult:
    number = None
    if row.procedure_id is not None:
        number = session.get_one(Procedure, row.procedure_id).registration_number
    return IntakeResult(
        row.id, status or row.status.value, number, row.rejection_reason, row.external_id
    )


def store_rejected(
    session: Session, raw_text: str, reason: str, external_id: str | None = None
) -> IntakeResult:
    row = AppealRow(
        external_id=external_id,
        status=AppealStatus.REJECTED,
        rejection_reason=reason[:5000],
        raw=raw_text,
        received_at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor="intake",
        action="appeal.rejected",
        entity_kind="appeal",
        entity_id=row.id,
        payload={"reason": reason[:500], "external_id": external_id},
    )
    return _result_of(session, row)


def term_of(appeal: AppealIn) -> str:
    """The term row that governs it: an appeal (CL-155 art. 24(3)), or a complaint the CPC
    governs (CL-155 art. 24(9); CPC art. 105), which is registered but is no appeal."""
    return default_register().decide(appeal.topic).cpc_term or "appeal.consideration"


def intake(
    session: Session, raw_text: str, office_code: str, calendar: WorkingCalendar
) -> IntakeResult:
    """Store one appeal given as JSON text: registered with a number, or rejected with why."""
    try:
        raw = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        return store_rejected(session, raw_text, f"malformed JSON at line {exc.lineno}: {exc.msg}")
    external_id = _external_id(raw)
    existing = _existing(session, external_id)
    if existing is not None:
        return _result_of(session, existing, "duplicate")
    try:
        appeal = AppealIn.model_validate(raw)
    except ValidationError as exc:
        return store_rejected(session, raw_text, describe_errors(exc), external_id)
    received_on = local_date(appeal.received_at)
    registered_on = calendar.on_or_next_working_day(received_on)  # APPC art. 64(3)
    applicant_id, applicant_name = _applicant(appeal)
    try:
        with session.begin_nested():
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code,
                kind=ProcedureKind.APPEAL,
                title=appeal.subject,
                year=registered_on.year,
                due_date=default_terms().due(term_of(appeal), received_on, calendar),
                actor="intake",
            )
            row = AppealRow(
                external_id=appeal.external_id,
                status=AppealStatus.REGISTERED,
                raw=raw_text,
                procedure_id=proc.id,
                applicant_id=applicant_id,
                applicant_name=applicant_name,
                language=appeal.language.value,
                channel=appeal.channel.value,
                topic=appeal.topic,
                subject=appeal.subject,
                text_sha256=text_fingerprint(appeal.text),
                received_at=appeal.received_at,
            )
            session.add(row)
            session.flush()
    except IntegrityError:  # the same external id arrived at the same moment
        existing = _existing(session, external_id)
        if existing is None:
            raise
        return _result_of(session, existing, "duplicate")
    audit.append(
        session,
        actor="intake",
        action="appeal.registered",
        entity_kind="appeal",
        entity_id=proc.registration_number,
        payload={
            "appeal_id": row.id,
            "external_id": appeal.external_id,
            "channel": appeal.channel.value,
            "term": term_of(appeal),
        },
    )
    return IntakeResult(row.id, "registered", proc.registration_number, None, appeal.external_id)


def parsed(row: AppealRow) -> AppealIn:
    return AppealIn.model_validate_json(row.raw)


def mark_evented(session: Session, appeal_ids: list[int]) -> None:
    now = dt.datetime.now(dt.UTC)
    for row in session.scalars(select(AppealRow).where(AppealRow.id.in_(appeal_ids))):
        row.event_emitted_at = now


def without_review(session: Session, older_than: dt.timedelta) -> list[str]:
    """Registered appeals whose review run never started (the event was lost or not sent)."""
    cutoff = dt.datetime.now(dt.UTC) - older_than
    rows = session.execute(
        select(Procedure.registration_number)
        .join(AppealRow, AppealRow.procedure_id == Procedure.id)
        .where(
            and_(
                AppealRow.status == AppealStatus.REGISTERED,
                AppealRow.review_flow_run_id.is_(None),
                AppealRow.stored_at <= cutoff,
            )
        )
        .order_by(AppealRow.id)
    ).scalars()
    return list(rows)


def by_number(session: Session, registration_number: str) -> tuple[AppealRow, Procedure]:
    found = session.execute(
        select(AppealRow, Procedure)
        .join(Procedure, AppealRow.procedure_id == Procedure.id)
        .where(Procedure.registration_number == registration_number)
    ).first()
    if found is None:
        raise LookupError(f"no registered appeal {registration_number}")
    return found[0], found[1]
