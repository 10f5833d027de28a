"""Decisions on approvals: checked against the roster at the moment of decision, recorded once
per attempt (a replayed run finds its decision), a signature for an approval; refusals stored
and audited.

Every decision carries the decider's EDS (ЭЦП): a detached CMS made with their own certificate
over the exact bytes decided on (:func:`content_to_sign`). The decider is the certificate's
holder: its IIN must name the staff member deciding, who must be authorised at that moment.
A refused signature is kept on the refused decision and audited with what was wrong.

A visa (виза) approved is recorded as a visa and nothing more: no signature record is made, so
the document cannot be dispatched on it (Regulation cl. 15: documents of the office are signed
by the head or the person replacing the head), and the outcome's decision is ``visa``, never
``approve``, so no caller mistakes it for a signature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from models.approvals import (
    Authority,
    Choice,
    Decision,
    Verdict,
    check_decision,
    decision_choices,
    document_hash,
)
from models.approvals.store import ApprovalError, decisions_of, get_approval, signature_of
from models.db.tables import (
    Approval,
    ApprovalDecision,
    ApprovalStatus,
    Document,
    Duty,
    Escalation,
    Procedure,
    Signature,
)
from models.office import eds
from models.office.roster_store import read_roster, staff_by_iin
from models.procedures import ProcedureKind
from models.records import audit, document_store
from models.settings import get_settings
from models.timing.calendar import local_date

# a refusal to redraft was stored with this prefix before the outcome said so in a field:
# a run that was waiting across the change reads its refusals back the same way
_STORED_REDRAFT_PREFIX = "redraft: "
VISA_GIVEN = "visa"  # the outcome of an approved visa: not a signature
_STATUS_OF = {
    Decision.APPROVE: ApprovalStatus.APPROVED,
    Decision.REJECT: ApprovalStatus.REJECTED,
    Decision.RETURN: ApprovalStatus.RETURNED,
}


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    approval_id: int
    accepted: bool
    decision: str
    signer_id: str
    reason: str
    status: str  # the approval's status after this decision
    signature_id: int | None = None
    redraft_for: str | None = None  # see Verdict.redraft_for

    @property
    def signed(self) -> bool:
        """The document was signed for the office by this decision: it may be dispatched."""
        return self.accepted and self.decision == Decision.APPROVE and self.signature_id is not None

    @property
    def redraft(self) -> bool:
        """Refused because the document names another signatory: redraft it for today's."""
        return not self.accepted and self.redraft_for is not None


def precheck(
    session: Session,
    approval_id: int,
    signer_id: str,
    decision: Decision,
    at: dt.datetime,
    four_eyes: bool,
) -> Verdict:
    """The same check the flow makes, for a decision given outside the flow (the terminal)."""
    approval, authority = _authority(session, approval_id, at)
    if approval.status is not ApprovalStatus.PENDING:
        return Verdict(False, decided_first(approval.decided_by, approval.status.value))
    return check_decision(
        **authority,
        signer_id=signer_id,
        decision=decision,
        drafter_id=approval.drafter_id,
        four_eyes=four_eyes,
    )


def decided_first(decided_by: str | None, status: str) -> str:
    """Why a decision on an approval decided meanwhile is refused: who came first."""
    if status == ApprovalStatus.WITHDRAWN:
        return "the approval was withdrawn: its document is redrafted under a new approval"
    return f"the approval was decided first by {decided_by or 'someone else'} ({status})"


def choices_for(session: Session, approval_id: int, at: dt.datetime) -> list[Choice]:
    """Who the decision form offers as signer at ``at``: those authorised at that moment, the
    person the document names first."""
    approval, authority = _authority(session, approval_id, at)
    named = session.get_one(Document, approval.document_id).signatory_id
    return decision_choices(**authority, first=named)


def outcome_decision(approval: Approval, decision: str) -> str:
    """What an accepted decision means for the caller: an approved visa is only a visa."""
    return VISA_GIVEN if is_visa(approval) and decision == Decision.APPROVE else decision


def decided_outcome(session: Session, approval_id: int) -> DecisionOutcome:
    """The accepted decision of an approval decided before the run waiting for it (re)started."""
    view = get_approval(session, approval_id)
    if view.status == ApprovalStatus.WITHDRAWN:
        return _withdrawn_outcome(session, approval_id)
    accepted = [d for d in decisions_of(session, approval_id) if d.accepted]
    last = accepted[-1] if accepted else None
    return DecisionOutcome(
        approval_id,
        True,
        outcome_decision(session.get_one(Approval, approval_id), last.decision)
        if last
        else view.status,
        last.signer_id if last else (view.decided_by or ""),
        last.reason if last else "decided before this run",
        view.status,
        signature_of(session, approval_id),
    )


def _withdrawn_outcome(session: Session, approval_id: int) -> DecisionOutcome:
    """The refusal that withdrew an approval for a redraft, read back by a restarted run so
    that it drafts the document again instead of taking the withdrawal for a decision."""
    approval = session.get_one(Approval, approval_id)
    doc = session.get_one(Document, approval.document_id)
    refused = [d for d in decisions_of(session, approval_id) if not d.accepted]
    last = refused[-1]
    return DecisionOutcome(
        approval_id,
        False,
        last.decision,
        last.signer_id,
        last.reason,
        approval.status.value,
        redraft_for=_stored_redraft(doc, last),
    )


def is_visa(approval: Approval) -> bool:
    return approval.authority == Authority.VISA


def any_prosecutor_may_order(session: Session, approval: Approval) -> bool:
    """A release order: any prosecutor present may give it (CL-155 art. 10(2)(9))."""
    kind = session.get_one(Procedure, approval.procedure_id).kind
    return kind is ProcedureKind.RELEASE and approval.visa_by is None


def _authority(
    session: Session, approval_id: int, at: dt.datetime
) -> tuple[Approval, dict[str, Any]]:
    """The approval, and the facts that say who may decide it at ``at``: one source for the
    check of a decision and for the choice a form offers, so the two cannot disagree."""
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise ApprovalError(f"no approval {approval_id}")
    return approval, {
        # the procedure's own office: staff of another office never decide for it
        "roster": read_roster(
            session, session.get_one(Procedure, approval.procedure_id).office_code
        ),
        "day": local_date(at),
        "visa_by": approval.visa_by,
        "moment": at,
        "on_call": approval.authority == Authority.ON_CALL,
        "escalated_to": escalated_within(session, approval.procedure_id),
        "any_prosecutor": any_prosecutor_may_order(session, approval),
    }


def escalated_within(session: Session, procedure_id: int) -> frozenset[str]:
    """Everyone the procedure's urgent work was escalated to: they may act on it too."""
    duties = select(Duty.id).where(Duty.procedure_id == procedure_id)
    approvals = select(Approval.id).where(Approval.procedure_id == procedure_id)
    return frozenset(
        session.scalars(
            select(Escalation.to_staff_id).where(
                Escalation.to_staff_id.is_not(None),
                or_(
                    and_(Escalation.subject_kind == "duty", Escalation.subject_id.in_(duties)),
                    and_(
                        Escalation.subject_kind == "approval", Escalation.subject_id.in_(approvals)
                    ),
                ),
            )
        )
    )


@dataclass(frozen=True, slots=True)
class EdsCheck:
    """The EDS given with a decision, as far as it was checked."""

    cms: bytes | None = None
    signer_iin: str | None = None
    cert_sha256: str | None = None
    refused: str | None = None  # why the signature is not accepted
    self_declared: bool = False  # no signature, accepted only with eds_required off

    def audit(self) -> dict[str, Any]:
        if self.cms is None:
            return {"eds": None, "self_declared": self.self_declared}
        return {"eds": {"iin": eds.masked_iin(self.signer_iin), "cert_sha256": self.cert_sha256}}


def content_to_sign(approval: Approval, doc: Document, decision: Decision) -> bytes:
    """The exact bytes an EDS on this decision covers. Approving (a signature or a visa): the
    document's text, UTF-8 (the bytes of ``Approval.document_sha256``), so the stored CMS is
    the document's own EDS. Rejecting or returning: a statement naming the decision, the
    approval and the text, so a refusal cannot be replayed as an approval."""
    if decision is Decision.APPROVE:
        return doc.body.encode("utf-8")
    return f"{decision.value}:{approval.id}:{approval.document_sha256}".encode()


def signed_content(session: Session, approval_id: int, decision: Decision) -> bytes:
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise ApprovalError(f"no approval {approval_id}")
    return content_to_sign(approval, session.get_one(Document, approval.document_id), decision)


def check_eds(
    session: Session,
    *,
    approval_id: int,
    signer_id: str,
    decision: Decision,
    cms: bytes | str | None,
    at: dt.datetime,
) -> EdsCheck:
    """Is ``cms`` ``signer_id``'s own valid EDS over what this decision covers, at ``at``?"""
    if cms is None:
        if get_settings().eds_required:
            return EdsCheck(
                refused="an EDS signature is required: make one with `prosecutor approvals sign"
                f" {approval_id} --decision {decision.value} --key FILE.p12`"
            )
        return EdsCheck(self_declared=True)
    raw = cms.encode("ascii", "replace") if isinstance(cms, str) else cms
    try:
        der = eds.decode(raw)
    except eds.SignatureRefused as exc:
        return EdsCheck(raw, refused=f"EDS refused: {exc.reason}")
    iin, cert_sha256 = eds.inspect(der)  # kept with a refusal: whose certificate was offered
    try:
        trust = eds.configured_trust()
        signer = eds.verify(der, signed_content(session, approval_id, decision), trust, at)
    except eds.SignatureRefused as exc:
        return EdsCheck(der, iin, cert_sha256, f"EDS refused: {exc.reason}")
    holder = staff_by_iin(session, signer.iin)
    if holder is None:
        why = f"EDS refused: IIN {eds.masked_iin(signer.iin)} of the certificate is on no roster"
        return EdsCheck(der, signer.iin, signer.cert_sha256, why)
    if holder.id != signer_id:
        why = f"EDS refused: the certificate is {holder.id}'s, not {signer_id}'s"
        return EdsCheck(der, signer.iin, signer.cert_sha256, why)
    return EdsCheck(der, signer.iin, signer.cert_sha256)


def signer_verdict(
    session: Session,
    *,
    approval_id: int,
    signer_id: str,
    decision: Decision,
    cms: bytes | str | None,
    at: dt.datetime,
    four_eyes: bool,
) -> tuple[EdsCheck, Verdict]:
    """The signer's EDS and their authority to decide (:func:`precheck`), in the run or at the
    terminal alike: a signer the EDS does not prove is refused whatever else holds."""
    signed = check_eds(
        session, approval_id=approval_id, signer_id=signer_id, decision=decision, cms=cms, at=at
    )
    verdict = precheck(session, approval_id, signer_id, decision, at, four_eyes)
    if signed.refused:  # the signer is not proven: nothing else about them counts
        verdict = Verdict(False, signed.refused)
    return signed, verdict


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
    signed: EdsCheck,
) -> ApprovalDecision:
    return ApprovalDecision(
        cms=signed.cms,
        signer_iin=signed.signer_iin,
        cert_sha256=signed.cert_sha256,
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


def redraft_verdict(doc: Document, signer_id: str, decision: Decision) -> Verdict | None:
    """The refusal when approving needs the document redrafted first: it names another
    signatory; ``redraft_for`` is ``signer_id``, in whose name it is drafted again."""
    named = doc.signatory_id
    if decision is Decision.APPROVE and named and named != signer_id:
        reason = f"the document is drafted for signature by {named}, not {signer_id}"
        return Verdict(False, reason, redraft_for=signer_id)
    return None


def needs_redraft(
    session: Session, approval_id: int, signer_id: str, decision: Decision
) -> Verdict | None:
    """:func:`redraft_verdict` of the approval's document."""
    approval = session.get(Approval, approval_id)
    if approval is None:
        raise ApprovalError(f"no approval {approval_id}")
    return redraft_verdict(session.get_one(Document, approval.document_id), signer_id, decision)


def _stored_redraft(doc: Document, refused: ApprovalDecision) -> str | None:
    """``redraft_for`` of a refusal read back on a replay: the refusal stored for a redraft is
    the one :func:`redraft_verdict` gives for the same decider and decision."""
    verdict = redraft_verdict(doc, refused.signer_id, Decision(refused.decision))
    if verdict is None or refused.accepted:
        return None
    stored = {verdict.reason, _STORED_REDRAFT_PREFIX + verdict.reason}
    return verdict.redraft_for if refused.reason in stored else None


def _given_outside_the_run(
    session: Session,
    approval_id: int,
    signer_id: str,
    decision: Decision,
    cms: bytes | str | None,
) -> ApprovalDecision | None:
    """The accepted decision the terminal recorded before it resumed the run with the same
    signer, decision and EDS: the run's input is that decision, not a second one."""
    accepted = session.scalar(
        select(ApprovalDecision)
        .where(
            ApprovalDecision.approval_id == approval_id,
            ApprovalDecision.accepted.is_(True),
            ApprovalDecision.attempt.is_(None),
        )
        .order_by(ApprovalDecision.id.desc())
        .limit(1)
    )
    if accepted is None or (accepted.signer_id, accepted.decision) != (signer_id, decision.value):
        return None
    if accepted.cms is not None and cms is not None:
        raw = cms.encode("ascii", "replace") if isinstance(cms, str) else cms
        try:
            if eds.decode(raw) != accepted.cms:
                return None
        except eds.SignatureRefused:
            return None
    return accepted


def _action(status: ApprovalStatus, visa_given: bool) -> str:
    return "approval.visa_given" if visa_given else f"approval.{status.value}"


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
    signed: EdsCheck | None = None,
    redraft_for: str | None = None,
) -> DecisionOutcome:
    signed = signed or EdsCheck()
    session.add(
        _decision_row(
            signed=signed,
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
            **signed.audit(),
        },
    )
    if redraft_for is not None:
        _withdraw(session, approval_id, signer_id, redraft_for, at)
    status = session.get_one(Approval, approval_id).status.value
    return DecisionOutcome(
        approval_id, False, decision.value, signer_id, reason, status, redraft_for=redraft_for
    )


def _withdraw(
    session: Session, approval_id: int, actor: str, redraft_for: str, at: dt.datetime
) -> None:
    """A document drafted for another signatory is redrafted under a new approval: this one is
    withdrawn (отозвано), so no desk shows it as waiting and no sweep escalates it."""
    withdrawn = session.execute(
        update(Approval)
        .where(Approval.id == approval_id, Approval.status == ApprovalStatus.PENDING)
        .values(status=ApprovalStatus.WITHDRAWN, decided_at=at, version=Approval.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    # the UPDATE bypassed the session: only this approval is read again (as record_decision does)
    session.expire(session.get_one(Approval, approval_id))
    if withdrawn:
        audit.append(
            session,
            actor=actor,
            action="approval.withdrawn",
            entity_kind="approval",
            entity_id=approval_id,
            payload={"redraft_for": redraft_for},
        )


def record_decision(
    session: Session,
    *,
    approval_id: int,
    attempt: int | None,
    signer_id: str,
    decision: Decision,
    comment: str | None,
    at: dt.datetime,
    four_eyes: bool = True,
    channel: str = "flow",
    cms: bytes | str | None = None,
) -> DecisionOutcome:
    """Check and record the ``attempt``-th decision; the same attempt again returns the first.

    ``attempt`` None: a decision given outside the run (the terminal), recorded before the
    waiting run is resumed with it; the run then finds it here instead of refusing it.
    Of two decisions at once exactly one is recorded: the approval changes only while pending
    (a conditional UPDATE whose row count is checked); the other is refused, naming who decided
    first.

    ``cms``: the decider's EDS over :func:`content_to_sign` (DER or base64); without it the
    decision is refused unless ``eds_required`` is off, and then audited as self-declared."""
    done = (
        None
        if attempt is None
        else session.scalar(
            select(ApprovalDecision).where(
                ApprovalDecision.approval_id == approval_id, ApprovalDecision.attempt == attempt
            )
        )
    )
    if done is None and attempt is not None:
        done = _given_outside_the_run(session, approval_id, signer_id, decision, cms)
    if done is not None:
        approval = session.get_one(Approval, approval_id)
        signature = signature_of(session, approval_id)
        return DecisionOutcome(
            approval_id,
            done.accepted,
            outcome_decision(approval, done.decision) if done.accepted else done.decision,
            done.signer_id,
            done.reason,
            approval.status.value,
            signature if done.accepted else None,
            _stored_redraft(session.get_one(Document, approval.document_id), done),
        )
    signed, verdict = signer_verdict(
        session,
        approval_id=approval_id,
        signer_id=signer_id,
        decision=decision,
        cms=cms,
        at=at,
        four_eyes=four_eyes,
    )
    approval = session.get_one(Approval, approval_id)
    doc = session.get_one(Document, approval.document_id)
    if verdict.accepted and document_hash(doc.body) != approval.document_sha256:
        verdict = Verdict(False, "the document changed after the approval was requested")
    redraft = redraft_verdict(doc, signer_id, decision)
    if verdict.accepted and redraft is not None:
        verdict = redraft
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
            signed=signed,
            redraft_for=verdict.redraft_for,
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
        first = session.execute(
            select(Approval.decided_by, Approval.status).where(Approval.id == approval_id)
        ).one()
        return record_refusal(
            session,
            approval_id=approval_id,
            signer_id=signer_id,
            decision=decision,
            reason=decided_first(first.decided_by, ApprovalStatus(first.status).value),
            channel=channel,
            at=at,
            attempt=attempt,
            comment=comment,
            signed=signed,
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
            signed=signed,
        )
    )
    signature_id = None
    visa = is_visa(approval)
    if decision is Decision.APPROVE and not visa:  # a visa is never a signature
        signature = Signature(
            approval_id=approval_id,
            document_id=doc.id,
            signer_id=signer_id,
            acting=verdict.acting,
            document_sha256=approval.document_sha256,
            signed_at=at,
            cms=signed.cms,
            signer_iin=signed.signer_iin,
            cert_sha256=signed.cert_sha256,
        )
        session.add(signature)
        session.flush()
        signature_id = signature.id
        # The signed document is registered as outgoing in the same transaction (its number
        # and date are stamped on the signed text).
        document_store.assign_outgoing(session, doc.id, local_date(at))
    session.flush()
    audit.append(
        session,
        actor=signer_id,
        action=_action(new_status, visa and decision is Decision.APPROVE),
        entity_kind="approval",
        entity_id=approval_id,
        payload={
            "decision": decision.value,
            "visa": visa,
            "comment": comment,
            "acting": verdict.acting,
            "why": verdict.reason,
            "sha256": approval.document_sha256,
            "signature_id": signature_id,
            "channel": channel,
            **signed.audit(),
        },
    )
    return DecisionOutcome(
        approval_id,
        True,
        outcome_decision(approval, decision.value),
        signer_id,
        verdict.reason,
        new_status.value,
        signature_id,
    )
