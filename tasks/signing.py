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

from prefect import task
from prefect.cache_policies import NO_CACHE

from models.approvals.decisions import DecisionOutcome, escalated_within
from models.db import transaction
from models.db.tables import AccessLevel, Document, Office, Procedure, StaffRow
from models.office.roster_store import read_roster
from models.office.urgency import authorised_at
from models.records import document_store
from models.records.rendering import Letterhead, render
from models.timing.calendar import ALMATY, WorkingCalendar
from tasks.approvals import request_approval


@task(name="draft-document-for-signature", cache_policy=NO_CACHE)
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
        proc = session.get_one(Procedure, procedure_id)
        office = session.get_one(Office, proc.office_code)
        roster = read_roster(session)
        if on_call:
            who = authorised_at(roster, now, WorkingCalendar())
            signer, acting, on_duty = who.staff, False, who.on_duty
            local_day = now.astimezone(ALMATY).date()
            if prefer_signer and (
                prefer_signer in escalated_within(session, procedure_id)
                or (any_prosecutor and roster.is_present(prefer_signer, local_day))
            ):
                signer = roster.member(prefer_signer)
                on_duty = who.on_duty and who.staff is not None and who.staff.id == signer.id
            if signer is not None and not on_duty:
                signatory = roster.signatory_on(now.astimezone(ALMATY).date())
                acting = (
                    signatory.acting
                    and signatory.staff is not None
                    and signatory.staff.id == signer.id
                )
        else:
            signatory = roster.signatory_on(now.astimezone(ALMATY).date())
            signer, acting, on_duty = signatory.staff, signatory.acting, False
        if signer is None:
            raise LookupError("nobody in the office may sign now: refer to the regional office")
        local = now.astimezone(ALMATY)
        executor = session.get(StaffRow, drafted_by) if drafted_by else None
        body = render(
            kind,
            language,
            letterhead=Letterhead(
                office.name_kk,
                office.name_ru,
                office.address,
                signer.name,
                signer.position,
                acting,
                on_duty,
                own_name=any_prosecutor and not on_duty and not acting,
                office_phone=office.phone,
                office_email=office.email,
                executor_name=executor.name if executor else None,
                executor_phone=executor.phone if executor else None,
            ),
            registration_number=proc.registration_number,
            date=local.date(),
            time=f"{local:%H:%M}",
            **fields,
        )
        return document_store.draft_document(
            session,
            procedure_id=procedure_id,
            kind=kind,
            language=language,
            title=title,
            body=body,
            drafted_by=drafted_by,
            signatory_id=signer.id,
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
            step=f"{step}-{round_}",
            document_id=document_id,
            due_date=due_date,
            drafter_id=drafted_by,
            on_call=on_call,
            due_at=due_at,
            named_signer=document_signatory(document_id) if any_prosecutor else None,
        )
        if not outcome.redraft:
            return document_id, outcome
        came_to_sign = outcome.signer_id


@task(name="document-signatory", cache_policy=NO_CACHE)
def document_signatory(document_id: int) -> str | None:
    """The person a drafted document names as its signatory."""
    with transaction() as session:
        return session.get_one(Document, document_id).signatory_id
