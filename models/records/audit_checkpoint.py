"""Checkpoints of the audit log's head, kept outside the database they protect.

The hash chain shows an edit in the middle of the log, but not a log cut short or rewritten
from the start with recomputed hashes: whoever can write the database can do either. So the
head of the chain (seq, hash, number of entries) is signed with the office's system key
(Ed25519, a key file outside the database, made on first use with mode 0600) and appended to
a JSON-lines file. ``verify`` then holds the log to the latest checkpoint: its entry must
still be in the log with the same hash, and the log may not be shorter.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db.tables import AuditEntry
from models.records.audit import GENESIS, ChainReport, canonical_json, hash_of, verify_stored_chain


class CheckpointRefused(RuntimeError):
    """The log does not hold to the latest checkpoint: signing its head would bless tampering."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    office: str
    seq: int  # the head entry's seq (0: the log was empty)
    hash: str  # the head entry's hash
    at: str  # ISO moment in UTC
    entries: int  # entries in the log at that moment

    def signed_bytes(self) -> bytes:
        return canonical_json(asdict(self)).encode("utf-8")


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The chain walked, and held to the latest checkpoint on record."""

    chain: ChainReport
    checkpoint: Checkpoint | None  # the latest validly signed checkpoint
    checkpoints: int  # lines in the checkpoint file
    problem: str | None  # None: the log is intact as far as anyone can tell
    first_broken_seq: int | None  # the first entry found missing or altered, when known

    @property
    def valid(self) -> bool:
        return self.problem is None


# --- the key ------------------------------------------------------------------------------


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The office's system key; made on first use, readable by its owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:  # O_EXCL: two first uses at once keep one key, never a mix of two
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _load_key(path)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return key
    return _load_key(path)


def _load_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path.name}: not an Ed25519 key")
    return key


# --- the file -----------------------------------------------------------------------------


def _line(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    signature = base64.b64encode(key.sign(checkpoint.signed_bytes())).decode("ascii")
    return json.dumps({**asdict(checkpoint), "signature": signature}, sort_keys=True) + "\n"


def append_line(path: Path, line: str) -> None:
    """One write with O_APPEND, then fsync: concurrent writers never interleave a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _parse(raw: str, public: Ed25519PublicKey) -> Checkpoint:
    data = json.loads(raw)
    signature = base64.b64decode(data.pop("signature"), validate=True)
    checkpoint = Checkpoint(
        office=str(data["office"]),
        seq=int(data["seq"]),
        hash=str(data["hash"]),
        at=str(data["at"]),
        entries=int(data["entries"]),
    )
    public.verify(signature, checkpoint.signed_bytes())
    return checkpoint


@dataclass(frozen=True, slots=True)
class CheckpointFile:
    lines: int
    latest: Checkpoint | None
    problem: str | None  # a line that is not a validly signed checkpoint, or out of order


def read_checkpoints(path: Path, key_path: Path) -> CheckpointFile:
    """Every line must be a checkpoint signed by the system key, in non-decreasing seq."""
    if not path.exists():
        return CheckpointFile(0, None, None)
    lines = [raw for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()]
    if not lines:
        return CheckpointFile(0, None, None)
    if not key_path.exists():
        return CheckpointFile(len(lines), None, "the checkpoint key is missing: cannot check")
    public = _load_key(key_path).public_key()
    latest: Checkpoint | None = None
    for number, raw in enumerate(lines, start=1):
        try:
            checkpoint = _parse(raw, public)
        except InvalidSignature:
            return CheckpointFile(len(lines), latest, f"checkpoint line {number}: bad signature")
        except (ValueError, KeyError, TypeError, AttributeError):
            return CheckpointFile(len(lines), latest, f"checkpoint line {number}: unreadable")
        if latest is not None and checkpoint.seq < latest.seq:
            return CheckpointFile(
                len(lines), latest, f"checkpoint line {number}: seq goes back ({checkpoint.seq})"
            )
        latest = checkpoint
    return CheckpointFile(len(lines), latest, None)


# --- holding the log to its checkpoint ----------------------------------------------------


def _held_to(session: Session, checkpoint: Checkpoint) -> tuple[int, str] | None:
    """The first entry the log lacks against the checkpoint, and why (None: it holds)."""
    entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    if entries < checkpoint.entries:
        return entries + 1, (
            f"the log has {entries} entries, fewer than the {checkpoint.entries} checkpointed"
            f" at {checkpoint.at} (entries removed)"
        )
    if checkpoint.seq == 0:
        return None
    entry = session.get(AuditEntry, checkpoint.seq)
    if entry is None or entry.hash != checkpoint.hash:
        return checkpoint.seq, (
            f"entry {checkpoint.seq} checkpointed at {checkpoint.at} is missing or was"
            " rewritten (its hash differs)"
        )
    return None


def verify(session: Session, path: Path, key_path: Path) -> AuditReport:
    """The whole chain valid, the checkpoint file intact, and the log held to its latest
    checkpoint (so a log cut short, emptied or rewritten with recomputed hashes is caught)."""
    chain = verify_stored_chain(session)
    file = read_checkpoints(path, key_path)
    problem, broken = file.problem, chain.first_broken_seq
    if problem is None and not chain.valid:
        problem = chain.problem
    if problem is None and file.latest is not None and (lack := _held_to(session, file.latest)):
        broken, problem = lack
    return AuditReport(chain, file.latest, file.lines, problem, broken)


def _head_since(session: Session, latest: Checkpoint | None) -> tuple[int, str, int]:
    """Walk the chain from the latest checkpoint to the head: (seq, hash, entries)."""
    start = latest.seq if latest else 0
    prev = latest.hash if latest and latest.seq else GENESIS
    seq, head = start, prev
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq > start)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=1000)
    )
    for entry in rows:
        if entry.prev_hash != prev:
            raise CheckpointRefused(f"entry {entry.seq} does not follow entry {seq}")
        if hash_of(entry) != entry.hash:
            raise CheckpointRefused(f"entry {entry.seq}: content does not match its hash")
        seq, head, prev = entry.seq, entry.hash, entry.hash
    # up to the head walked: an entry appended meanwhile belongs to the next checkpoint
    entries = session.scalar(select(func.count()).where(AuditEntry.seq <= seq)) or 0
    return seq, head, entries


def write_checkpoint(
    session: Session, office: str, path: Path, key_path: Path, at: dt.datetime | None = None
) -> Checkpoint:
    """Sign the current head and append it to the file, after checking that the log still
    holds to the latest checkpoint and that every entry since then is chained."""
    file = read_checkpoints(path, key_path)
    if file.problem:
        raise CheckpointRefused(file.problem)
    if file.latest is not None and (lack := _held_to(session, file.latest)):
        raise CheckpointRefused(lack[1])
    seq, head, entries = _head_since(session, file.latest)
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    checkpoint = Checkpoint(office, seq, head, moment.isoformat(), entries)
    append_line(path, _line(checkpoint, load_or_create_key(key_path)))
    return checkpoint


def describe(checkpoint: Checkpoint | None) -> dict[str, Any] | None:
    return asdict(checkpoint) if checkpoint else None
