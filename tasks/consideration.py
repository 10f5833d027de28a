"""The consideration of an appeal as the assistant reports it, and what the report asks for:
information requests, summons, the applicant's access to the materials."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.input import RunInput
from pydantic import BaseModel, Field
from sqlalchemy import select

from models import audit, procedure_store
from models.appeals import may_report
from models.calendar import WorkingCalendar, today
from models.db import transaction
from models.roster_store import read_roster
from models.tables import AuditEntry, Duty
from models.terms import default_terms
from tasks.appeals import AppealCase


class InformationRequest(BaseModel):
    body: str = Field(min_length=2, max_length=300, description="the body asked")
    question: str = Field(min_length=3, max_length=2000)


class Summons(BaseModel):
    person: str = Field(min_length=2, max_length=300)
    on: dt.date
    purpose: str = Field("explanations", max_length=500)


class ConsiderationReport(RunInput):
    """Результат рассмотрения / Қарау нәтижесі: leave *outcome* empty for an interim report."""

    assistant: str = Field(description="your staff id")
    outcome: Literal["upheld", "partly_upheld", "not_upheld", "explained"] | None = None
    findings: str = Field(
        "", max_length=20000, description="what was established: goes into the reply"
    )
    measures: str | None = Field(None, max_length=5000, description="acts of response taken")
    extension_reason: str | None = Field(
        None, max_length=1000, description="why the term must be extended (APPC art. 76)"
    )
    information_requests: list[InformationRequest] = Field(default_factory=list)
    summons: list[Summons] = Field(default_factory=list)
    file_access_requested: bool = Field(
        False, description="the applicant asked to see the materials"
    )

    @property
    def final(self) -> bool:
        return self.outcome is not None and bool(self.findings.strip())


@task(name="check-reporter", cache_policy=NO_CACHE)
def check_reporter(case: AppealCase, report: ConsiderationReport, attempt: int) -> str | None:
    """None when the reporter may report on this appeal today, else why not (audited)."""
    on = today()
    with transaction() as session:
        duty = session.scalar(
            select(Duty).where(Duty.procedure_id == case.procedure_id, Duty.step == "consider")
        )
        assignee = duty.assignee_id if duty else None
        if may_report(read_roster(session), on, assignee, report.assistant):
            return None
        reason = f"{report.assistant} is not assigned to appeal {case.registration_number}"
        entity = f"{case.registration_number}#report-{attempt}"  # once per attempt, on replay too
        already = session.scalar(
            select(AuditEntry.seq).where(
                AuditEntry.action == "appeal.report_refused", AuditEntry.entity_id == entity
            )
        )
        if already is None:
            audit.append(
                session,
                actor=report.assistant,
                action="appeal.report_refused",
                entity_kind="appeal",
                entity_id=entity,
                payload={"reason": reason},
            )
        return reason


@task(name="open-requests", cache_policy=NO_CACHE)
def open_requests(case: AppealCase, report: ConsiderationReport, attempt: int) -> list[int]:
    """Duties for the information requests, summons and file access the report asks for."""
    cal = WorkingCalendar()
    on = today()
    terms = default_terms()
    ids = []
    with transaction() as session:
        for i, r in enumerate(report.information_requests, start=1):
            ids.append(
                procedure_store.open_duty(
                    session,
                    procedure_id=case.procedure_id,
                    step=f"request-{attempt}-{i}",
                    title=f"Answer of {r.body}: {r.question}"[:300],
                    assignee_id=report.assistant,
                    due_date=terms.due("demand.documents", on, cal),
                    term_id="demand.documents",
                    actor=report.assistant,
                ).id
            )
        for i, s in enumerate(report.summons, start=1):
            ids.append(
                procedure_store.open_duty(
                    session,
                    procedure_id=case.procedure_id,
                    step=f"summons-{attempt}-{i}",
                    title=f"Explanations of {s.person} ({s.purpose})"[:300],
                    assignee_id=report.assistant,
                    due_date=s.on,
                    actor=report.assistant,
                ).id
            )
        if report.file_access_requested:
            ids.append(
                procedure_store.open_duty(
                    session,
                    procedure_id=case.procedure_id,
                    step=f"file-access-{attempt}",
                    title="Let the applicant see the materials (Regulation cl. 8, obligation 2)",
                    assignee_id=report.assistant,
                    due_date=terms.due("appeal.file_access", on, cal),
                    term_id="appeal.file_access",
                    actor=report.assistant,
                ).id
            )
    return ids
