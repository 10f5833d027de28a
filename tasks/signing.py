"""Documents drafted for the person who may sign them, and signed through ``request_approval``.

Every procedure uses this: the letter names its signatory (the head, the deputy replacing the
head, or at night the prosecutor on duty); if that person changes while the letter waits, it is
drafted again for the new one, since a letter must be signed by the person it names.

A release order is the exception: any prosecutor present may give it (CL-155 art. 10(2)(9);
CPC arts. 14(4), 133(1)), so it is drafted in the name of the prosecutor who ordered it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.approvals.decisions import DecisionOutcome
from models.db import transaction
from models.db.tables import AccessLevel
from models.records import document_store, drafting
from models.vocabulary import numbered
from tasks.approvals import request_approval
from tasks.step import step


@step
def draft_for_signature(
    procedure_id: int,
    kind: str,
    language: str,
    title: str,
    drafted_by: str | None,
    fields: dict[str, Any],
    on_call: bool = False,
    prefer_signer: str | None = None,
    access_level: AccessLevel = AccessLevel.PUBLIC,
    any_prosecutor: bool = False,
) -> int:
    """Render ``kind`` naming the person who may sign it now, and store it once.

    ``prefer_signer``: an urgent matter escalated to someone who came to sign it is redrafted
    in their name; with ``any_prosecutor`` (a release order) so is any prosecutor present.
    """
    now = dt.datetime.now(dt.UTC)
    with transaction() as session:
        signer = drafting.signer_now(
            session,
            procedure_id,
            now,
            on_call=on_call,
            prefer_signer=prefer_signer,
            any_prosecutor=any_prosecutor,
        )
        body = drafting.render_for_signature(
            session,
            procedure_id,
            kind,
            language,
            signer,
            drafted_by=drafted_by,
            own_name=any_prosecutor and not signer.on_duty and not signer.acting,
            now=now,
            fields=fields,
        )
        return document_store.draft_document(
            session,
            procedure_id=procedure_id,
            kind=kind,
            language=language,
            title=title,
            body=body,
            drafted_by=drafted_by,
            signatory_id=signer.staff.id,
            access_level=access_level,
        ).id


def signed_document(
    procedure_id: int,
    *,
    kind: str,
    language: str,
    title: str,
    step: str,
    due_date: dt.date,
    fields: dict[str, Any],
    drafted_by: str | None = None,
    on_call: bool = False,
    due_at: dt.datetime | None = None,
    access_level: AccessLevel = AccessLevel.PUBLIC,
    any_prosecutor: bool = False,
    ordered_by: str | None = None,
) -> tuple[int, DecisionOutcome]:
    """Draft, then wait for the decision; redraft when the signatory changed meanwhile.

    ``any_prosecutor``: a release order, which any prosecutor present may sign (CL-155 art.
    10(2)(9)), drafted in the name of ``ordered_by`` when given and present. The outcome is
    APPROVE only with a signature of the person authorised to sign it, never from a visa.
    """
    round_, came_to_sign = 0, (ordered_by if any_prosecutor else None)
    while True:
        round_ += 1
        document_id = draft_for_signature(
            procedure_id,
            kind,
            language,
            title,
            drafted_by,
            fields,
            on_call,
            came_to_sign,
            access_level,
            any_prosecutor,
        )
        outcome = request_approval(
            procedure_id,
            step=numbered(step, round_),
            document_id=document_id,
            due_date=due_date,
            drafter_id=drafted_by,
            on_call=on_call,
            due_at=due_at,
            named_signer=document_signatory(document_id) if any_prosecutor else None,
        )
        if not outcome.redraft:
            return document_id, outcome
        came_to_sign = outcome.redraft_for


@step
def document_signatory(document_id: int) -> str | None:
    """The person a drafted document names as its signatory."""
    with transaction() as session:
        return document_store.signatory_of(session, document_id)
