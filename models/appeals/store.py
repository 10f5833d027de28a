"""Intake of appeals: validate, store and number each appeal before anything else happens.

An invalid appeal is stored too, as rejected with the reason and what was received (a bounded
excerpt of anything too large or unstorable), so nothing sent to the office is lost and nothing
stops a batch; a resubmitted appeal (the same external id, or without one the same applicant,
text and moment of receipt) is found, not registered again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from models.appeals import default_register
from models.db import retrying
from models.db.tables import AppealRow, AppealStatus, AuditEntry, Procedure
from models.office.schemas import APPEAL_MAX_BYTES, RECEIVED_AT_FLOOR, AppealIn, unstorable
from models.timing.calendar import WorkingCalendar

# Term rows this module counts (the office checks them at start-up).
CONSIDERATION_TERM = "appeal.consideration"  # the general term of an appeal
TERMS = (CONSIDERATION_TERM,)


def describe_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class IntakeResult:
    appeal_id: int | None  # None only when refused: not stored at all
    status: str  # registered, rejected, duplicate; refused
    registration_number: str | None
    reason: str | None = None
    external_id: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status != "rejected"


def applicant_of(appeal: AppealIn) -> tuple[str | None, str | None]:
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


def term_of(appeal: AppealIn) -> str:
    """The term row that governs it: an appeal (CL-155 art. 24(3)), or a complaint the CPC
    governs (CL-155 art. 24(9); CPC art. 105), which is registered but is no appeal."""
    return default_register().decide(appeal.topic).cpc_term or CONSIDERATION_TERM


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
    receipt), or rejected with why. All of it in the caller's one transaction: a batch of one
    (``models.appeals.batch_intake``)."""
    from models.appeals.batch_intake import intake_batch  # it builds on this module's rules

    return intake_batch(
        session, [raw_text], office_code, calendar, received_at_floor=received_at_floor
    )[0]


def audit_head(session: Session) -> int | None:
    """The newest audit entry's number: it moves whenever any writer of the office commits."""
    return session.scalar(select(func.max(AuditEntry.seq)))


Record = tuple[str, str | None]  # an appeal's text, and a reason found before parsing or None


def _submit(
    records: Sequence[Record], office_code: str, calendar: WorkingCalendar, engine: Engine | None
) -> list[IntakeResult]:
    from models.appeals.batch_intake import intake_batch

    def work(session: Session) -> list[IntakeResult]:
        return intake_batch(
            session,
            [raw for raw, _ in records],
            office_code,
            calendar,
            problems=[problem for _, problem in records],
        )

    return retrying(work, engine, progress=audit_head)


def submit(
    raw_text: str,
    problem: str | None,
    office_code: str,
    calendar: WorkingCalendar,
    engine: Engine | None = None,
) -> IntakeResult:
    """One appeal in one transaction of its own, retried while the database is busy (see
    ``models.db.retrying``); ``problem`` is a reason found before parsing (not UTF-8, too
    large), stored as the rejection. A batch of one: the same code as ``submit_batch``."""
    return _submit([(raw_text, problem)], office_code, calendar, engine)[0]


def submit_batch(
    records: Sequence[Record],
    office_code: str,
    calendar: WorkingCalendar,
    engine: Engine | None = None,
) -> list[IntakeResult]:
    """Appeals in one transaction, retried while the database is busy. When the batch fails
    for any other reason (one appeal the database refuses), nothing of it was stored: each is
    submitted alone instead, so the others are not lost; one that fails alone too is kept as
    rejected with the error, or at worst reported as refused (not stored)."""
    try:
        return _submit(records, office_code, calendar, engine)
    except Exception:  # rolled back whole: find the culprit one by one
        return [
            _submit_alone(raw, problem, office_code, calendar, engine) for raw, problem in records
        ]


def _submit_alone(
    raw: str,
    problem: str | None,
    office_code: str,
    calendar: WorkingCalendar,
    engine: Engine | None,
) -> IntakeResult:
    try:
        return submit(raw, problem, office_code, calendar, engine)
    except Exception as exc:
        error = one_line(exc)
    try:
        return submit(raw, f"could not be registered: {error}", office_code, calendar, engine)
    except Exception as exc:
        reason = f"refused, not stored: {error}; {one_line(exc)}"
        return IntakeResult(None, "refused", None, reason, None)


def one_line(exc: BaseException) -> str:
    """An exception as one line of at most 500 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 500 else text[:497] + "..."


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
