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

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from models.appeals.inbox_store import raw_of
from models.db import transaction
from models.db.tables import Duty, Procedure
from models.office.masking import mask_name
from models.office.roster import Roster
from models.office.roster_store import office_code, read_roster
from models.office.urgency import authorised_at
from models.procedures import ProcedureKind, ProcedureStatus, detention
from models.procedures import store as procedure_store
from models.records import audit
from models.sweeps.notifications import notify
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.deadlines import due_moment
from models.timing.terms import default_terms


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


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What the release order states, read from the office's database (never passed to Prefect
    as parameters: a person's name is personal data)."""

    report_id: str
    facility: str
    person: str
    held_since: dt.datetime
    grounds: str
    reported_at: dt.datetime
    detention: str | None = None


@task(name="detention-release-facts", cache_policy=NO_CACHE)
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


@task(name="register-release", cache_policy=NO_CACHE)
def register_release(facts: ReleaseFacts, ordered_by: str | None = None) -> ReleaseCase:
    """Register the report once (keyed by its id) with its term in hours, and give the release
    duty to the prosecutor who found the illegal detention (``ordered_by``, when present that
    day), else to whoever is authorised right now."""
    report_id, facility, reported_at = facts.report_id, facts.facility, facts.reported_at
    hours = default_terms().get("detention.release").term or 1
    due_at = due_moment(reported_at, hours)
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(
                Procedure.kind == ProcedureKind.RELEASE, Procedure.title == f"Release: {report_id}"
            )
        )
        roster = read_roster(session)
        who = authorised_at(roster, reported_at, WorkingCalendar())
        finder = _present_prosecutor(roster, ordered_by, reported_at)
        assignee = finder or (who.staff.id if who.staff else None)
        if proc is None:
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=ProcedureKind.RELEASE,
                title=f"Release: {report_id}",
                year=reported_at.astimezone(ALMATY).year,
                due_date=due_at.astimezone(ALMATY).date(),
                assignee_id=assignee,
                area="detention",
                actor=ordered_by or "release",
            )
            proc.details = {
                "report_id": report_id,
                "facility": facility,
                "person": facts.person,
                "held_since": facts.held_since.isoformat(),
                "grounds": facts.grounds,
                "reported_at": reported_at.isoformat(),
                "ordered_by": finder,
                "detention": facts.detention,
            }
            procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, "release")
            duty = procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step="release-order",
                title=f"Sign the release order: {facility}",
                assignee_id=assignee,
                due_date=None,
                term_id="detention.release",
                actor="release",
            )
            duty.due_at = due_at
            audit.append(
                session,
                actor="release",
                action="release.reported",
                entity_kind="procedure",
                entity_id=proc.registration_number,
                payload={
                    "facility": facility,
                    "due_at": due_at.isoformat(),
                    "authorised": who.staff.id if who.staff else None,
                    "why": who.reason,
                    "ordered_by": finder,
                    "ordered_by_refused": ordered_by if ordered_by and not finder else None,
                },
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


@task(name="report-release-to-head", cache_policy=NO_CACHE)
def report_to_head(case: ReleaseCase, ordered_by: str, document_id: int) -> str | None:
    """Tell the head (or the person replacing the head that day, Regulation cl. 14-15) at once
    who ordered the release; recorded once. Returns who was told (None: the regional office)."""
    now = dt.datetime.now(dt.UTC)
    day = now.astimezone(ALMATY).date()
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        details = dict(proc.details or {})
        if "reported_to" in details:
            return details["reported_to"]
        manager = read_roster(session).signatory_on(day).staff
        head = manager.id if manager else None
        if head != ordered_by:
            notify(
                session,
                key=f"release-report:{proc.id}",
                recipient=head,
                kind="release_ordered",
                subject_kind="procedure",
                subject_id=proc.id,
                on=day,
                message=(
                    f"{ordered_by} ordered the release of"
                    f" {mask_name(str(details.get('person') or ''))} held in"
                    f" {details.get('facility')} ({proc.registration_number}, document"
                    f" {document_id}): CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1)"
                ),
            )
        details.update(ordered_by=ordered_by, reported_to=head, reported_at=now.isoformat())
        proc.details = details
        audit.append(
            session,
            actor=ordered_by,
            action="release.reported_to_head",
            entity_kind="procedure",
            entity_id=proc.registration_number,
            payload={
                "ordered_by": ordered_by,
                "reported_to": head or "regional_office",
                "document_id": document_id,
                "why": "CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1)",
            },
        )
        return head


@task(name="await-confirmation", cache_policy=NO_CACHE)
def await_confirmation(case: ReleaseCase, signer: str) -> int:
    """The order is signed: close its duty, and wait (by the hour) for the facility's word."""
    hours = default_terms().get("detention.release_confirmation").term or 1
    with transaction() as session:
        order = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "release-order")
        )
        if order is not None:
            procedure_store.complete_duty(session, order.id, signer)
        confirm = procedure_store.open_duty(
            session,
            procedure_id=case.procedure_id,
            step="confirm-release",
            title="Confirmation of the release from the facility",
            assignee_id=signer,
            due_date=None,
            term_id="detention.release_confirmation",
            actor=signer,
        )
        if confirm.due_at is None:
            confirm.due_at = due_moment(dt.datetime.now(dt.UTC), hours)
        procedure_store.set_status(
            session, case.procedure_id, ProcedureStatus.AWAITING_ANSWER, signer
        )
        return confirm.id
