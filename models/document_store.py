"""Documents of the office in the database: drafted once, bound to their SHA-256, dispatched
once, and verified against what each signer signed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.approvals import document_hash
from models.tables import AccessLevel, Approval, Document, Signature, StaffRow


class DocumentError(LookupError):
    pass


def create_document(
    session: Session,
    *,
    procedure_id: int | None,
    kind: str,
    language: str,
    title: str,
    body: str,
    drafted_by: str | None,
    access_level: AccessLevel = AccessLevel.PUBLIC,
    actor: str | None = None,
    signatory_id: str | None = None,
) -> Document:
    doc = Document(
        signatory_id=signatory_id,
        procedure_id=procedure_id,
        kind=kind,
        language=language,
        title=title,
        body=body,
        sha256=document_hash(body),
        drafted_by=drafted_by,
        access_level=access_level,
    )
    session.add(doc)
    session.flush()
    audit.append(
        session,
        actor=actor or drafted_by or "system",
        action="document.drafted",
        entity_kind="document",
        entity_id=doc.id,
        payload={"procedure_id": procedure_id, "kind": kind, "sha256": doc.sha256},
    )
    return doc


def draft_document(
    session: Session,
    *,
    procedure_id: int,
    kind: str,
    language: str,
    title: str,
    body: str,
    drafted_by: str | None,
    access_level: AccessLevel = AccessLevel.PUBLIC,
    signatory_id: str | None = None,
) -> Document:
    """A procedure's draft, created once: the same text of the same kind is found again."""
    existing = session.scalar(
        select(Document).where(
            Document.procedure_id == procedure_id,
            Document.kind == kind,
            Document.sha256 == document_hash(body),
        )
    )
    if existing is not None:
        return existing
    return create_document(
        session,
        procedure_id=procedure_id,
        kind=kind,
        language=language,
        title=title,
        body=body,
        drafted_by=drafted_by,
        access_level=access_level,
        signatory_id=signatory_id,
    )


def dispatch_document(session: Session, document_id: int, actor: str, channel: str) -> Document:
    """Record that a signed document was sent; sending twice records nothing new."""
    doc = session.get_one(Document, document_id)
    if doc.dispatched_at is not None:
        return doc
    # Only a signature of the exact text, by whoever signs for the office, lets it leave: a visa
    # is never a signature (Regulation cl. 15).
    signed = session.scalar(
        select(Signature.id)
        .join(Approval, Approval.id == Signature.approval_id)
        .where(
            Signature.document_id == document_id,
            Signature.document_sha256 == doc.sha256,
            Approval.authority != "visa",
        )
    )
    if not signed:
        raise DocumentError(f"document {document_id} is not signed and cannot be sent")
    doc.dispatched_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="document.dispatched",
        entity_kind="document",
        entity_id=doc.id,
        payload={"channel": channel, "sha256": doc.sha256},
    )
    return doc


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    document_id: int
    valid: bool
    signed: bool
    problem: str | None
    sha256_now: str
    signers: list[str]


def verify_document(session: Session, document_id: int) -> DocumentCheck:
    """Does the document's text still match what was stored and what each signer signed?"""
    doc = session.get(Document, document_id)
    if doc is None:
        raise DocumentError(f"no document {document_id}")
    now = document_hash(doc.body)
    signatures = list(
        session.scalars(select(Signature).where(Signature.document_id == document_id))
    )
    problem = None
    if now != doc.sha256:
        problem = "the text was edited after it was stored (hash differs from the stored one)"
    for s in signatures:
        if s.document_sha256 != now:
            problem = f"the text differs from what {s.signer_id} signed on {s.signed_at:%Y-%m-%d}"
    if not signatures and problem is None:
        problem = "the document is not signed"
    return DocumentCheck(
        document_id,
        problem is None,
        bool(signatures),
        problem,
        now,
        [s.signer_id for s in signatures],
    )


def read_document(session: Session, document_id: int, staff_id: str) -> Document | None:
    """A document for ``staff_id`` to read, or None when refused: secret materials only for staff
    with clearance (Regulation cl. 8, obligation 5). Every reading and every refusal is audited;
    the refusal is not raised, so the caller's transaction keeps its audit entry."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise DocumentError(f"no document {document_id}")
    reader = session.get(StaffRow, staff_id)
    cleared = reader is not None and reader.active and reader.clearance
    if doc.access_level is AccessLevel.SECRET and not cleared:
        audit.append(
            session,
            actor=staff_id,
            action="document.access_refused",
            entity_kind="document",
            entity_id=doc.id,
            payload={"access_level": doc.access_level.value, "reason": "no clearance"},
        )
        return None
    audit.append(
        session,
        actor=staff_id,
        action="document.read",
        entity_kind="document",
        entity_id=doc.id,
        payload={"access_level": doc.access_level.value},
    )
    return doc
