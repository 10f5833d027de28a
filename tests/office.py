"""Test helpers: the demo office in a database, procedures, duties and approvals in it."""

from __future__ import annotations

import datetime as dt

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from deployments.cli.roster import DEMO_ROSTER
from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.approvals import store as approval_store
from models.office import roster_store
from models.office.roster import AbsenceKind
from models.office.schemas import AbsenceIn, ActingOrderIn, RosterFile
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.records import document_store
from tests.eds_ca import session_ca

OFFICE = "ALM-BST"


def load_demo_office(engine: Engine) -> None:
    data = RosterFile.model_validate(yaml.safe_load(DEMO_ROSTER.read_text(encoding="utf-8")))
    with sessionmaker(engine).begin() as session:
        roster_store.load_roster_file(session, data)


def absent(engine: Engine, staff_id: str, start: dt.date, end: dt.date) -> None:
    with sessionmaker(engine).begin() as session:
        roster_store.add_absence(
            session,
            AbsenceIn(staff_id=staff_id, kind=AbsenceKind.LEAVE, start=start, end=end),
            "test",
        )


def acting(engine: Engine, acting_id: str, for_id: str, start: dt.date, end: dt.date) -> None:
    with sessionmaker(engine).begin() as session:
        roster_store.add_acting_order(
            session,
            ActingOrderIn(
                acting_id=acting_id, for_id=for_id, start=start, end=end, reference="No. 7"
            ),
            "test",
        )


def procedure_with_duty(
    session: Session, *, assignee: str | None, due: dt.date, step: str = "consider"
) -> tuple[int, int]:
    proc = procedure_store.register_procedure(
        session,
        office_code=OFFICE,
        kind=ProcedureKind.APPEAL,
        title="Appeal",
        year=due.year,
        due_date=due,
    )
    duty = procedure_store.open_duty(
        session,
        procedure_id=proc.id,
        step=step,
        title=f"Consider {proc.registration_number}",
        assignee_id=assignee,
        due_date=due,
    )
    return proc.id, duty.id


def pending_approval(
    session: Session, *, due: dt.date, day: dt.date, drafter: str = "as-1", body: str = "Reply text"
) -> approval_store.ApprovalView:
    proc = procedure_store.register_procedure(
        session,
        office_code=OFFICE,
        kind=ProcedureKind.APPEAL,
        title="Appeal",
        year=day.year,
        due_date=due,
    )
    doc = document_store.create_document(
        session,
        procedure_id=proc.id,
        kind="reply",
        language="ru",
        title="Ответ заявителю",
        body=body,
        drafted_by=drafter,
    )
    return approval_store.open_approval(
        session,
        procedure_id=proc.id,
        step="sign-reply",
        document_id=doc.id,
        due_date=due,
        day=day,
        drafter_id=drafter,
    )


def on_duty(engine: Engine, staff_id: str, start: dt.datetime, end: dt.datetime) -> None:
    """Put ``staff_id`` on duty; refused when they are absent on a day of the shift."""
    with sessionmaker(engine).begin() as session:
        roster_store.add_duty_shift(session, staff_id, start, end, "test")


def eds_of(session: Session, approval_id: int, staff_id: str, decision: str = "approve") -> bytes:
    """``staff_id``'s EDS (the test CA's key of that name) over the exact bytes the decision
    covers: the document's text to approve, the decision statement to reject or return."""
    content = approval_decisions.signed_content(session, approval_id, Decision(decision))
    return session_ca().sign(staff_id, content)


def key_args(key: str) -> list[str]:
    """``--key`` and ``--password-file`` of a test CA key (a staff id or a bad one)."""
    ca = session_ca()
    return ["--key", str(ca.key(key)), "--password-file", str(ca.password_file)]
