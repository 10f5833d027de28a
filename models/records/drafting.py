"""A document drafted for signature: whom it names as signatory and its letterhead.

A letter of the office is signed by the person it names (Regulation cl. 15): the district
prosecutor, the deputy replacing the prosecutor, or at night the prosecutor on duty. An urgent
matter escalated to someone who came to sign it names them instead; a release order, which any
prosecutor present may give (CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1)), names the
prosecutor who ordered it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models.approvals.decisions import escalated_within
from models.db.tables import Office, Procedure, StaffRow
from models.office.roster import Roster, Staff
from models.office.roster_store import read_roster
from models.office.urgency import authorised_at
from models.records.rendering import Letterhead, render
from models.timing.calendar import ALMATY, WorkingCalendar


@dataclass(frozen=True, slots=True)
class Signer:
    """The person a document is drafted for, and in what capacity."""

    staff: Staff
    acting: bool  # replaces the head that day (и.о.)
    on_duty: bool  # the prosecutor on duty outside working hours


def _on_call_signer(
    session: Session,
    roster: Roster,
    procedure_id: int,
    now: dt.datetime,
    prefer_signer: str | None,
    any_prosecutor: bool,
) -> tuple[Staff | None, bool, bool]:
    """Whoever is authorised by the hour, or ``prefer_signer`` when the matter was escalated to
    them (or, for a release order, when they are present)."""
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
        signatory = roster.signatory_on(local_day)
        acting = (
            signatory.acting and signatory.staff is not None and signatory.staff.id == signer.id
        )
    return signer, acting, on_duty


def signer_now(
    session: Session,
    procedure_id: int,
    now: dt.datetime,
    *,
    on_call: bool = False,
    prefer_signer: str | None = None,
    any_prosecutor: bool = False,
) -> Signer:
    """Who may sign the procedure's document at ``now``; LookupError when nobody in the office
    may (the regional office decides)."""
    roster = read_roster(session)
    if on_call:
        staff, acting, on_duty = _on_call_signer(
            session, roster, procedure_id, now, prefer_signer, any_prosecutor
        )
    else:
        signatory = roster.signatory_on(now.astimezone(ALMATY).date())
        staff, acting, on_duty = signatory.staff, signatory.acting, False
    if staff is None:
        raise LookupError("nobody in the office may sign now: refer to the regional office")
    return Signer(staff, acting, on_duty)


def render_for_signature(
    session: Session,
    procedure_id: int,
    kind: str,
    language: str,
    signer: Signer,
    *,
    drafted_by: str | None,
    own_name: bool,
    now: dt.datetime,
    fields: dict[str, Any],
) -> str:
    """The text of ``kind`` on the office's letterhead naming ``signer``, dated ``now`` (Almaty).
    ``own_name``: signed in the signer's own name, not for the head (a release order)."""
    proc = session.get_one(Procedure, procedure_id)
    office = session.get_one(Office, proc.office_code)
    executor = session.get(StaffRow, drafted_by) if drafted_by else None
    local = now.astimezone(ALMATY)
    return render(
        kind,
        language,
        letterhead=Letterhead(
            office.name_kk,
            office.name_ru,
            office.address,
            signer.staff.name,
            signer.staff.position,
            signer.acting,
            signer.on_duty,
            own_name=own_name,
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
