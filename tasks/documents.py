"""Document steps: find the procedure, draft once, store the PDF and record the dispatch once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from models.db import transaction
from models.db.tables import Procedure
from models.records import document_store, pdf_store
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms


@dataclass(frozen=True, slots=True)
class ProcedureRef:
    id: int
    registration_number: str
    due_date: dt.date | None


@task(name="find-procedure", cache_policy=NO_CACHE)
def find_procedure(registration_number: str) -> ProcedureRef:
    with transaction() as session:
        proc = session.scalar(
            select(Procedure).where(Procedure.registration_number == registration_number)
        )
        if proc is None:
            raise LookupError(f"no procedure {registration_number}")
        return ProcedureRef(proc.id, proc.registration_number, proc.due_date)


@task(name="draft-document", cache_policy=NO_CACHE)
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


@task(name="dispatch-document", cache_policy=NO_CACHE)
def dispatch_document(document_id: int, actor: str, channel: str) -> dt.datetime:
    with transaction() as session:
        # the printed form is stored before the dispatch is recorded, in the same transaction:
        # what was sent is kept; an unissued document is refused by dispatch_document below
        if pdf_store.is_issued(session, document_id):
            pdf_store.store_pdf(session, document_id)
        doc = document_store.dispatch_document(session, document_id, actor, channel)
        assert doc.dispatched_at is not None
        return doc.dispatched_at


def approval_due(procedure_due: dt.date | None) -> dt.date:
    """The office's term for a signature, never past the procedure's own statutory term."""
    due = default_terms().due("approval.decision", today(), WorkingCalendar())
    return min(due, procedure_due) if procedure_due else due
