"""Document steps: find the procedure, draft once, store the PDF and record the dispatch once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.db import transaction
from models.procedures.store import procedure_by_number
from models.records import document_store, pdf_store
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms
from tasks.step import step

# Term rows this module counts (the office checks them at start-up).
DECISION_TERM = "approval.decision"  # the signatory decides
PROMPT_DECISION_TERM = "approval.prompt_decision"  # a document that cannot wait
TERMS = (DECISION_TERM, PROMPT_DECISION_TERM)


@dataclass(frozen=True, slots=True)
class ProcedureRef:
    id: int
    registration_number: str
    due_date: dt.date | None


@step
def find_procedure(registration_number: str) -> ProcedureRef:
    with transaction() as session:
        proc = procedure_by_number(session, registration_number)
        return ProcedureRef(proc.id, proc.registration_number, proc.due_date)


@step
def draft_document(
    procedure_id: int, kind: str, language: str, title: str, body: str, drafted_by: str | None
) -> int:
    with transaction() as session:
        return document_store.draft_document(
            session,
            procedure_id=procedure_id,
            kind=kind,
            language=language,
            title=title,
            body=body,
            drafted_by=drafted_by,
        ).id


@step
def dispatch_document(document_id: int, actor: str, channel: str) -> dt.datetime:
    with transaction() as session:
        # the printed form is stored before the dispatch is recorded, in the same transaction:
        # what was sent is kept; an unissued document is refused by dispatch_document below
        if pdf_store.is_issued(session, document_id):
            pdf_store.store_pdf(session, document_id)
        doc = document_store.dispatch_document(session, document_id, actor, channel)
        assert doc.dispatched_at is not None
        return doc.dispatched_at


def approval_due(limit: dt.date | None, term: str = DECISION_TERM) -> dt.date:
    """The office's term for a signature (``term``: PROMPT_DECISION_TERM for a document that
    cannot wait, e.g. a petition in its appeal window, a letter about an overdue item), never
    past ``limit``, the procedure's own statutory term."""
    due = default_terms().due(term, today(), WorkingCalendar())
    return min(due, limit) if limit else due
