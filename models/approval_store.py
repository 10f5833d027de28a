"""Approvals in the database: request, decide, sign, verify. Every operation is idempotent so a
resumed or retried flow run repeats no side effect, and every step is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import audit
from models.approvals import Decision, Verdict, authorised_approver, check_decision, document_hash
from models.calendar import local_date
from models.roster_store import read_roster
from models.tables import (
    AccessLevel,
    Approval,
    ApprovalDecision,
    ApprovalStatus,
    Document,
    Procedure,
    Signature,
    StaffRow,
)

_STATUS_OF = {
    Decision.APPROVE: ApprovalStatus.APPROVED,
    Decision.REJECT: ApprovalStatus.REJECTED,
    Decision.RETURN: ApprovalStatus.RETURNED,
}


REDRAFT = "redraft:"


class ApprovalError(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class ApprovalView:
    id: int
    procedure_id: int
    registration_number: str
    step: str
    document_id: int
    document_title: str
    document_body: str
    document_sha256: str
    signatory_id: str | None
    signatory_name: str | None
    visa_by: str | None
    drafter_id: str | None
    status: str
    due_date: dt.date
    flow_run_id: str | None
    decided_by: str | None
    escalation_level: int

    def to_dict(self, with_body: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not with_body:
            data.pop("document_body")
        return data


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    approval_id: int
    accepted: bool
    decision: str
    signer_id: str
    reason: str
    status: str  # the approval's status after this decision
    signature_id: int | None = None

    @property
    def redraft(self) -> bool:
        """Refused because the document names another signatory: redraft it for today's."""
        return not self.accepted and self.reason.startswith(REDRAFT)


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
    if not session.scalar(select(Signature.id).where(Signature.document_id == document_id)):
        raise ApprovalError(f"document {document_id} is not signed and cannot be sent")
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


def _view(session: Session, approval: Approval) -> ApprovalView:
    doc = session.get_one(Document, approval.document_id)
    proc = session.get_one(Procedure, approval.procedure_id)
    signatory = session.get(StaffRow, approval.signatory_id) if approval.signatory_id else None
    return ApprovalView(
        id=approval.id,
        procedure_id=approval.procedure_id,
        registration_number=proc.registration_number,
        step=approval.step,
        document_id=doc.id,
        document_title=doc.title,
        document_body=doc.body,
        document_sha256=approval.document_sha256,
        signatory_id=approval.signatory_id,
        signatory_name=signatory.name if signatory else None,
        visa_by=approval.visa_by,
        drafter_id=approval.drafter_id,
        status=approval.status.value,
        due_date=approval.due_date,
        flow_run_id=approval.flow_run_id,
        decided_by=approval.decided_by,
        escalation_level=approval.escalation_level,
    )


def open_approval(
    session: Session,
    *,
    procedure_id: int,
    step: str,
    document_id: int,
    due_date: dt.date,
    day: dt.date,
    drafter_id: str | None = None,
    visa_by: str | None = None,
    flow_run_id: str | None = None,
) -> ApprovalView:
    """The approval of ``step`` of a procedure: created once, found again on every replay."""
    existing = session.scalar(
        select(Approval).where(Approval.procedure_id == procedure_id, Approval.step == step)
    )
    if existing is not None:
        if flow_run_id and existing.flow_run_id != flow_run_id:
            existing.flow_run_id = flow_run_id
            session.flush()
        return _view(session, existing)
    doc = session.get(Document, document_id)
    if doc is None:
        raise ApprovalError(f"no document {document_id}")
    approver, acting, reason = authorised_approver(read_roster(session), day, visa_by)
    approval = Approval(
        procedure_id=procedure_id,
        step=step,
        document_id=doc.id,
        document_sha256=doc.sha256,
        signatory_id=approver,
        visa_by=visa_by,
        drafter_id=drafter_id,
        status=ApprovalStatus.PENDING,
        due_date=due_date,
        flow_run_id=flow_run_id,
    )
    session.add(approval)
    session.flush()
    audit.append(
        session,
        actor=drafter_id or "system",
        action="approval.requested",
        entity_kind="approval",
        entity_id=approval.id,
        payload={
            "procedure_id": procedure_id,
            "step": step,
            "document_id": doc.id,
            "sha256": doc.sha256,
            "signatory": approver,
            "acting": acting,
            "why": reason,
            "due_date": due_date,
        },
    )
    return _view(session, approval)


def get_approval(session: Session, approval_id: int) -> ApprovalView:
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise ApprovalError(f"no approval {approval_id}")
    return _view(session, approval)


def precheck(
    session: Session,
    approval_id: int,
    signer_id: str,
    decision: Decision,
    at: dt.datetime,
    four_eyes: bool,
) -> Verdict:
    """The same check the flow makes, for a decision given outside the flow (the terminal)."""
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise ApprovalError(f"no approval {approval_id}")
    return check_decision(
        read_roster(session),
        signer_id=signer_id,
        decision=decision,
        day=local_date(at),
        drafter_id=approval.drafter_id,
        pending=approval.status is ApprovalStatus.PENDING,
        visa_by=approval.visa_by,
        four_eyes=four_eyes,
    )


def _decision_row(
    *,
    approval_id: int,
    attempt: int | None,
    signer_id: str,
    decision: Decision,
    comment: str | None,
    accepted: bool,
    reason: str,
    channel: str,
    at: dt.datetime,
) -> ApprovalDecision:
    return ApprovalDecision(
        approval_id=approval_id,
        attempt=attempt,
        signer_id=signer_id,
        decision=decision.value,
        comment=comment,
        accepted=accepted,
        reason=reason,
        channel=channel,
        decided_at=at,
    )


def record_refusal(
    session: Session,
    *,
    approval_id: int,
    signer_id: str,
    decision: Decision,
    reason: str,
    channel: str,
    at: dt.datetime,
    attempt: int | None = None,
    comment: str | None = None,
) -> DecisionOutcome:
    session.add(
        _decision_row(
            approval_id=approval_id,
            attempt=attempt,
            signer_id=signer_id,
            decision=decision,
            comment=comment,
            accepted=False,
            reason=reason,
            channel=channel,
            at=at,
        )
    )
    session.flush()
    audit.append(
        session,
        actor=signer_id,
        action="approval.refused",
        entity_kind="approval",
        entity_id=approval_id,
        payload={
            "decision": decision.value,
            "reason": reason,
            "channel": channel,
            "attempt": attempt,
        },
    )
    status = session.get_one(Approval, approval_id).status.value
    return DecisionOutcome(approval_id, False, decision.value, signer_id, reason, status)


def record_decision(
    session: Session,
    *,
    approval_id: int,
    attempt: int,
    signer_id: str,
    decision: Decision,
    comment: str | None,
    at: dt.datetime,
    four_eyes: bool = True,
    channel: str = "flow",
) -> DecisionOutcome:
    """Check and record the ``attempt``-th decision; the same attempt again returns the first."""
    done = session.scalar(
        select(ApprovalDecision).where(
            ApprovalDecision.approval_id == approval_id, ApprovalDecision.attempt == attempt
        )
    )
    if done is not None:
        approval = session.get_one(Approval, approval_id)
        signature = signature_of(session, approval_id)
        return DecisionOutcome(
            approval_id,
            done.accepted,
            done.decision,
            done.signer_id,
            done.reason,
            approval.status.value,
            signature if done.accepted else None,
        )
    verdict = precheck(session, approval_id, signer_id, decision, at, four_eyes)
    approval = session.get_one(Approval, approval_id)
    doc = session.get_one(Document, approval.document_id)
    if verdict.accepted and document_hash(doc.body) != approval.document_sha256:
        verdict = Verdict(False, "the document changed after the approval was requested")
    named = doc.signatory_id
    if verdict.accepted and decision is Decision.APPROVE and named and named != signer_id:
        verdict = Verdict(
            False, f"{REDRAFT} the document is drafted for signature by {named}, not {signer_id}"
        )
    if not verdict.accepted:
        return record_refusal(
            session,
            approval_id=approval_id,
            signer_id=signer_id,
            decision=decision,
            reason=verdict.reason,
            channel=channel,
            at=at,
            attempt=attempt,
            comment=comment,
        )
    new_status = _STATUS_OF[decision]
    # Only a pending approval changes: a concurrent decision that came first wins.
    won = session.execute(
        update(Approval)
        .where(Approval.id == approval_id, Approval.status == ApprovalStatus.PENDING)
        .values(
            status=new_status,
            decided_by=signer_id,
            decided_at=at,
            decision_comment=comment,
            version=Approval.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        return record_refusal(
            session,
            approval_id=approval_id,
            signer_id=signer_id,
            decision=decision,
            reason="the approval was decided by someone else first",
            channel=channel,
            at=at,
            attempt=attempt,
            comment=comment,
        )
    session.expire(approval)
    session.add(
        _decision_row(
            approval_id=approval_id,
            attempt=attempt,
            signer_id=signer_id,
            decision=decision,
            comment=comment,
            accepted=True,
            reason=verdict.reason,
            channel=channel,
            at=at,
        )
    )
    signature_id = None
    if decision is Decision.APPROVE:
        signature = Signature(
            approval_id=approval_id,
            document_id=doc.id,
            signer_id=signer_id,
            acting=verdict.acting,
            document_sha256=approval.document_sha256,
            signed_at=at,
        )
        session.add(signature)
        session.flush()
        signature_id = signature.id
    session.flush()
    audit.append(
        session,
        actor=signer_id,
        action=f"approval.{new_status.value}",
        entity_kind="approval",
        entity_id=approval_id,
        payload={
            "decision": decision.value,
            "comment": comment,
            "acting": verdict.acting,
            "why": verdict.reason,
            "sha256": approval.document_sha256,
            "signature_id": signature_id,
            "channel": channel,
        },
    )
    return DecisionOutcome(
        approval_id, True, decision.value, signer_id, verdict.reason, new_status.value, signature_id
    )


def signature_of(session: Session, approval_id: int) -> int | None:
    return session.scalar(select(Signature.id).where(Signature.approval_id == approval_id))


def list_approvals(session: Session, pending_only: bool = False) -> list[ApprovalView]:
    query = select(Approval).order_by(Approval.due_date, Approval.id)
    if pending_only:
        query = query.where(Approval.status == ApprovalStatus.PENDING)
    return [_view(session, a) for a in session.scalars(query)]


def decisions_of(session: Session, approval_id: int) -> list[ApprovalDecision]:
    return list(
        session.scalars(
            select(ApprovalDecision)
            .where(ApprovalDecision.approval_id == approval_id)
            .order_by(ApprovalDecision.id)
        )
    )


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
        raise ApprovalError(f"no document {document_id}")
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


def count_decisions(session: Session, approval_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ApprovalDecision)
            .where(ApprovalDecision.approval_id == approval_id)
        )
        or 0
    )
