"""Intake of finished cases sent to the prosecutor (CPC arts. 190, 193, 301-303): each record
stored and numbered, its study given to an assistant of the criminal area, and the supervised
case (уголовное дело под надзором), when registered, told of it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import choose_assignee, inbox_store
from models.db.tables import Body, InboxSource, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.procedures.case_decisions import CaseSubmission, rule_for
from models.records import audit
from models.timing.calendar import ALMATY, WorkingCalendar
from models.vocabulary import Step

KIND = ProcedureKind.CASE_DECISION
AREA = "criminal"


def criminal_case_of(session: Session, erdr_number: str) -> Procedure | None:
    """The supervised case with this ЕРДР number, if registered: filtered by kind in SQL, by
    the JSON detail in Python (portable across databases)."""
    for proc in session.scalars(
        select(Procedure)
        .where(Procedure.kind == ProcedureKind.CRIMINAL_CASE)
        .order_by(Procedure.id)
    ):
        if (proc.details or {}).get("erdr_number") == erdr_number:
            return proc
    return None


def register_submission(session: Session, record: CaseSubmission) -> Procedure:
    """Open the prosecutor's decision on a finished case: its term counted from the receipt
    (``models.procedures.case_decisions.study_due``), the study given to an assistant of the
    criminal area (the procedural prosecutor), and the supervised case, when registered, told
    of it."""
    body = session.get(Body, record.body_id)
    if body is None or not body.active:
        raise ValueError(f"unknown investigating body {record.body_id!r}")
    due = record.due(WorkingCalendar())  # TermNotAllowed (a ValueError): stored as rejected
    received_day = record.received_at.astimezone(ALMATY).date()
    who = choose_assignee(read_roster(session), received_day, AREA, {})[0]
    rule = rule_for(record.form)
    proc = procedure_store.register_procedure(
        session,
        office_code=office_code(session),
        kind=KIND,
        title=f"Finished case, ЕРДР {record.erdr_number}: {record.form.value}",
        year=received_day.year,
        due_date=due,
        assignee_id=who.id,
        area=AREA,
        actor="intake",
    )
    linked = criminal_case_of(session, record.erdr_number)
    proc.details = {
        "erdr_number": record.erdr_number,
        "form": record.form.value,
        "body_id": record.body_id,
        "investigator": record.investigator,
        "received_at": record.received_at.isoformat(),
        "person": record.accused,  # masked wherever shown (models.procedures.parties)
        "cc_article": record.cc_article,
        "detained": record.detained,
        "complex_case": record.complex_case,
        "term_id": rule.term_id,
        "criminal_case": linked.registration_number if linked else None,
    }
    procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step=Step.STUDY,
        title=f"Study the case, ЕРДР {record.erdr_number}, and decide ({rule.source})",
        assignee_id=who.id,
        due_date=due,
        term_id=rule.term_id,
        actor="intake",
    )
    if linked is not None:
        _record_on_case(session, linked, proc, record)
    return proc


def _record_on_case(
    session: Session, case: Procedure, submitted: Procedure, record: CaseSubmission
) -> None:
    details = dict(case.details or {})
    details["submissions"] = [
        *details.get("submissions", []),
        {
            "registration_number": submitted.registration_number,
            "form": record.form.value,
            "received_at": record.received_at.isoformat(),
        },
    ]
    case.details = details
    audit.append(
        session,
        actor="intake",
        action="criminal_case.submitted",
        entity_kind="procedure",
        entity_id=case.registration_number,
        payload={"case_decision": submitted.registration_number, "form": record.form.value},
    )


def submit_text(session: Session, raw: str) -> inbox_store.InboxResult:
    """One record as JSON text, stored and numbered (or rejected with why)."""
    return inbox_store.intake(
        session,
        InboxSource.CASE_SUBMITTED,
        raw,
        CaseSubmission,
        register_submission,
        received_at=lambda r: r.received_at,
    )
