"""EDS signatures in the database: re-verifying a document's stored CMS, and the one-time
challenges signed to read a secret document (Regulation cl. 8, obligation 5)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.approvals import Authority
from models.db.tables import (
    Approval,
    ApprovalDecision,
    Document,
    ReadChallenge,
    Signature,
    StaffRow,
)
from models.office import eds
from models.office.roster_store import staff_by_iin
from models.records import audit

CHALLENGE_TTL = dt.timedelta(minutes=5)
NO_EDS = "no EDS stored (self-declared)"  # decided before EDS, or with eds_required off


@dataclass(frozen=True, slots=True)
class EdsCheck:
    """One stored EDS over a document's text, checked again now."""

    kind: str  # "signature" or "visa"
    staff_id: str
    name: str | None  # the certificate holder on the roster (None when not found)
    iin: str  # masked: last 4 digits only
    signed_at: dt.datetime
    valid: bool
    problem: str | None

    def describe(self) -> str:
        who = f"{self.name or self.staff_id} (IIN {self.iin})"
        state = "valid EDS" if self.valid else f"EDS INVALID - {self.problem}"
        return f"{self.kind} by {who} at {self.signed_at:%Y-%m-%d %H:%M} UTC: {state}"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _check(
    session: Session,
    kind: str,
    staff_id: str,
    cms: bytes | None,
    content: bytes,
    at: dt.datetime,
    trust: eds.TrustStore | None,
) -> EdsCheck:
    at = _aware(at)
    if cms is None:
        return EdsCheck(kind, staff_id, None, "-", at, False, NO_EDS)
    if trust is None:
        return EdsCheck(kind, staff_id, None, "-", at, False, "no trust store configured")
    try:
        signer = eds.verify(cms, content, trust, at)
    except eds.SignatureRefused as exc:
        iin, _ = eds.inspect(cms)
        return EdsCheck(kind, staff_id, None, eds.masked_iin(iin), at, False, exc.reason)
    holder = staff_by_iin(session, signer.iin)
    problem = None if holder and holder.id == staff_id else "the certificate is not the signer's"
    return EdsCheck(
        kind,
        staff_id,
        holder.name if holder else signer.common_name,
        eds.masked_iin(signer.iin),
        at,
        problem is None,
        problem,
    )


def verify_stored(session: Session, document_id: int) -> list[EdsCheck]:
    """Every stored EDS over the document's text (signatures, then visas), each verified
    against the text as it is now and the trust store at the moment it was given."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise LookupError(f"no document {document_id}")
    try:
        trust: eds.TrustStore | None = eds.configured_trust()
    except eds.SignatureRefused:
        trust = None
    content = doc.body.encode("utf-8")
    checks = [
        _check(session, "signature", s.signer_id, s.cms, content, s.signed_at, trust)
        for s in session.scalars(
            select(Signature).where(Signature.document_id == document_id).order_by(Signature.id)
        )
    ]
    visas = session.scalars(
        select(ApprovalDecision)
        .join(Approval, Approval.id == ApprovalDecision.approval_id)
        .where(
            Approval.document_id == document_id,
            Approval.authority == Authority.VISA,
            ApprovalDecision.accepted.is_(True),
            ApprovalDecision.decision == "approve",
        )
        .order_by(ApprovalDecision.id)
    )
    checks += [
        _check(session, "visa", d.signer_id, d.cms, content, d.decided_at, trust) for d in visas
    ]
    return checks


# --- reading a secret document ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Challenge:
    id: int
    document_id: int
    content: bytes  # what the reader signs
    expires_at: dt.datetime


def challenge_bytes(document_id: int, nonce: str) -> bytes:
    return f"read:{document_id}:{nonce}".encode()


def issue_challenge(session: Session, document_id: int, at: dt.datetime) -> Challenge:
    """A random challenge to sign before reading ``document_id``: valid a few minutes, once."""
    if session.get(Document, document_id) is None:
        raise LookupError(f"no document {document_id}")
    nonce = secrets.token_hex(32)
    row = ReadChallenge(
        document_id=document_id, nonce=nonce, issued_at=at, expires_at=at + CHALLENGE_TTL
    )
    session.add(row)
    session.flush()
    return Challenge(row.id, document_id, challenge_bytes(document_id, nonce), row.expires_at)


def answer_challenge(
    session: Session, challenge_id: int, cms: bytes | str, at: dt.datetime
) -> StaffRow:
    """The staff member who signed the challenge with their own valid EDS; the challenge is
    used up. Raises :class:`eds.SignatureRefused` (audited) otherwise."""
    row = session.get(ReadChallenge, challenge_id)
    if row is None:
        raise eds.SignatureRefused(f"no read challenge {challenge_id}")
    try:
        if row.used_at is not None:
            raise eds.SignatureRefused("the challenge was already used")
        if _aware(row.expires_at) < at:
            raise eds.SignatureRefused("the challenge expired: ask for a new one")
        der = eds.decode(cms)
        signer = eds.verify(
            der, challenge_bytes(row.document_id, row.nonce), eds.configured_trust(), at
        )
        reader = staff_by_iin(session, signer.iin)
        if reader is None:
            raise eds.SignatureRefused(
                f"IIN {eds.masked_iin(signer.iin)} of the certificate is on no roster"
            )
    except eds.SignatureRefused as exc:
        iin, _ = eds.inspect(cms) if isinstance(cms, bytes) else (None, None)
        audit.append(
            session,
            actor=f"iin:{eds.masked_iin(iin)}",
            action="document.access_refused",
            entity_kind="document",
            entity_id=row.document_id,
            payload={"reason": f"EDS refused: {exc.reason}", "challenge": challenge_id},
        )
        raise
    # single use even under a race: only the first to mark it wins
    won = session.execute(
        update(ReadChallenge)
        .where(ReadChallenge.id == challenge_id, ReadChallenge.used_at.is_(None))
        .values(used_at=at, reader_id=reader.id, cms=der)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        raise eds.SignatureRefused("the challenge was already used")
    return reader
