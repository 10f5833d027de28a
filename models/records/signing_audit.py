"""A signed document held to the audit log: the text's hash recorded when it was signed.

The document row, its approval and its signature each store the text's SHA-256, and whoever can
write those tables can change all three with the text. The audit entry written at signing
(``approval.approved``, with ``sha256`` and ``signature_id`` in its payload) is append-only and
chained, so it is the record to compare with (``prosecutor documents verify``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import AuditEntry, Document, Signature
from models.records.audit import hash_of
from models.records.document_store import document_hash

SIGNED_ACTION = "approval.approved"  # written by approval_decisions.record_decision


@dataclass(frozen=True, slots=True)
class SigningRecordCheck:
    signature_id: int
    signer_id: str
    audit_seq: int | None  # the entry that recorded the signing (None: none found)
    valid: bool
    problem: str | None


def _signing_entry(session: Session, signature: Signature) -> AuditEntry | None:
    entries = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == SIGNED_ACTION,
            AuditEntry.entity_kind == "approval",
            AuditEntry.entity_id == str(signature.approval_id),
        )
        .order_by(AuditEntry.seq)
    )
    for entry in entries:
        try:
            payload = json.loads(entry.payload)
        except ValueError:
            continue
        if payload.get("signature_id") == signature.id:
            return entry
    return None


def check_signing_records(session: Session, document_id: int) -> list[SigningRecordCheck]:
    """Each signature of the document against the audit entry written when it was given: the
    text as it is now must have the hash recorded there."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise LookupError(f"no document {document_id}")
    now = document_hash(doc.body)
    checks = []
    signatures = session.scalars(
        select(Signature).where(Signature.document_id == document_id).order_by(Signature.id)
    )
    for s in signatures:
        entry = _signing_entry(session, s)
        problem = None
        if entry is None:
            problem = f"no audit entry records the signature by {s.signer_id}"
        elif hash_of(entry) != entry.hash:
            problem = f"audit entry {entry.seq} recording the signing was edited"
        elif json.loads(entry.payload).get("sha256") != now:
            problem = (
                f"the text differs from what the audit log recorded when {s.signer_id} signed it"
                f" (entry {entry.seq})"
            )
        checks.append(
            SigningRecordCheck(
                s.id, s.signer_id, entry.seq if entry else None, problem is None, problem
            )
        )
    return checks
