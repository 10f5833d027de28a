"""Approvals in the database: request, decide, sign, verify. Every operation is idempotent so a
resumed or retried flow run repeats no side effect, and every step is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.approvals import Authority, authorised_approver
from models.db.tables import (
    AccessLevel,
    Approval,
    ApprovalDecision,
    ApprovalStatus,
    Document,
    Procedure,
    Signature,
    StaffRow,
)
from models.office.roster_store import read_roster
from models.records import audit


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
    document_secret: bool
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
        document_secret=doc.access_level is AccessLevel.SECRET,
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
    on_call: bool = False,
    due_at: dt.datetime | None = None,
    named_signer: str | None = None,
) -> ApprovalView:
    """The approval of ``step`` of a procedure: created once, found again on every replay.

    ``named_signer``: the prosecutor the document names, where the law lets that prosecutor sign
    it rather than the person authorised now (a release order, CL-155 art. 10(2)(9)).
    """
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
    office = session.get_one(Procedure, procedure_id).office_code
    # the procedure's own office: staff of another office never sign for it
    approver, acting, reason = authorised_approver(
        read_roster(session, office), day, visa_by, on_call=on_call
    )
    if named_signer is not None and named_signer != approver:
        approver, acting, reason = named_signer, False, "the prosecutor who ordered it"
    approval = Approval(
        procedure_id=procedure_id,
        step=step,
        document_id=doc.id,
        document_sha256=doc.sha256,
        signatory_id=approver,
        visa_by=visa_by,
        authority=(
            Authority.ON_CALL if on_call else (Authority.VISA if visa_by else Authority.SIGNATORY)
        ),
        drafter_id=drafter_id,
        status=ApprovalStatus.PENDING,
        due_date=due_date,
        due_at=due_at,
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


def pending_with_runs(session: Session) -> list[int]:
    """The approvals a flow run waits for: their decision forms offer who may decide now."""
    return list(
        session.scalars(
            select(Approval.id).where(
                Approval.status == ApprovalStatus.PENDING, Approval.flow_run_id.is_not(None)
            )
        )
    )
