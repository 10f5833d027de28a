"""Intake of appeals: validate, store and number each appeal before anything else happens.

An invalid appeal is stored too, as rejected with the reason and what was received (a bounded
excerpt of anything too large or unstorable), so nothing sent to the office is lost and nothing
stops a batch; a resubmitted appeal (the same external id, or without one the same applicant,
text and moment of receipt) is found, not registered again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import audit, procedure_store
from models.appeals import default_register, text_fingerprint
from models.calendar import WorkingCalendar, local_date
from models.db import retrying
from models.procedures import ProcedureKind
from models.schemas import APPEAL_MAX_BYTES, RECEIVED_AT_FLOOR, AppealIn, excerpt, unstorable
from models.tables import AppealRow, AppealStatus, AuditEntry, Procedure
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


def external_id_of(raw: Any) -> str | None:
    """The sender's id of a record as the schema will read it (surrounding spaces dropped), or
    None when there is none or it cannot be stored."""
    if not isinstance(raw, dict) or not isinstance(raw.get("external_id"), str):
        return None
    value = raw["external_id"].strip()[:100]
    if unstorable(value):
        return None
    return value or None


def _existing(session: Session, external_id: str | None) -> AppealRow | None:
    if external_id is None:
        return None
    return session.scalar(
        select(AppealRow).where(
            AppealRow.external_id == external_id, AppealRow.status == AppealStatus.REGISTERED
        )
    )


def _same_content(session: Session, appeal: AppealIn) -> AppealRow | None:
    """A registered appeal without an external id from the same applicant, with the same text,
    received at the same moment: the same appeal submitted again (e.g. a batch re-run)."""
    applicant_id, _ = _applicant(appeal)
    applicant = (
        AppealRow.applicant_id.is_(None)
        if applicant_id is None
        else AppealRow.applicant_id == applicant_id
    )
    return session.scalar(
        select(AppealRow)
        .where(
            applicant,
            AppealRow.text_sha256 == text_fingerprint(appeal.text),
            AppealRow.received_at == appeal.received_at,
            AppealRow.external_id.is_(None),
            AppealRow.status == AppealStatus.REGISTERED,
        )
        .limit(1)
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
    """Keep what was received with the reason it cannot be registered: the input itself when it
    is small and storable, else a bounded excerpt (``schemas.excerpt``)."""
    reason = excerpt(reason, 5000)
    row = AppealRow(
        external_id=external_id,
        status=AppealStatus.REJECTED,
        rejection_reason=reason,
        raw=excerpt(raw_text),
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


def too_large(raw_text: str, limit: int = APPEAL_MAX_BYTES) -> str | None:
    """Why an input is refused for its size, or None."""
    size = len(raw_text) if len(raw_text) > limit else len(raw_text.encode("utf-8", "replace"))
    if size > limit:
        return f"{size} bytes, over the limit of {limit} bytes per record"
    return None


def parse_json(raw_text: str) -> tuple[Any, str | None]:
    """The parsed input, or why it cannot be read: not JSON, nested deeper than can be read, or
    holding text no database can store. Shared by every intake of records from outside."""
    try:
        raw = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON at line {exc.lineno}: {exc.msg}"
    except RecursionError:  # e.g. 100 000 nested brackets
        return None, "JSON nested too deeply to read"
    return raw, unstorable(raw)


def intake(
    session: Session,
    raw_text: str,
    office_code: str,
    calendar: WorkingCalendar,
    received_at_floor: dt.date = RECEIVED_AT_FLOOR,
) -> IntakeResult:
    """Store one appeal given as JSON text: registered with a number, a duplicate of one
    registered before (same external id; without one, same applicant, text and moment of
    receipt), or rejected with why. All of it in the caller's one transaction."""
    problem = too_large(raw_text)
    if problem:
        return store_rejected(session, raw_text, problem)
    raw, problem = parse_json(raw_text)
    external_id = external_id_of(raw)
    if problem:
        return store_rejected(session, raw_text, problem, external_id)
    existing = _existing(session, external_id)
    if existing is not None:
        return _result_of(session, existing, "duplicate")
    try:
        appeal = AppealIn.model_validate(raw, context={"received_at_floor": received_at_floor})
    except ValidationError as exc:
        return store_rejected(session, raw_text, describe_errors(exc), external_id)
    received_on = local_date(appeal.received_at)
    registered_on = calendar.on_or_next_working_day(received_on)  # APPC art. 64(3)
    # Lock the register before looking for a twin: a twin submitted at the same moment by
    # another process waits here and then finds this one.
    procedure_store.lock_numbering(session, office_code, ProcedureKind.APPEAL, registered_on.year)
    existing = _existing(session, external_id)
    if existing is None and external_id is None:
        existing = _same_content(session, appeal)
    if existing is not None:
        return _result_of(session, existing, "duplicate")
    applicant_id, applicant_name = _applicant(appeal)
    try:
        with session.begin_nested():  # a part of the transaction (explicit, see models.db)
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
    except IntegrityError:  # the same external id, registered under another year's register
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


def audit_head(session: Session) -> int | None:
    """The newest audit entry's number: it moves whenever any writer of the office commits."""
    return session.scalar(select(func.max(AuditEntry.seq)))


def submit(
    raw_text: str,
    problem: str | None,
    office_code: str,
    calendar: WorkingCalendar,
    engine: Engine | None = None,
) -> IntakeResult:
    """One appeal in one transaction of its own, retried while the database is busy (see
    ``models.db.retrying``); ``problem`` is a reason found before parsing (not UTF-8, too
    large), stored as the rejection."""

    def work(session: Session) -> IntakeResult:
        if problem:
            return store_rejected(session, raw_text, problem)
        return intake(session, raw_text, office_code, calendar)

    return retrying(work, engine, progress=audit_head)


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
