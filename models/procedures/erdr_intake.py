"""Intake of ЕРДР cases, shared by ``prosecutor erdr`` and the ``receive-erdr`` flow: each record
stored and numbered in its own transaction (a bad one spoils nothing), then the registered ones
announced by their registration numbers only (event ``prosecutor.case.registered``), and records
whose announcement failed announced later by reconciling. The announcing is given by the caller
(``tasks/erdr.py``, the CLI): the domain does not talk to Prefect."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from models.appeals import inbox_store
from models.appeals.inbox_store import InboxResult
from models.db import transaction
from models.db.tables import InboxSource, Procedure
from models.office.roster_store import office_code
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.procedures.criminal_cases import AREA, TERM_OF_FORM, investigation_due
from models.procedures.erdr import ErdrAdapter, ErdrCase
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.terms import default_terms
from models.vocabulary import EVENT_PREFIX

KIND = ProcedureKind.CRIMINAL_CASE.value  # label of the event's resource
REF_PREFIX = f"{EVENT_PREFIX}{KIND}."

# Announces registration numbers (True when they reached Prefect); given by the caller.
Announce = Callable[[list[str]], bool]


def case_number(ref: str) -> str:
    """The registration number from a trigger's resource id or the number itself."""
    return ref.strip().removeprefix(REF_PREFIX)


def title_of(erdr_number: str) -> str:
    """The procedure's title: the ЕРДР number, no personal data."""
    return f"Дело ЕРДР № {erdr_number}"


def register_case(session: Session, case: ErdrCase) -> Procedure:
    """Open the criminal case under supervision; a case of another office is refused (stored as
    rejected with the reason by the inbox)."""
    office = office_code(session)
    if case.office_code != office:
        raise ValueError(
            f"the case is supervised by office {case.office_code!r}, not by this office ({office})"
        )
    terms = default_terms()
    due = investigation_due(
        case.form, case.registered_at, WorkingCalendar(), terms, case.suspect_questioned_at
    )
    proc = procedure_store.register_procedure(
        session,
        office_code=office,
        kind=ProcedureKind.CRIMINAL_CASE,
        title=title_of(case.erdr_number),
        year=case.registered_at.astimezone(ALMATY).year,
        due_date=due,
        area=AREA,
        actor="erdr",
    )
    proc.details = {
        "erdr_number": case.erdr_number,
        "registered_at": case.registered_at.isoformat(),
        "cc_article": case.cc_article,
        "form": case.form.value,
        "body": case.body,
        "investigator": case.investigator,
        "suspect_questioned_at": (
            case.suspect_questioned_at.isoformat() if case.suspect_questioned_at else None
        ),
        "term_id": TERM_OF_FORM[case.form],
        "term_due": due.isoformat(),
        "extensions": [],
    }
    return proc


def store_one(session: Session, raw: str) -> InboxResult:
    return inbox_store.intake(
        session,
        InboxSource.ERDR,
        raw,
        ErdrCase,
        register_case,
        received_at=lambda case: case.registered_at,
    )


@dataclass
class IntakeSummary:
    registered: int = 0
    duplicates: int = 0
    rejected: int = 0
    announced: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _row(source: str, result: InboxResult) -> dict[str, Any]:
    return {
        "source": source,
        "record_id": result.record_id,
        "status": result.status,
        "registration_number": result.registration_number,
        "reason": result.reason,
        "external_id": result.external_id,
    }


def store_all(records: Iterable[tuple[str, str]]) -> IntakeSummary:
    """Store each (where, raw JSON) record in its own transaction."""
    summary = IntakeSummary()
    for where, raw in records:
        with transaction() as session:
            result = store_one(session, raw)
        summary.records.append(_row(where, result))
        if result.status == "registered":
            summary.registered += 1
        elif result.status == "duplicate":
            summary.duplicates += 1
        else:
            summary.rejected += 1
    return summary


def poll(adapter: ErdrAdapter) -> IntakeSummary:
    """Store every record the adapter gives (the file is moved away once read)."""
    return store_all((f"erdr:{n}", raw) for n, raw in enumerate(adapter.fetch(), start=1))


def announce_new(summary: IntakeSummary, announce: Announce) -> bool:
    """Announce the cases this intake registered; marked announced only when they were."""
    new = [r for r in summary.records if r["status"] == "registered"]
    if not new or not announce([r["registration_number"] for r in new]):
        return False
    with transaction() as session:
        inbox_store.mark_announced(session, [r["record_id"] for r in new])
    summary.announced = len(new)
    return True


def reconcile(announce: Announce) -> list[str]:
    """Announce every registered case not yet announced; the numbers announced (none when
    Prefect could not be reached: they stay for the next time)."""
    with transaction() as session:
        pending = inbox_store.unannounced(session, InboxSource.ERDR)
    if not pending or not announce([number for _, number in pending]):
        return []
    with transaction() as session:
        inbox_store.mark_announced(session, [record_id for record_id, _ in pending])
    return [number for _, number in pending]


def terms_of(proc: Procedure) -> dict[str, Any]:
    """The case's terms as the supervisor reads them."""
    d = proc.details or {}
    terms = default_terms()
    row = terms.get(d.get("term_id", "pretrial.investigation"))
    return {
        "registration_number": proc.registration_number,
        "erdr_number": d.get("erdr_number"),
        "form": d.get("form"),
        "cc_article": d.get("cc_article"),
        "registered_at": d.get("registered_at"),
        "term": f"{row.term} {row.unit.value if row.unit else ''}".strip(),
        "term_source": row.source,
        "due": proc.due_date.isoformat() if proc.due_date else None,
        "extensions": d.get("extensions", []),
        "status": proc.status.value,
        "assignee": proc.assignee_id,
    }
