"""Written указания to the investigating body (CPC art. 193(1)(5); CL-155 art. 35): a procedure
of kind INSTRUCTIONS whose document is signed and sent to the body, with one duty of the body
per item, due on the term set (escalated by the daily deadline check like any duty). The body's
report on an item arrives through ``record-answer`` (event ``prosecutor.duty.<id>``).

``give_instructions`` is used by the manual ``give-instructions`` flow and by the decision on a
finished case that returns it: there the signed return decree is the document of the указания.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prefect.context import FlowRunContext

from models.appeals import choose_assignee
from models.approvals import Decision
from models.db import transaction
from models.db.tables import Body, Procedure
from models.office.roster_store import office_code, read_roster
from models.procedures import ProcedureKind, ProcedureStatus, instruction_store
from models.procedures import store as procedure_store
from models.procedures.instructions import EXECUTION_TERM, clean_items, execution_due, items_due
from models.records import audit
from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import DateCase, date_text
from models.vocabulary import Step
from tasks.documents import approval_due, dispatch_document
from tasks.signing import signed_document
from tasks.step import step

AREA = "criminal"
# Procedures that name the supervised case (their details carry "erdr_number" and "body_id").
CASE_KINDS = (ProcedureKind.CASE_DECISION, ProcedureKind.CRIMINAL_CASE)


@dataclass(frozen=True, slots=True)
class SupervisedCase:
    """The case the указания are given on: its ЕРДР number, the body investigating it."""

    erdr_number: str
    body_id: str
    controller: str  # the prosecutor who controls the execution (процессуальный прокурор)
    parent_number: str | None = None


@dataclass(frozen=True, slots=True)
class InstructionsGiven:
    """What became of the указания: the duties of the body (one per item) when signed, none
    when the signatory did not sign (``decision``)."""

    procedure_id: int
    registration_number: str
    erdr_number: str
    body_id: str
    due_date: dt.date
    duty_ids: tuple[int, ...]
    signer: str | None
    decision: Decision

    @property
    def given(self) -> bool:
        return self.decision is Decision.APPROVE


@dataclass(frozen=True, slots=True)
class InstructionsCase:
    procedure_id: int
    registration_number: str
    erdr_number: str
    body_id: str
    due_date: dt.date
    items: tuple[str, ...]
    controller: str
    term_id: str


def _run_key() -> str:
    """Stable across a suspended run's restarts: the run's id (a plain call: a fresh key)."""
    context = FlowRunContext.get()
    if context and context.flow_run:
        return str(context.flow_run.id)
    return dt.datetime.now(dt.UTC).isoformat()


@step
def find_supervised_case(case_number: str, body_id: str | None = None) -> SupervisedCase:
    """``case_number``: a registration number of the office (a finished case, a supervised
    case) or a bare ЕРДР number; ``body_id`` overrides or supplies the investigating body."""
    with transaction() as session:
        proc = instruction_store.case_procedure(session, case_number, CASE_KINDS)
        details = (proc.details or {}) if proc else {}
        erdr = str(details.get("erdr_number") or case_number)
        body = body_id or details.get("body_id")
        if not body or session.get(Body, str(body)) is None:
            raise LookupError(
                f"no investigating body known for case {case_number}: give body_id (a body of "
                "the office's list)"
            )
        controller = proc.assignee_id if proc and proc.assignee_id else None
        if controller is None:
            controller = choose_assignee(read_roster(session), today(), AREA, {})[0].id
        return SupervisedCase(
            erdr, str(body), controller, proc.registration_number if proc else None
        )


@step
def register_instructions(
    case: SupervisedCase, items: list[str], due: dt.date, key: str, term_id: str
) -> InstructionsCase:
    """Once per ``key`` (the run): the procedure with its items and due date."""
    with transaction() as session:
        proc = instruction_store.instructions_of_run(session, _title(case.erdr_number), key)
        if proc is None:
            proc = procedure_store.register_procedure(
                session,
                office_code=office_code(session),
                kind=ProcedureKind.INSTRUCTIONS,
                title=_title(case.erdr_number),
                year=today().year,
                due_date=due,
                assignee_id=case.controller,
                area=AREA,
                actor=case.controller,
            )
            proc.details = {
                "erdr_number": case.erdr_number,
                "body_id": case.body_id,
                "addressee": case.body_id,  # shown as the addressee on the procedure's page
                "case": case.parent_number,
                "items": items,
                "due_date": due.isoformat(),
                "term_id": term_id,
                "key": key,
            }
            procedure_store.set_status(
                session, proc.id, ProcedureStatus.IN_PROGRESS, case.controller
            )
        d = proc.details or {}
        return InstructionsCase(
            proc.id,
            proc.registration_number,
            case.erdr_number,
            case.body_id,
            dt.date.fromisoformat(d["due_date"]),
            tuple(d["items"]),
            case.controller,
            d["term_id"],
        )


def _title(erdr_number: str) -> str:
    return f"Instructions on case ЕРДР {erdr_number}"


@step
def instruction_fields(case: InstructionsCase, language: str) -> dict[str, Any]:
    with transaction() as session:
        body = session.get_one(Body, case.body_id)
    return {
        "addressee_name": body.name_kk if language == "kk" else body.name_ru,
        "addressee_address": None,
        "erdr_number": case.erdr_number,
        "items": list(case.items),
        "due": date_text(case.due_date, language, DateCase.DATIVE),
    }


@step
def open_instruction_duties(case: InstructionsCase, document_id: int, signer: str) -> list[int]:
    """One duty of the body per item, due on the term set; the procedure then waits for the
    body's reports (each closes its duty through ``record-answer``)."""
    with transaction() as session:
        proc = session.get_one(Procedure, case.procedure_id)
        ids = []
        items = items_due(list(case.items), case.due_date)
        for item in items:
            duty = procedure_store.open_duty(
                session,
                procedure_id=proc.id,
                step=item.step,
                title=f"Указание {item.number} of {len(items)}, ЕРДР {case.erdr_number}",
                assignee_id=case.controller,
                due_date=item.due_date,
                term_id=case.term_id,
                actor=signer,
            )
            duty.body_id = case.body_id
            ids.append(duty.id)
        proc.details = {**(proc.details or {}), "document_id": document_id, "signed_by": signer}
        procedure_store.set_status(session, proc.id, ProcedureStatus.AWAITING_ANSWER, signer)
        audit.append(
            session,
            actor=signer,
            action="instructions.given",
            entity_kind="procedure",
            entity_id=proc.registration_number,
            payload={
                "body": case.body_id,
                "items": len(ids),
                "due_date": case.due_date,
                "document_id": document_id,
                "source": "CPC art. 193(1)(5), 193(4)",
            },
        )
        return ids


@step
def close_unsigned(case: InstructionsCase, decision: str, actor: str) -> None:
    with transaction() as session:
        procedure_store.set_status(session, case.procedure_id, ProcedureStatus.CLOSED, actor)
        audit.append(
            session,
            actor=actor,
            action="instructions.not_given",
            entity_kind="procedure",
            entity_id=case.registration_number,
            payload={"decision": decision},
        )


def give_instructions(
    case_number: str,
    items: list[str],
    *,
    body_id: str | None = None,
    due_days: int | None = None,
    due: dt.date | None = None,
    term_id: str = EXECUTION_TERM,
    language: str = "ru",
    drafted_by: str | None = None,
    signed: tuple[int, str] | None = None,
    key: str | None = None,
) -> InstructionsGiven:
    """Give written указания on a case and track each item as a duty of the body.

    ``due``: the day already computed by the caller (a returned case, CPC art. 192(7)); else
    ``due_days`` сутки set by the prosecutor, or the office's control term. ``signed``: (document
    id, signer) of a document already signed and sent that carries the указания (the decree
    returning a case); without it the указания are drafted, signed by the head (or the deputy
    replacing the head) and sent to the body here. Runs in the calling flow: the signature is a
    wait for a person, which only a flow's body may do.
    """
    texts = clean_items(items)
    case = find_supervised_case(case_number, body_id)
    day = due or execution_due(today(), WorkingCalendar(), due_days)
    given = register_instructions(case, texts, day, key or _run_key(), term_id)
    if signed is None:
        document_id, outcome = signed_document(
            given.procedure_id,
            kind="instructions",
            language=language,
            title=f"Указания по делу № {given.erdr_number} / Нұсқаулар"[:300],
            step=Step.INSTRUCTIONS,
            due_date=approval_due(given.due_date),
            drafted_by=drafted_by or given.controller,
            fields=instruction_fields(given, language),
        )
        if not outcome.signed:
            close_unsigned(given, outcome.decision, outcome.signer_id)
            return _result(given, [], None, Decision(outcome.decision))
        dispatch_document(document_id, actor=outcome.signer_id, channel="body")
        signed = (document_id, outcome.signer_id)
    duties = open_instruction_duties(given, *signed)
    return _result(given, duties, signed[1], Decision.APPROVE)


def _result(
    case: InstructionsCase, duties: list[int], signer: str | None, decision: Decision
) -> InstructionsGiven:
    return InstructionsGiven(
        case.procedure_id,
        case.registration_number,
        case.erdr_number,
        case.body_id,
        case.due_date,
        tuple(duties),
        signer,
        decision,
    )
