"""Intake of a batch of appeals in set-based statements, inside the caller's one transaction.

The same rules as one appeal at a time (``models.appeals.store``), with a constant number of
statements per batch instead of per appeal: all are validated first; duplicates are found in
one query for external ids and one for content fingerprints (a registered appeal without an
external id from the same applicant, with the same text and moment of receipt); the register's
counter row is locked and moved once per year of the batch; procedures, appeals and audit
entries are inserted as sets. Inside the batch each appeal is decided in its order, so the
numbers, rows and audit entries are exactly those of submitting them one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Integer, String, and_, func, insert, select, text, values
from sqlalchemy.orm import Session
from sqlalchemy.sql import column

from models.appeals import text_fingerprint
from models.appeals.store import (
    IntakeResult,
    applicant_of,
    describe_errors,
    external_id_of,
    parse_json,
    term_of,
    too_large,
)
from models.db.tables import AppealRow, AppealStatus, Procedure
from models.office.schemas import RECEIVED_AT_FLOOR, AppealIn, excerpt
from models.procedures import ProcedureKind, ProcedureStatus, registration_number
from models.procedures import store as procedure_store
from models.records import audit
from models.timing.calendar import WorkingCalendar, local_date
from models.timing.terms import default_terms

ACTOR = "intake"


@dataclass(slots=True, eq=False)
class _Item:
    """One input of the batch and what is decided about it, in the batch's order."""

    raw: str
    problem: str | None = None  # why it is rejected
    external_id: str | None = None
    parsed: bool = False  # read as JSON: its external id counts even if it is invalid
    appeal: AppealIn | None = None  # valid
    content: tuple[str, str, str] = ("", "", "")  # applicant, text fingerprint, moment
    duplicate_of: tuple[int, str | None] | None = None  # a registered appeal: (id, number)
    twin: _Item | None = None  # an earlier appeal of this batch it repeats
    new: bool = False
    year: int = 0
    seq: int = 0
    number: str = ""
    due: dt.date | None = None
    appeal_id: int = 0
    procedure_id: int = 0


def _read(item: _Item, received_at_floor: dt.date) -> None:
    """Validate one input: ``item.appeal`` set, or ``item.problem`` says why not."""
    if item.problem:
        return
    item.problem = too_large(item.raw)
    if item.problem:
        return
    raw, item.problem = parse_json(item.raw)
    item.external_id = external_id_of(raw)
    if item.problem:
        return
    item.parsed = True
    try:
        item.appeal = AppealIn.model_validate(raw, context={"received_at_floor": received_at_floor})
    except ValidationError as exc:
        item.problem = describe_errors(exc)
        return
    applicant_id, _ = applicant_of(item.appeal)
    item.content = (
        applicant_id or "",
        text_fingerprint(item.appeal.text),
        item.appeal.received_at.astimezone(dt.UTC).isoformat(),
    )


def _by_external_id(session: Session, external_ids: set[str]) -> dict[str, tuple[int, str]]:
    """Registered appeals with these external ids, in one query."""
    if not external_ids:
        return {}
    rows = session.execute(
        select(AppealRow.external_id, AppealRow.id, Procedure.registration_number)
        .join(Procedure, Procedure.id == AppealRow.procedure_id)
        .where(
            AppealRow.external_id.in_(sorted(external_ids)),
            AppealRow.status == AppealStatus.REGISTERED,
        )
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def _by_content(session: Session, items: list[_Item]) -> dict[int, tuple[int, str]]:
    """Position in ``items`` -> the registered appeal without an external id it repeats (same
    applicant, text fingerprint and moment of receipt), in one query: a VALUES list joined to
    the appeals, compared as the database stores them."""
    if not items:
        return {}
    wanted = (
        values(
            column("i", Integer),
            column("applicant", String),
            column("sha", String),
            column("received", AppealRow.__table__.c.received_at.type),  # as stored
            name="wanted",
        )
        .data(
            [
                (i, item.content[0], item.content[1], item.appeal.received_at)
                for i, item in enumerate(items)
                if item.appeal is not None
            ]
        )
        .cte("wanted")
    )
    rows = session.execute(
        select(wanted.c.i, func.min(AppealRow.id), func.min(Procedure.registration_number))
        .select_from(wanted)
        .join(
            AppealRow,
            and_(
                func.coalesce(AppealRow.applicant_id, "") == wanted.c.applicant,
                AppealRow.text_sha256 == wanted.c.sha,
                AppealRow.received_at == wanted.c.received,
            ),
        )
        .join(Procedure, Procedure.id == AppealRow.procedure_id)
        .where(AppealRow.external_id.is_(None), AppealRow.status == AppealStatus.REGISTERED)
        .group_by(wanted.c.i)
    )
    return {int(r[0]): (r[1], r[2]) for r in rows}


def _registered_on(
    item: _Item, calendar: WorkingCalendar, days: dict[dt.date, dt.date]
) -> tuple[dt.date, dt.date]:
    """(received, registered): the next working day when received on a day off (APPC art.
    64(3)); ``days`` keeps what the calendar said for the batch's few dates."""
    assert item.appeal is not None
    received_on = local_date(item.appeal.received_at)
    if received_on not in days:
        days[received_on] = calendar.on_or_next_working_day(received_on)
    return received_on, days[received_on]


def _decide(
    session: Session, items: list[_Item], office_code: str, calendar: WorkingCalendar
) -> None:
    """Duplicates, rejections and numbers, each appeal in the batch's order as if alone."""
    days: dict[dt.date, dt.date] = {}
    last: dict[int, int] = {}  # year -> the last number given, read under the lock
    dues: dict[tuple[str, dt.date], dt.date] = {}  # (term, received) -> due date
    stored = _by_external_id(session, {i.external_id for i in items if i.parsed and i.external_id})
    maybe_new = [i for i in items if i.appeal is not None and i.external_id not in stored]
    if maybe_new:
        # Lock the registers before looking for twins: a twin submitted at the same moment by
        # another process waits here and then finds these.
        for year in sorted({_registered_on(i, calendar, days)[1].year for i in maybe_new}):
            last[year] = procedure_store.lock_numbering(
                session, office_code, ProcedureKind.APPEAL, year
            )
        stored |= _by_external_id(
            session, {i.external_id for i in maybe_new if i.external_id is not None}
        )
    anonymous = [i for i in maybe_new if i.external_id is None]
    by_content = _by_content(session, anonymous)
    stored_content = {id(anonymous[k]): found for k, found in by_content.items()}
    batch_external: dict[str, _Item] = {}
    batch_content: dict[tuple[str, str, str], _Item] = {}
    per_year: dict[int, list[_Item]] = {}
    for item in items:
        if not item.parsed:
            continue
        if item.external_id is not None:
            if item.external_id in stored:
                item.duplicate_of = stored[item.external_id]
                continue
            if item.external_id in batch_external:
                item.twin = batch_external[item.external_id]
                continue
        if item.appeal is None:
            continue
        if item.external_id is None:
            if id(item) in stored_content:
                item.duplicate_of = stored_content[id(item)]
                continue
            if item.content in batch_content:
                item.twin = batch_content[item.content]
                continue
            batch_content[item.content] = item
        else:
            batch_external[item.external_id] = item
        received_on, registered_on = _registered_on(item, calendar, days)
        item.new, item.year = True, registered_on.year
        term = term_of(item.appeal)
        if (term, received_on) not in dues:
            dues[term, received_on] = default_terms().due(term, received_on, calendar)
        item.due = dues[term, received_on]
        per_year.setdefault(item.year, []).append(item)
    for year in sorted(per_year):
        first = procedure_store.take_numbers(
            session, office_code, ProcedureKind.APPEAL, year, len(per_year[year]), last[year]
        )
        for seq, item in enumerate(per_year[year], start=first):
            item.seq = seq
            item.number = registration_number(office_code, ProcedureKind.APPEAL, year, seq)


def _take_ids(session: Session, model: type[Procedure] | type[AppealRow], count: int) -> list[int]:
    """``count`` new ids of a table, in order, so rows are inserted in one executemany without
    RETURNING (whose order SQLite does not promise): from the id sequence on PostgreSQL; on
    SQLite the next ids after the largest, safe under the write lock of BEGIN IMMEDIATE."""
    table = model.__tablename__
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).all()
        return sorted(ids)
    last = session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0
    return list(range(last + 1, last + count + 1))


def _store(session: Session, items: list[_Item], office_code: str) -> None:
    """Procedures of the new appeals, then every new or rejected appeal, each in one INSERT."""
    new = [i for i in items if i.new]
    if new:
        for item, procedure_id in zip(new, _take_ids(session, Procedure, len(new)), strict=True):
            item.procedure_id = procedure_id
        session.execute(
            insert(Procedure),
            [
                {
                    "id": i.procedure_id,
                    "office_code": office_code,
                    "kind": ProcedureKind.APPEAL,
                    "year": i.year,
                    "seq": i.seq,
                    "registration_number": i.number,
                    "title": i.appeal.subject if i.appeal else "",
                    "status": ProcedureStatus.REGISTERED,
                    "due_date": i.due,
                }
                for i in new
            ],
        )
    stored = [i for i in items if i.new or (i.problem is not None and i.duplicate_of is None)]
    stored = [i for i in stored if i.twin is None]
    if not stored:
        return
    for item, appeal_id in zip(stored, _take_ids(session, AppealRow, len(stored)), strict=True):
        item.appeal_id = appeal_id
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for i in stored:
        a = i.appeal if i.new else None
        applicant_id, applicant_name = applicant_of(a) if a is not None else (None, None)
        rows.append(
            {
                "external_id": i.external_id if a is None else a.external_id,
                "status": AppealStatus.REGISTERED if a is not None else AppealStatus.REJECTED,
                "rejection_reason": None if a is not None else excerpt(i.problem or "", 5000),
                "raw": i.raw if a is not None else excerpt(i.raw),
                "procedure_id": i.procedure_id if a is not None else None,
                "applicant_id": applicant_id,
                "applicant_name": applicant_name,
                "language": a.language.value if a is not None else None,
                "channel": a.channel.value if a is not None else None,
                "topic": a.topic if a is not None else None,
                "subject": a.subject if a is not None else None,
                "text_sha256": i.content[1] if a is not None else None,
                "received_at": a.received_at if a is not None else now,
            }
        )
    for item, row in zip(stored, rows, strict=True):
        row["id"] = item.appeal_id
    session.execute(insert(AppealRow), rows)


def _audit_entries(items: list[_Item]) -> list[dict[str, Any]]:
    """The entries one-by-one intake writes, in its order (see ``register_procedure`` and
    ``appeal_store.store_rejected``)."""
    entries: list[dict[str, Any]] = []
    for i in items:
        if i.new:
            assert i.appeal is not None
            a = i.appeal
            entries.append(
                {
                    "actor": ACTOR,
                    "action": "procedure.registered",
                    "entity_kind": "procedure",
                    "entity_id": i.number,
                    "payload": {
                        "kind": ProcedureKind.APPEAL.value,
                        "title": a.subject,
                        "due_date": i.due,
                        "assignee": None,
                    },
                }
            )
            entries.append(
                {
                    "actor": ACTOR,
                    "action": "appeal.registered",
                    "entity_kind": "appeal",
                    "entity_id": i.number,
                    "payload": {
                        "appeal_id": i.appeal_id,
                        "external_id": a.external_id,
                        "channel": a.channel.value,
                        "term": term_of(a),
                    },
                }
            )
        elif i.appeal_id and i.problem is not None:
            entries.append(
                {
                    "actor": ACTOR,
                    "action": "appeal.rejected",
                    "entity_kind": "appeal",
                    "entity_id": i.appeal_id,
                    "payload": {
                        "reason": excerpt(i.problem, 5000)[:500],
                        "external_id": i.external_id,
                    },
                }
            )
    return entries


def _result(item: _Item) -> IntakeResult:
    if item.twin is not None:
        first = item.twin
        external_id = first.appeal.external_id if first.appeal else None
        return IntakeResult(first.appeal_id, "duplicate", first.number, None, external_id)
    if item.duplicate_of is not None:
        appeal_id, number = item.duplicate_of
        return IntakeResult(appeal_id, "duplicate", number, None, item.external_id)
    if item.new and item.appeal is not None:
        external_id = item.appeal.external_id
        return IntakeResult(item.appeal_id, "registered", item.number, None, external_id)
    reason = excerpt(item.problem or "", 5000)
    return IntakeResult(item.appeal_id, "rejected", None, reason, item.external_id)


def intake_batch(
    session: Session,
    raws: Sequence[str],
    office_code: str,
    calendar: WorkingCalendar,
    *,
    problems: Sequence[str | None] | None = None,
    received_at_floor: dt.date = RECEIVED_AT_FLOOR,
) -> list[IntakeResult]:
    """Store appeals given as JSON texts, each registered with a number, a duplicate of one
    registered before or earlier in the batch, or rejected with why (``problems[k]``, a reason
    found before parsing, rejects ``raws[k]`` as it is). All in the caller's one transaction:
    it is stored whole or not at all."""
    items = [
        _Item(raw, problem)
        for raw, problem in zip(raws, problems or [None] * len(raws), strict=True)
    ]
    for item in items:
        _read(item, received_at_floor)
    _decide(session, items, office_code, calendar)
    _store(session, items, office_code)
    entries = _audit_entries(items)
    if len(items) == 1:
        # One appeal: its entries through ``append``, like every other single writer of the
        # log; ``append_many`` gives the same entries and hashes in one statement.
        for entry in entries:
            audit.append(session, **entry)
    else:
        audit.append_many(session, entries)
    return [_result(item) for item in items]
