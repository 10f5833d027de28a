"""The append-only audit log (журнал аудита), chained by SHA-256.

Each entry's hash covers its content and the previous entry's hash, so editing, deleting or
inserting a row anywhere breaks the chain from that row on. The database adds two guards:
``prev_hash`` is unique (two writers cannot both extend the same head) and triggers refuse
UPDATE and DELETE (see the first migration).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.db.tables import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 0x70726F73  # PostgreSQL advisory lock serialising appends to the chain
_ATTEMPTS = 5


def canonical_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def _moment(at: dt.datetime) -> str:
    if at.tzinfo is None:  # SQLite hands back naive UTC
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity_kind: str,
    entity_id: str,
    payload: str,
    prev_hash: str,
) -> str:
    content = json.dumps(
        [seq, _moment(at), actor, action, entity_kind, entity_id, payload, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        entry.seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.entity_kind,
        entry.entity_id,
        entry.payload,
        entry.prev_hash,
    )


def lock_chain(session: Session) -> None:
    """PostgreSQL: take the chain's lock now, for the rest of the transaction (a caller that
    locks other rows too takes this first, so two transactions never lock in opposite order)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_kind: str,
    entity_id: str | int,
    payload: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add an entry at the head of the chain, inside the caller's transaction."""
    lock_chain(session)
    body = canonical_json(payload or {})
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    for attempt in range(_ATTEMPTS):
        head = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
        entry = AuditEntry(
            seq=seq,
            at=moment,
            actor=actor,
            action=action,
            entity_kind=entity_kind,
            entity_id=str(entity_id),
            payload=body,
            prev_hash=prev,
        )
        entry.hash = hash_of(entry)
        try:
            with session.begin_nested():
                session.add(entry)
            return entry
        except IntegrityError:  # another writer extended the chain first: build on its entry
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def append_many(session: Session, entries: Sequence[Mapping[str, Any]]) -> list[tuple[int, str]]:
    """Add ``entries`` (the keyword arguments of ``append``: actor, action, entity_kind,
    entity_id, optional payload and at) at the head of the chain in one INSERT, inside the
    caller's transaction; (seq, hash) of each. The head is read once, under the chain's lock
    (PostgreSQL) or the write lock of SQLite's BEGIN IMMEDIATE, so the entries and their hashes
    are exactly those ``append`` would give one by one."""
    if not entries:
        return []
    lock_chain(session)
    head = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for e in entries:
        seq += 1
        row = {
            "seq": seq,
            "at": (e.get("at") or now).astimezone(dt.UTC),
            "actor": e["actor"],
            "action": e["action"],
            "entity_kind": e["entity_kind"],
            "entity_id": str(e["entity_id"]),
            "payload": canonical_json(e.get("payload") or {}),
            "prev_hash": prev,
        }
        row["hash"] = prev = entry_hash(**row)
        rows.append(row)
    session.execute(insert(AuditEntry), rows)
    return [(r["seq"], r["hash"]) for r in rows]


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    first_broken_seq: int | None
    problem: str | None

    @property
    def valid(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Walk entries in order of ``seq`` and name the first one that does not fit the chain."""
    prev, count = GENESIS, 0
    for entry in entries:
        count += 1
        if entry.prev_hash != prev:
            return ChainReport(
                count, entry.seq, "does not follow the previous entry (removed or inserted row)"
            )
        if hash_of(entry) != entry.hash:
            return ChainReport(count, entry.seq, "content does not match its hash (edited row)")
        prev = entry.hash
    return ChainReport(count, None, None)


def verify_stored_chain(session: Session) -> ChainReport:
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    )
    return verify_chain(rows)
