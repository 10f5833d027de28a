"""``prosecutor approvals``: approvals (согласования) with who decides and by when, EDS over a
decision, and the decision given to the waiting run."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput, one_line
from deployments.cli.signing import KeyFile, PasswordFile, sign_bytes
from deployments.cli.support import (
    WAITING_STATES,
    JsonFlag,
    emit,
    fails_cleanly,
    office_session,
    prefect_connection,
    run_state,
)
from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.approvals import store as approval_store
from models.approvals.store import ApprovalView
from models.office import eds
from models.office.roster_store import staff_by_iin

approvals_app = typer.Typer(help="Approvals and signatures.", no_args_is_help=True)

DecisionOption = Annotated[str, typer.Option("--decision", help="approve, reject or return.")]
ApprovalId = Annotated[int, typer.Argument(help="Approval id (see `approvals list`).")]
CHANNEL = "cli"  # recorded with each decision: given in the terminal, not the UI form


@dataclass(frozen=True, slots=True)
class Given:
    """A decision given in the terminal, signed with the decider's EDS."""

    approval_id: int
    decision: Decision
    signer: str
    comment: str | None
    cms: bytes


def _four_eyes() -> bool:
    from tasks.approvals import four_eyes_enabled

    return four_eyes_enabled()


def _waiting_run_state(flow_run_id: str) -> str:
    """The state of the run an approval waits in."""
    return run_state(flow_run_id)


def parse_decision(value: str) -> Decision:
    """``--decision`` as given: a bad value is one line naming the choices, like any bad input."""
    try:
        return Decision(value.strip().lower())
    except ValueError:
        choices = ", ".join(d.value for d in Decision)
        raise BadInput(f"--decision: {value!r} is not one of {choices}") from None


def _holder(session: Session, cms: bytes) -> str:
    """Who the signature's certificate names on the roster (as given, if nobody)."""
    iin, _ = eds.inspect(cms)
    staff = staff_by_iin(session, iin) if iin else None
    return staff.id if staff else f"iin:{eds.masked_iin(iin)}"


@approvals_app.command("list")
@fails_cleanly
def approvals_list(
    pending: Annotated[
        bool, typer.Option("--pending", help="Only approvals still waiting.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Approvals with who must decide and by when."""
    with office_session() as session:
        rows = [v.to_dict() for v in approval_store.list_approvals(session, pending_only=pending)]
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['id']:>5} {r['status']:<9} due {r['due_date']}"
                f" {r['signatory_id'] or 'regional':<10}"
                f" {r['registration_number']} {r['document_title']}"
                for r in rs
            )
            or "no approvals"
        ),
    )


@approvals_app.command("sign")
@fails_cleanly
def approvals_sign(
    approval_id: ApprovalId,
    decision_given: DecisionOption,
    key: KeyFile,
    password_file: PasswordFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Print your EDS (base64 CMS) over the exact bytes of this decision, for the *signature*
    field of the decision form in the Prefect UI."""
    decision = parse_decision(decision_given)
    with office_session() as session:
        content = approval_decisions.signed_content(session, approval_id, decision)
    cms = sign_bytes(content, key, password_file)
    data = {
        "approval_id": approval_id,
        "decision": decision.value,
        "signed_sha256": eds.content_sha256(content),
        "signature": eds.encode(cms),
    }
    emit(data, as_json, lambda d: d["signature"])


@approvals_app.command("decide")
@fails_cleanly
def approvals_decide(
    approval_id: ApprovalId,
    decision_given: DecisionOption,
    key: KeyFile,
    password_file: PasswordFile = None,
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for the run to take it up.")
    ] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Decide on a waiting approval with your EDS: you are the holder of the key's
    certificate. The decision is checked and recorded here, once (of two given at once exactly
    one is recorded; the other exits 1 naming who decided first), and only then given to the
    waiting run, which carries on with it."""
    decision = parse_decision(decision_given)
    now = dt.datetime.now(dt.UTC)
    with office_session() as session:
        content = approval_decisions.signed_content(session, approval_id, decision)
    cms = sign_bytes(content, key, password_file)
    view, given = _checked(approval_id, decision, cms, comment, now)
    run_id = _waiting_run(view)
    from tasks.decision_forms import refresh_form

    refresh_form(approval_id, now)  # the form offers whoever is authorised now: the signer
    with office_session() as session:
        redraft = approval_decisions.needs_redraft(session, approval_id, given.signer, decision)
    if redraft:  # the run redrafts the document in the signer's name, then asks again
        data = {"approval_id": approval_id, "signer": given.signer}
        data |= {"resumed": _resume(run_id, given), "status": "pending"}
        data |= {"redraft": redraft.reason, "redraft_for": redraft.redraft_for}
        emit(
            data, as_json, lambda d: f"approval {approval_id}: {d['redraft']}: the run redrafts it"
        )
        return
    result = _record_and_resume(run_id, given, now)
    _wait_until_taken(run_id, wait)
    emit(result, as_json, _decided_line)


def _checked(
    approval_id: int, decision: Decision, cms: bytes, comment: str | None, now: dt.datetime
) -> tuple[ApprovalView, Given]:
    """The approval and the decision of the key's holder, checked (EDS, authority, four eyes);
    a refusal is recorded with its audit entry, then told in one line."""
    with office_session() as session:
        view = approval_store.get_approval(session, approval_id)
        signer = _holder(session, cms)
        signed, verdict = approval_decisions.signer_verdict(
            session,
            approval_id=approval_id,
            signer_id=signer,
            decision=decision,
            cms=cms,
            at=now,
            four_eyes=_four_eyes(),
        )
        if not verdict.accepted:
            approval_decisions.record_refusal(
                session,
                approval_id=approval_id,
                signer_id=signer,
                decision=decision,
                reason=verdict.reason,
                channel=CHANNEL,
                at=now,
                comment=comment,
                signed=signed,
            )
    # raised after the transaction so that the refusal and its audit entry are kept
    if not verdict.accepted:
        raise BadInput(f"refused: {verdict.reason}")
    return view, Given(approval_id, decision, signer, comment, cms)


def _waiting_run(view: ApprovalView) -> str:
    """The id of the run waiting for this decision; refused when none waits."""
    if not view.flow_run_id:
        raise BadInput(f"approval {view.id} has no flow run waiting for it")
    state = _waiting_run_state(view.flow_run_id)
    if state not in WAITING_STATES:
        raise BadInput(
            f"the run of approval {view.id} is not waiting for a decision (it is {state})"
        )
    return view.flow_run_id


def _record_and_resume(run_id: str, given: Given, now: dt.datetime) -> dict[str, Any]:
    """Recorded before the run hears of it: the conditional update in the store lets exactly
    one of two decisions given at once through, and only its decider resumes the run."""
    with office_session() as session:
        outcome = approval_decisions.record_decision(
            session,
            approval_id=given.approval_id,
            attempt=None,
            signer_id=given.signer,
            decision=given.decision,
            comment=given.comment,
            at=now,
            four_eyes=_four_eyes(),
            channel=CHANNEL,
            cms=given.cms,
        )
    if not outcome.accepted:
        raise BadInput(f"refused: {outcome.reason}")
    return {
        "approval_id": given.approval_id,
        "flow_run_id": run_id,
        "signer": given.signer,
        "decision": outcome.decision,
        "resumed": _resume(run_id, given),
        "status": outcome.status,
        "signature_id": outcome.signature_id,
    }


def _wait_until_taken(run_id: str, wait: float) -> None:
    """Up to ``wait`` seconds for the resumed run to leave its pause."""
    deadline = time.monotonic() + wait
    while wait and time.monotonic() < deadline:
        if _waiting_run_state(run_id) not in WAITING_STATES:
            return
        time.sleep(0.5)


def _decided_line(d: dict[str, Any]) -> str:
    return (
        f"approval {d['approval_id']}: {d['decision']} by {d['signer']} recorded"
        f" (status {d['status']}); run {d['flow_run_id']}"
        + (" resumed" if d["resumed"] else " had already been resumed: it carries on with it")
    )


def _resume(flow_run_id: str, given: Given) -> bool:
    """Give the decision to the waiting run; False when it was resumed meanwhile (from the UI):
    it then finds the approval decided and carries on with the recorded decision. Any other
    failure is told in one line: the decision stays recorded."""
    not_resumed = (
        f"approval {given.approval_id}: the decision of {given.signer} is recorded, but its run"
        f" {flow_run_id} was not resumed"
    )
    try:
        prefect_connection()  # before Prefect is imported: the running office's server
    except BadInput as exc:
        raise BadInput(
            f"{not_resumed} ({exc}): the run finds the decision when it is resumed or started again"
        ) from None
    from prefect.exceptions import NotPausedError
    from prefect.flow_runs import resume_flow_run

    from tasks.decision_forms import offered, signer_value

    try:
        resume_flow_run(
            UUID(flow_run_id),
            run_input={
                "decision": given.decision.value,
                "signer": signer_value(offered(flow_run_id, given.approval_id), given.signer),
                "comment": given.comment,
                "signature": eds.encode(given.cms),
            },
        )
    except NotPausedError:
        return False
    except Exception as exc:
        raise BadInput(
            f"{not_resumed} ({one_line(exc)}): the run finds the decision when it is resumed or"
            " started again"
        ) from None
    return True
