"""Store the printed form (PDF) of an issued document beside the text it was rendered from."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.db.tables import Document
from models.records.document_store import DocumentError
from models.records.pdf import sha256_of, to_pdf


class NotIssued(DocumentError):
    """The document has no issued (signed and stamped) text to print."""


def is_issued(session: Session, document_id: int) -> bool:
    doc = session.get(Document, document_id)
    return doc is not None and doc.issued_body is not None


def store_pdf(session: Session, document_id: int) -> str:
    """Render ``issued_body`` to PDF and store it with its SHA-256, once; return the SHA-256.

    Idempotent: a PDF already stored is kept as it is, since it is the copy that was sent."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotIssued(f"no document {document_id}")
    if doc.pdf is not None and doc.pdf_sha256 is not None:
        return doc.pdf_sha256
    if doc.issued_body is None:
        raise NotIssued(f"document {document_id} is not issued yet (no outgoing number)")
    pdf = to_pdf(doc.issued_body)
    doc.pdf, doc.pdf_sha256 = pdf, sha256_of(pdf)
    session.flush()
    return doc.pdf_sha256
