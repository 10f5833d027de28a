"""Approvals as Prefect steps: the one mechanism every procedure flow calls to get a document
approved and signed (Regulation cl. 15; DESIGN "Approvals").

``request_approval`` runs inside the calling flow rather than as a subflow of its own: from a
deployment the wait *suspends* the run so the worker is freed, and only the deployment's own run
can be suspended and restarted; a suspended subflow would leave its parent running. On resume
the flow starts again from the top and every step before the wait finds its work already in the
database (keyed by procedure and step), so nothing is done twice.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap

from prefect import get_run_logger
from prefect.context import FlowRunContext
from prefect.input import RunInput
from pydantic import Field, create_model

from models.approvals import Choice, Decision, signer_of
from models.approvals import decisions as approval_decisions
from models.approvals import store as approval_store
from models.approvals.decisions import DecisionOutcome
from models.approvals.store import ApprovalView
from models.db import transaction
from models.procedures.parties import PersonalData, parties_of
from models.records.markdown_text import literal_block
from models.records.rendering import as_text
from models.settings import get_settings
from models.vocabulary import approval_key
from tasks.step import step
from tasks.waiting import wait_for


def four_eyes_enabled() -> bool:
    return get_settings().four_eyes


class ApprovalDecisionInput(RunInput):
    """Решение по документу / Құжат бойынша шешім."""

    decision: Decision = Field(description="approve and sign, reject, or return for rework")
    signer: str = Field(description="who decides: your staff id, e.g. head or dep-1")
    comment: str | None = Field(None, max_length=2000)
    # a plain string (not optional): the UI renders it as one text field to paste into
    signature: str = Field(
        "",
        max_length=200_000,
        description="your EDS (ЭЦП) over the exact bytes decided on, base64 CMS: paste the"
        " output of `prosecutor approvals sign APPROVAL_ID --decision DECISION --key"
        " YOUR.p12` (the certificate's holder must be the signer chosen above)",
    )

    @property
    def signer_id(self) -> str:
        return signer_of(self.signer)


def decision_form(choices: list[Choice]) -> type[ApprovalDecisionInput]:
    """The decision form with the signer offered as a choice of the people authorised now.

    The choice is in the form's schema only (what the UI shows); the value received stays a
    plain string, so a run resumed after the roster changed still reads its input, and the
    decision is checked against the roster at that moment anyway.
    """
    if not choices:
        return ApprovalDecisionInput
    return create_model(
        "ApprovalDecisionInput",
        __base__=ApprovalDecisionInput,
        signer=(
            str,
            Field(
                choices[0].label,
                description="who decides: the people authorised now (Regulation cl. 14-15)",
                json_schema_extra={"enum": [c.label for c in choices]},
            ),
        ),
    )


@step
def open_approval(
    procedure_id: int,
    step: str,
    document_id: int,
    due_date: dt.date,
    drafter_id: str | None,
    visa_by: str | None,
    on_call: bool = False,
    due_at: dt.datetime | None = None,
    named_signer: str | None = None,
) -> ApprovalView:
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else None
    with transaction() as session:
        return approval_store.open_approval(
            session,
            procedure_id=procedure_id,
            step=step,
            document_id=document_id,
            due_date=due_date,
            day=dt.datetime.now(dt.UTC).date(),
            drafter_id=drafter_id,
            visa_by=visa_by,
            flow_run_id=run_id,
            on_call=on_call,
            due_at=due_at,
            named_signer=named_signer,
        )


def form_facts(
    approval_id: int, at: dt.datetime | None = None
) -> tuple[ApprovalView, list[Choice], PersonalData]:
    """What the decision form is made of at ``at``: the approval, those authorised to decide
    it then, and the parties' personal data to mask in the document shown."""
    at = at or dt.datetime.now(dt.UTC)
    with transaction() as session:
        view = approval_store.get_approval(session, approval_id)
        choices = approval_decisions.choices_for(session, approval_id, at)
        return view, choices, parties_of(session, view.procedure_id)[1]


read_form_facts = step(form_facts)


@step
def read_approval(approval_id: int) -> ApprovalView:
    with transaction() as session:
        return approval_store.get_approval(session, approval_id)


@step
def record_decision(
    approval_id: int, attempt: int, given: ApprovalDecisionInput
) -> DecisionOutcome:
    with transaction() as session:
        return approval_decisions.record_decision(
            session,
            approval_id=approval_id,
            attempt=attempt,
            signer_id=given.signer_id,
            decision=given.decision,
            comment=given.comment,
            at=dt.datetime.now(dt.UTC),
            four_eyes=four_eyes_enabled(),
            cms=given.signature or None,
        )


@step
def decided_outcome(approval_id: int) -> DecisionOutcome:
    """The accepted decision of an approval decided before this run (re)started."""
    with transaction() as session:
        return approval_decisions.decided_outcome(session, approval_id)


def step_name(step: str) -> str:
    """A step without its attempt counters: ``reply-1-2`` is the reply."""
    return re.sub(r"(-\d+)+$", "", step)


def _wrapped(text: str, width: int = 54) -> str:
    """The text as shown in the form: lines wrapped to the form's width (what is signed is the
    stored text, whose hash the form shows); the block it goes in cannot be closed by it."""
    lines = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        lines.append(
            textwrap.fill(line, width, initial_indent="", subsequent_indent=indent)
            if line.strip()
            else ""
        )
    return "\n".join(lines)


def approval_description(
    view: ApprovalView, choices: list[Choice], personal: PersonalData | None = None
) -> str:
    """The Markdown shown above the decision form in the Prefect UI: the document with the
    parties' personal data masked, who must decide and by when."""
    kind = (
        f"visa of {view.visa_by} (not a signature: the signatory of the day signs after it)"
        if view.visa_by
        else "signature on behalf of the office"
    )
    body = (
        "(state secret: not shown here; read it with"
        f" `prosecutor documents show {view.document_id} --key YOUR.p12`, cleared staff only)"
        if view.document_secret
        else _wrapped((personal or PersonalData()).redact(as_text(view.document_body)))
    )
    who = (
        "; ".join(c.label for c in choices)
        if choices
        else "nobody in the office is authorised now: the regional office decides"
    )
    return (
        f"## {view.document_title}\n\n"
        f"**Procedure:** {view.registration_number} — step `{view.step}`  \n"
        f"**Needed:** {kind}  \n"
        f"**Must decide now:** {who}  \n"
        f"**By:** {view.due_date:%d.%m.%Y}  \n"
        f"**Document SHA-256:** `{view.document_sha256}`  \n"
        f"**Sign:** `prosecutor approvals sign {view.id} --decision approve --key YOUR.p12`"
        " (or reject / return) and paste its output into *signature*\n\n"
        f"{literal_block(body)}\n\n"  # shown as text: never Markdown of its own
        "Personal data are masked here; the full text: "
        f"`prosecutor documents show {view.document_id}`. The decision is checked against the"
        " roster at the moment you submit it: if the roster changed since this form was offered,"
        " a refused decision is recorded and the form is offered again to whoever is authorised."
    )


def request_approval(
    procedure_id: int,
    step: str,
    document_id: int,
    due_date: dt.date,
    drafter_id: str | None = None,
    visa_by: str | None = None,
    on_call: bool = False,
    due_at: dt.datetime | None = None,
    named_signer: str | None = None,
) -> DecisionOutcome:
    """Wait until the person authorised on the day of decision approves, rejects or returns
    the document; refused attempts are recorded and audited, and the wait starts again.

    With ``visa_by`` the outcome of an approval is ``visa``: a visa, never a signature."""
    logger = get_run_logger()
    view = open_approval(
        procedure_id,
        step,
        document_id,
        due_date,
        drafter_id,
        visa_by,
        on_call,
        due_at,
        named_signer,
    )
    attempt = 0
    while True:
        if view.status != "pending":
            return decided_outcome(view.id)
        attempt += 1
        logger.info(
            "Approval %s of %s waits for %s (due %s)",
            view.id,
            view.registration_number,
            view.signatory_id or "the regional office",
            view.due_date,
        )
        view, choices, personal = read_form_facts(view.id)
        decider = choices[0].staff_id if choices else "the regional office"
        given = wait_for(
            decision_form(choices),
            approval_description(view, choices, personal),
            approval_key(view.id, attempt),
            page=(view.procedure_id, f"{step_name(view.step)}: for signature by {decider}"),
        )
        outcome = record_decision(view.id, attempt, given)
        if outcome.accepted:
            logger.info("Approval %s: %s by %s", view.id, outcome.decision, outcome.signer_id)
            return outcome
        if outcome.redraft:  # the caller drafts the document again for today's signatory
            logger.warning("Approval %s: %s", view.id, outcome.reason)
            return outcome
        logger.warning(
            "Approval %s: decision of %s refused: %s", view.id, outcome.signer_id, outcome.reason
        )
        view = read_approval(view.id)
