"""The appeal under review in the database (рассмотрение обращения, CL-155 art. 24): the run
that reviews it, its assignee, its ground, an earlier appeal it repeats, its duties and its
closing. Each function works in the caller's transaction and finds its work done when a
resumed run replays it, so no side effect is repeated."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import Competence, choose_assignee, repeat_is_ended
from models.appeals.inbox_store import InboxResult
from models.appeals.store import by_number, parsed
from models.db.tables import AppealRow, AuditEntry, Document, Notification, Procedure
from models.office.roster_store import read_roster
from models.procedures import ProcedureStatus, cpc_complaints
from models.procedures import store as procedure_store
from models.records import audit
from models.timing.calendar import WorkingCalendar
from models.timing.terms import default_terms
from models.vocabulary import Step

# Term rows this module counts (the office checks them at start-up).
CONSIDERATION_TERM = "appeal.consideration"  # рассмотрение обращения
REDIRECT_TERM = "appeal.redirect"  # направление по компетенции
TERMS = (CONSIDERATION_TERM, REDIRECT_TERM)

REVIEWER = "review-appeal"  # the actor of what the review does on its own
# A reply (or a termination notice) sent on an appeal answers it: CL-155 art. 24(8).
ANSWERING_KINDS = ("reply", "termination_notice")


def take_into_review(
    session: Session, number: str, run_id: str | None
) -> tuple[AppealRow, Procedure, str | None]:
    """The appeal and its procedure, claimed for the run ``run_id`` (one run per appeal,
    however it was started); the third value is the run that reviews it when not this one."""
    row, proc = by_number(session, number)
    if row.review_flow_run_id not in (None, run_id):
        return row, proc, row.review_flow_run_id
    if row.review_flow_run_id is None:
        row.review_flow_run_id = run_id
        proc.flow_run_id = run_id
        audit.append(
            session,
            actor=REVIEWER,
            action="appeal.review_started",
            entity_kind="appeal",
            entity_id=number,
            payload={"flow_run_id": run_id},
        )
    if proc.status is ProcedureStatus.REGISTERED:
        procedure_store.set_status(session, proc.id, ProcedureStatus.IN_PROGRESS, REVIEWER)
    return row, proc, None


def merge_details(session: Session, procedure_id: int, **facts: object) -> Procedure:
    """Facts decided in the review, kept on the procedure so a replay takes the same path."""
    proc = session.get_one(Procedure, procedure_id)
    proc.details = {**(proc.details or {}), **facts}
    return proc


def details_of(session: Session, procedure_id: int) -> dict[str, Any]:
    return dict(session.get_one(Procedure, procedure_id).details or {})


def answered(session: Session, procedure_id: int) -> bool:
    """A reply (or a termination notice) was sent on it: CL-155 art. 24(8) "ответы давались"."""
    sent = session.scalar(
        select(Document.id).where(
            Document.procedure_id == procedure_id,
            Document.kind.in_(ANSWERING_KINDS),
            Document.dispatched_at.is_not(None),
        )
    )
    return sent is not None


def earlier_same_text(session: Session, appeal_id: int) -> list[tuple[str, int]]:
    """Earlier appeals of the same applicant with the same text, latest first:
    (registration number, procedure id)."""
    row = session.get_one(AppealRow, appeal_id)
    found = session.execute(
        select(Procedure.registration_number, Procedure.id)
        .join(AppealRow, AppealRow.procedure_id == Procedure.id)
        .where(
            AppealRow.applicant_id == row.applicant_id,
            AppealRow.text_sha256 == row.text_sha256,
            AppealRow.id < row.id,
        )
        .order_by(AppealRow.id.desc())
    ).all()
    return [(number, procedure_id) for number, procedure_id in found]


def repeated_of(session: Session, appeal_id: int, procedure_id: int, number: str) -> str | None:
    """The number of the answered appeal this one repeats (it is then ended, CL-155 art.
    24(8)), decided once; a repeat of an unanswered one is considered, the link audited."""
    decided = details_of(session, procedure_id)
    if "repeats" in decided:  # decided once: a replay takes the same path
        return decided["repeats"]
    earlier = earlier_same_text(session, appeal_id)
    found = next(
        (
            earlier_number
            for earlier_number, earlier_id in earlier
            if repeat_is_ended(
                brings_nothing_new=True, earlier_answered=answered(session, earlier_id)
            )
        ),
        None,
    )
    if found is None and earlier:
        audit.append(
            session,
            actor=REVIEWER,
            action="appeal.repeat_of_unanswered",
            entity_kind="appeal",
            entity_id=number,
            payload={"earlier": [n for n, _ in earlier], "rule": "CL-155 art. 24(8)"},
        )
    merge_details(session, procedure_id, repeats=found)
    return found


def _screener(session: Session, on: dt.date) -> str | None:
    """The deputy supervising appeals or criminal matters, else whoever manages the office."""
    roster = read_roster(session)
    deputy = roster.supervising_deputy(frozenset({"appeals", "criminal"}), on)
    if deputy is not None:
        return deputy.id
    manager = roster.signatory_on(on).staff
    return manager.id if manager else None


def set_aside_anonymous(
    session: Session, appeal_id: int, procedure_id: int, number: str, on: dt.date
) -> str | None:
    """Close an anonymous appeal not considered (CL-155 art. 24(6)), telling the deputy who
    screens it for information on a crime or a threat to security (once); returns who."""
    screener = _screener(session, on)
    key = f"screen-anonymous:{appeal_id}"
    if not session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        session.add(
            Notification(
                dedupe_key=key,
                recipient_id=screener,
                external_recipient=None if screener else "regional_office",
                kind="screening",
                subject_kind="duty",
                subject_id=procedure_id,
                on_date=on,
                message=(
                    f"Anonymous appeal {number} is not considered (CL-155 art. 24(6)); read it"
                    " at once for information on a crime or a threat to security, which is"
                    " considered or forwarded"
                ),
            )
        )
    procedure_store.set_status(session, procedure_id, ProcedureStatus.CLOSED, REVIEWER)
    audit.append(
        session,
        actor=REVIEWER,
        action="appeal.not_considered",
        entity_kind="appeal",
        entity_id=number,
        payload={
            "reason": "anonymous appeal",
            "rule": "CL-155 art. 24(6)",
            "screened_by": screener,
        },
    )
    return screener


def assign(
    session: Session, procedure_id: int, number: str, area: str, due: dt.date, on: dt.date
) -> str:
    """The consideration duty for an assistant of ``area`` present on ``on`` with the fewest
    open duties (once: a replay finds the assignee chosen)."""
    duty = procedure_store.duty_of(session, procedure_id, Step.CONSIDER)
    if duty is not None:
        return duty.assignee_id or ""
    loads = procedure_store.open_duty_loads(session)
    staff, why = choose_assignee(read_roster(session), on, area, loads)
    proc = session.get_one(Procedure, procedure_id)
    proc.assignee_id, proc.area = staff.id, area
    procedure_store.open_duty(
        session,
        procedure_id=procedure_id,
        step=Step.CONSIDER,
        title=f"Consider appeal {number}",
        assignee_id=staff.id,
        due_date=due,
        term_id=CONSIDERATION_TERM,
        actor=REVIEWER,
    )
    audit.append(
        session,
        actor=REVIEWER,
        action="appeal.assigned",
        entity_kind="appeal",
        entity_id=number,
        payload={"assignee": staff.id, "area": area, "why": why},
    )
    return staff.id


def assignee_of(session: Session, procedure_id: int) -> str | None:
    """Who considers the appeal: the assignee of its consideration duty."""
    duty = procedure_store.duty_of(session, procedure_id, Step.CONSIDER)
    return duty.assignee_id if duty else None


# The verdict on a consideration report: audited once per report, so a replay gets the same.
VERDICTS = ("appeal.report_accepted", "appeal.report_refused")


def given_verdict(session: Session, report: str) -> tuple[bool, str | None]:
    """Whether ``report`` (``<number>#report-<n>``) was judged, and why it was refused."""
    given = session.scalar(
        select(AuditEntry).where(AuditEntry.action.in_(VERDICTS), AuditEntry.entity_id == report)
    )
    if given is None:
        return False, None
    return True, json.loads(given.payload).get("reason")


def record_verdict(session: Session, report: str, reporter: str, reason: str | None) -> None:
    """Accepted (``reason`` None) or refused with why."""
    audit.append(
        session,
        actor=reporter,
        action=VERDICTS[reason is not None],
        entity_kind="appeal",
        entity_id=report,
        payload={"reason": reason},
    )


def _ends_with_appeal(step: str) -> bool:
    """The duties the appeal's closing ends; requests and summons keep their own course."""
    return step in {Step.CONSIDER, Step.CLASSIFY} or step.startswith(
        (Step.REDIRECT, Step.EXTENSION_NOTICE)
    )


def close(
    session: Session,
    procedure_id: int,
    number: str,
    status: ProcedureStatus,
    outcome: str,
    actor: str,
) -> None:
    """End the review with ``status`` (closed, redirected), its own duties done, audited once."""
    procedure_store.complete_duties(session, procedure_id, actor, only=_ends_with_appeal)
    proc = session.get_one(Procedure, procedure_id)
    if proc.status is status:
        return
    procedure_store.set_status(session, procedure_id, status, actor)
    audit.append(
        session,
        actor=actor,
        action="appeal.closed",
        entity_kind="appeal",
        entity_id=number,
        payload={"status": status.value, "outcome": outcome},
    )


def open_redirect_duty(
    session: Session, procedure_id: int, number: str, received_on: dt.date, on: dt.date
) -> None:
    """Forwarding to the competent body, for the person managing the office, within the term
    ``appeal.redirect`` from receipt (APPC art. 65(1))."""
    manager = read_roster(session).signatory_on(on).staff
    procedure_store.open_duty(
        session,
        procedure_id=procedure_id,
        step=Step.REDIRECT,
        title=f"Forward appeal {number} to the competent body",
        assignee_id=manager.id if manager else None,
        due_date=default_terms().due(REDIRECT_TERM, received_on, WorkingCalendar()),
        term_id=REDIRECT_TERM,
    )


def open_classify_duty(
    session: Session, procedure_id: int, number: str, assignee: str, received_on: dt.date
) -> None:
    """No ground is presumed (24(1) is a closed list): the assistant classifies the appeal in
    the time the office has to forward it (``appeal.redirect``, APPC art. 65(1))."""
    procedure_store.open_duty(
        session,
        procedure_id=procedure_id,
        step=Step.CLASSIFY,
        title=f"Classify appeal {number}: CL-155 art. 24(1) or forward",
        assignee_id=assignee,
        due_date=default_terms().due(REDIRECT_TERM, received_on, WorkingCalendar()),
        term_id=REDIRECT_TERM,
        actor=REVIEWER,
    )


def record_ground(session: Session, procedure_id: int, number: str, ground: int, by: str) -> None:
    """The ground of CL-155 art. 24(1) the appeal is considered on (0: none, forwarded); the
    classification duty, if any, is done."""
    if details_of(session, procedure_id).get("ground") == ground:
        return
    merge_details(session, procedure_id, ground=ground, ground_by=by)
    classify = procedure_store.duty_of(session, procedure_id, Step.CLASSIFY)
    if classify is not None:
        procedure_store.complete_duty(session, classify.id, by)
    audit.append(
        session,
        actor=by,
        action="appeal.ground",
        entity_kind="appeal",
        entity_id=number,
        payload={"ground": ground, "rule": "CL-155 art. 24(1)"},
    )


def route_cpc_complaint(
    session: Session,
    procedure_id: int,
    number: str,
    competence: Competence,
    received_on: dt.date,
    on: dt.date,
) -> tuple[str, InboxResult | None]:
    """A complaint the CPC governs leaves the appeal review (CL-155 art. 24(9)): a duty under
    its CPC term for the prosecutor of the area, the appeal registered as a CPC complaint and
    closed, pointing at it. Returns the assignee and the complaint stored (None when a replay
    finds this done). An anonymous one cannot be registered (nobody to tell of a decision,
    CPC art. 105(4)): its duty stays open for the prosecutor to read it as information."""
    assert competence.cpc_term is not None
    duty = procedure_store.duty_of(session, procedure_id, Step.CPC_COMPLAINT)
    if duty is not None:
        return duty.assignee_id or "", None
    area = competence.area or "criminal"
    staff, why = choose_assignee(read_roster(session), on, area, {})
    proc = merge_details(session, procedure_id, route="cpc_complaint", term=competence.cpc_term)
    proc.assignee_id, proc.area = staff.id, area
    duty = procedure_store.open_duty(
        session,
        procedure_id=procedure_id,
        step=Step.CPC_COMPLAINT,
        title=f"CPC complaint {number} (CPC art. 105)",
        assignee_id=staff.id,
        due_date=default_terms().due(competence.cpc_term, received_on, WorkingCalendar()),
        term_id=competence.cpc_term,
        actor=REVIEWER,
    )
    complaint = _as_cpc_complaint(session, number)
    if complaint.registration_number:
        merge_details(session, procedure_id, cpc_complaint=complaint.registration_number)
        procedure_store.complete_duty(session, duty.id, REVIEWER)
        procedure_store.set_status(session, procedure_id, ProcedureStatus.CLOSED, REVIEWER)
    audit.append(
        session,
        actor=REVIEWER,
        action="appeal.cpc_complaint",
        entity_kind="appeal",
        entity_id=number,
        payload={
            "assignee": staff.id,
            "why": why,
            "term": competence.cpc_term,
            "cpc_complaint": complaint.registration_number,
            "not_registered": complaint.reason,
        },
    )
    return staff.id, complaint


def _as_cpc_complaint(session: Session, number: str) -> InboxResult:
    """The appeal stored as a complaint under CPC art. 105 (once: keyed by the appeal's
    number), or why it cannot be (anonymous)."""
    row, _ = by_number(session, number)
    try:
        raw = cpc_complaints.from_appeal(parsed(row), number)
    except ValueError as exc:
        return InboxResult(0, "rejected", None, str(exc))
    return cpc_complaints.take_in(session, raw)


def status_of(session: Session, procedure_id: int) -> ProcedureStatus:
    return session.get_one(Procedure, procedure_id).status
