"""Steps of the immediate release of a person held illegally.

Every prosecutor must release at once a person detained illegally (CL-155 art. 10(2)(9)); the
suspect is released by order of the prosecutor (CPC art. 133(1)); the prosecuting bodies must
release anyone held illegally or beyond the term (CPC art. 14(4)). So any prosecutor of the
office present may order it, and the head (or the person replacing the head, Regulation cl.
14-15) is told at once who did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from models.appeals.inbox_store import raw_of
from models.db import transaction
from models.office.roster import Roster
from models.office.roster_store import read_roster
from models.office.urgency import authorised_at
from models.procedures import ProcedureKind, detention, release_store
from models.procedures.release_store import ReleaseFacts
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.deadlines import due_moment
from models.timing.terms import default_terms
from tasks.step import step


@dataclass(frozen=True, slots=True)
class ReleaseCase:
    procedure_id: int
    registration_number: str
    due_at: dt.datetime
    authorised: str | None
    on_duty: bool
    ordered_by: str | None = None  # the prosecutor who found the illegal detention, if named


class ReleaseGround(StrEnum):
    """Why the person must be released: the grounds of CPC art. 133, chosen from a list (a
    free text given to Prefect could name people)."""

    LIMIT_PASSED = "limit_passed"  # art. 133(2), art. 14(2): no sanction by the limit
    SANCTION_REFUSED = "sanction_refused"  # art. 148(7)(3), (10): executed at once
    SUSPICION_NOT_CONFIRMED = "suspicion_not_confirmed"  # art. 133(1)(1)
    NO_GROUNDS_FOR_CUSTODY = "no_grounds_for_custody"  # art. 133(1)(2)
    DETENTION_PROCEDURE_VIOLATED = "detention_procedure_violated"  # art. 133(1)(3)
    NO_LAWFUL_GROUNDS = "no_lawful_grounds"  # art. 133(1)(4)


# What the order states after «основания:», in the words of the CPC.
_GROUND_TEXT = {
    ReleaseGround.SANCTION_REFUSED: "следственный судья отказал в санкционировании содержания"
    " под стражей (пункт 3) части седьмой статьи 148 УПК); постановление подлежит немедленному"
    " исполнению (часть десятая статьи 148 УПК)",
    ReleaseGround.SUSPICION_NOT_CONFIRMED: "не подтвердилось подозрение в совершении уголовного"
    " правонарушения (пункт 1) части первой статьи 133 УПК)",
    ReleaseGround.NO_GROUNDS_FOR_CUSTODY: "отсутствуют основания для применения к задержанному"
    " меры пресечения в виде содержания под стражей (пункт 2) части первой статьи 133 УПК)",
    ReleaseGround.DETENTION_PROCEDURE_VIOLATED: "задержание произведено с существенным"
    " нарушением требований статьи 131 УПК (пункт 3) части первой статьи 133 УПК)",
    ReleaseGround.NO_LAWFUL_GROUNDS: "отсутствовали законные основания для задержания (пункт 4)"
    " части первой статьи 133 УПК)",
}


def ground_text(ground: ReleaseGround, limit_hours: object, limit_at: dt.datetime) -> str:
    if ground is not ReleaseGround.LIMIT_PASSED:
        return _GROUND_TEXT[ground]
    return (
        f"срок задержания без санкции суда ({limit_hours} ч. с момента фактического"
        f" задержания) истёк {detention.local(limit_at)}; постановление следственного судьи о"
        " санкционировании содержания под стражей или домашнего ареста не поступило (часть"
        " вторая статьи 14, часть четвертая статьи 131, часть вторая статьи 133 УПК)"
    )


@step
def detention_release_facts(
    detention_ref: str, ground: ReleaseGround = ReleaseGround.LIMIT_PASSED
) -> ReleaseFacts:
    """The facts of a release from the detention's stored protocol (``prosecutor detention
    record``). At the limit without a sanction it is reported at the limit, so whoever was
    authorised then signs (at night: the prosecutor on duty); on any other ground, now."""
    number = detention.number_of(detention_ref)
    with transaction() as session:
        try:
            record, proc = raw_of(session, number)
        except LookupError:
            raise LookupError(f"no stored detention protocol {number}") from None
        if proc.kind is not ProcedureKind.DETENTION:
            raise LookupError(f"{number} is not a detention protocol")
        protocol = detention.DetentionProtocolIn.model_validate_json(record.raw)
        details = dict(proc.details or {})
    limit_at = dt.datetime.fromisoformat(details["limit_at"])
    held_since = dt.datetime.fromisoformat(details["detained_at"])
    reported_at = limit_at if ground is ReleaseGround.LIMIT_PASSED else dt.datetime.now(dt.UTC)
    return ReleaseFacts(
        report_id=number,
        facility=protocol.facility,
        person=protocol.person.full_name,
        held_since=held_since,
        grounds=ground_text(ground, details.get("limit_hours"), limit_at),
        reported_at=reported_at,
        detention=number,
    )


@step
def register_release(facts: ReleaseFacts, ordered_by: str | None = None) -> ReleaseCase:
    """Register the report once (keyed by its id) with its term in hours, and give the release
    duty to the prosecutor who found the illegal detention (``ordered_by``, when present that
    day), else to whoever is authorised right now."""
    hours = detention.hours_of(default_terms(), detention.RELEASE)
    due_at = due_moment(facts.reported_at, hours)
    with transaction() as session:
        roster = read_roster(session)
        who = authorised_at(roster, facts.reported_at, WorkingCalendar())
        finder = _present_prosecutor(roster, ordered_by, facts.reported_at)
        proc = release_store.release_of(session, facts.report_id)
        if proc is None:
            proc = release_store.register_release(
                session,
                facts,
                due_at,
                assignee=finder or (who.staff.id if who.staff else None),
                who=who,
                finder=finder,
                ordered_by=ordered_by,
            )
        return ReleaseCase(
            proc.id,
            proc.registration_number,
            due_at,
            who.staff.id if who.staff else None,
            who.on_duty,
            (proc.details or {}).get("ordered_by"),
        )


def _present_prosecutor(roster: Roster, staff_id: str | None, at: dt.datetime) -> str | None:
    """``staff_id`` when a prosecutor of the office present that day (every position on the
    roster holds a class rank: a prosecutor, CL-155 art. 44(2)); else None."""
    if staff_id is None or staff_id not in roster.staff:
        return None
    return staff_id if roster.is_present(staff_id, at.astimezone(ALMATY).date()) else None


@step
def report_release_to_head(case: ReleaseCase, ordered_by: str, document_id: int) -> str | None:
    """Tell the head (or the person replacing the head that day, Regulation cl. 14-15) at once
    who ordered the release; recorded once. Returns who was told (None: the regional office)."""
    with transaction() as session:
        return release_store.report_to_head(
            session, case.procedure_id, ordered_by, document_id, dt.datetime.now(dt.UTC)
        )


@step
def await_confirmation(case: ReleaseCase, signer: str) -> int:
    """The order is signed: close its duty, and wait (by the hour) for the facility's word."""
    hours = detention.hours_of(default_terms(), detention.RELEASE_CONFIRMATION)
    with transaction() as session:
        return release_store.await_confirmation(
            session, case.procedure_id, signer, dt.datetime.now(dt.UTC), hours
        ).id
