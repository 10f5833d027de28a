"""Documents of the office in the database: drafted once, bound to their SHA-256, dispatched
once, and verified against what each signer signed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.approvals import Authority, document_hash
from models.db.tables import (
    AccessLevel,
    Approval,
    Document,
    OutgoingCounter,
    Procedure,
    Signature,
    StaffRow,
)
from models.records import audit
from models.records.rendering import stamp


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


def signatory_of(session: Session, document_id: int) -> str | None:
    """The staff id a drafted document names as its signatory."""
    return session.get_one(Document, document_id).signatory_id


def outgoing_number(office_code: str, year: int, seq: int) -> str:
    """``<office code>-<yy>/<seq>``, e.g. ``ALM-BST-26/42``."""
    return f"{office_code}-{year % 100:02d}/{seq}"


def _office_of(session: Session, doc: Document) -> str:
    """The office whose register numbers the document: its matter's, else its signatory's."""
    if doc.procedure_id is not None:
        return session.get_one(Procedure, doc.procedure_id).office_code
    for staff_id in (doc.signatory_id, doc.drafted_by):
        staff = session.get(StaffRow, staff_id) if staff_id else None
        if staff is not None:
            return staff.office_code
    raise DocumentError(f"document {doc.id} belongs to no office: it cannot be registered")


def _next_seq(session: Session, office_code: str, year: int) -> int:
    """The next number of the office's register for the year, gap-free.

    The counter row is locked until the caller's transaction ends: SELECT ... FOR UPDATE on
    PostgreSQL; on SQLite the INSERT below takes the database's single write lock (the driver
    begins the transaction at the first write) before the counter is read. So two signatures
    never get one number, and a rolled-back signature gives its number back.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(OutgoingCounter)
        .values(office_code=office_code, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["office_code", "year"])
    )
    last = session.execute(
        select(OutgoingCounter.last_seq)
        .where(OutgoingCounter.office_code == office_code, OutgoingCounter.year == year)
        .with_for_update()
    ).scalar_one()
    session.execute(
        update(OutgoingCounter)
        .where(OutgoingCounter.office_code == office_code, OutgoingCounter.year == year)
        .values(last_seq=last + 1)
        .execution_options(synchronize_session=False)
    )
    return last + 1


def _stamped(body: str, number: str, on: dt.date) -> str:
    try:
        return stamp(body, number, on)
    except ValueError:  # a text not rendered through the letterhead: the stamp goes on top
        return stamp(
            '<p class="outgoing">№ <span class="outgoing-number"></span>'
            ' <span class="outgoing-date"></span></p>\n' + body,
            number,
            on,
        )


def assign_outgoing(session: Session, document_id: int, on: dt.date) -> str:
    """Register a signed document in the office's register of outgoing documents (журнал
    исходящей корреспонденции): its own number and date, stamped on the signed text.

    Called in the transaction that records the signature. A document keeps its number: calling
    again returns it unchanged.
    """
    doc = session.get_one(Document, document_id)
    if doc.outgoing_number is not None:
        return doc.outgoing_number
    office_code = _office_of(session, doc)
    seq = _next_seq(session, office_code, on.year)
    number = outgoing_number(office_code, on.year, seq)
    doc.outgoing_seq, doc.outgoing_number, doc.outgoing_date = seq, number, on
    doc.issued_body = _stamped(doc.body, number, on)
    doc.issued_sha256 = document_hash(doc.issued_body)
    session.flush()
    audit.append(
        session,
        actor="register",
        action="document.registered",
        entity_kind="document",
        entity_id=doc.id,
        payload={
            "outgoing_number": number,
            "outgoing_date": on.isoformat(),
            "sha256": doc.sha256,
            "issued_sha256": doc.issued_sha256,
        },
    )
    return number


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
            Approval.authority != Authority.VISA,
        )
    )
    if not signed:
        raise DocumentError(f"document {document_id} is not signed and cannot be sent")
    # Nothing leaves the office unregistered: the number is given at signing.
    if doc.outgoing_number is None or doc.issued_body is None:
        raise DocumentError(f"document {document_id} has no outgoing number and cannot be sent")
    doc.dispatched_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="document.dispatched",
        entity_kind="document",
        entity_id=doc.id,
        payload={
            "channel": channel,
            "sha256": doc.sha256,
            "outgoing_number": doc.outgoing_number,
            "issued_sha256": doc.issued_sha256,
        },
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
