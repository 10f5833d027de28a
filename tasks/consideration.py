"""The consideration of an appeal as the assistant reports it, and what the report asks for:
the ground of CL-155 art. 24(1), information requests, summons, the applicant's access to the
materials, an extension to a chosen date, an inspection that answers the appeal."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from prefect.input import RunInput
from pydantic import BaseModel, Field

from models.appeals import may_report, report_problem, review_store
from models.db import transaction
from models.office.roster_store import read_roster
from models.procedures import store as procedure_store
from models.timing.calendar import WorkingCalendar, today
from models.timing.terms import default_terms
from models.vocabulary import Step, attempt_key, numbered
from tasks.appeals import AppealCase
from tasks.letters import extension_problem
from tasks.step import step

# Term rows this module counts (the office checks them at start-up).
DEMAND_TERM = "demand.documents"  # a demand for documents
FILE_ACCESS_TERM = "appeal.file_access"  # the applicant reads the file (APPC art. 75(1))
TERMS = (DEMAND_TERM, FILE_ACCESS_TERM)


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
    ground: int | None = Field(
        None,
        ge=0,
        le=7,
        description="CL-155 art. 24(1) item (1-7) the appeal is considered on; 0: none of them,"
        " forward it to the body named in forward_to (APPC art. 65(1))",
    )
    forward_to: str | None = Field(
        None, max_length=300, description="the competent body, named in the appeal's language"
    )
    extension_reason: str | None = Field(
        None,
        max_length=1000,
        description="why the term must be extended (CL-155 art. 24(4)): facts to establish or"
        " information to obtain",
    )
    extension_until: dt.date | None = Field(
        None, description="the new due date asked of the head or a deputy: at most two months"
    )
    inspection_number: str | None = Field(
        None,
        max_length=100,
        description="registration number of the inspection ordered on the appeal: the applicant"
        " gets an interim reply (CL-155 art. 24(4))",
    )
    inspection_ended_on: dt.date | None = Field(
        None, description="the day that inspection ended: the final reply within 10 working days"
    )
    information_requests: list[InformationRequest] = Field(default_factory=list)
    summons: list[Summons] = Field(default_factory=list)
    file_access_requested: bool = Field(
        False, description="the applicant asked to see the materials"
    )

    @property
    def final(self) -> bool:
        return self.outcome is not None and bool(self.findings.strip())


def content_problem(case: AppealCase, report: ConsiderationReport) -> str | None:
    """What the law forbids in the report: no ground, an extension beyond 24(4), a final
    reply before the inspection's end."""
    if report.extension_reason and (refused := extension_problem(case, report.extension_until)):
        return refused
    return report_problem(
        needs_ground=case.ground is None,
        ground=report.ground,
        forward_to=report.forward_to,
        final=report.final,
        inspection_open=bool(case.inspection_number or report.inspection_number)
        and case.inspection_ended_on is None,
        inspection_ended_on=report.inspection_ended_on,
    )


REPORT_FORM = "report"  # the form of the assistant's report: report-1, report-2, ...


@step
def check_reporter(case: AppealCase, report: ConsiderationReport, attempt: int) -> str | None:
    """None when the report is accepted, else why not. The verdict is audited once per attempt
    and a resumed run replaying its reports gets the same verdict, whatever changed since (a
    ground classified, a term extended)."""
    entity = f"{case.registration_number}#{attempt_key(REPORT_FORM, attempt)}"
    with transaction() as session:
        judged, reason = review_store.given_verdict(session, entity)
        if judged:
            return reason
        assignee = review_store.assignee_of(session, case.procedure_id)
        if not may_report(read_roster(session), today(), assignee, report.assistant):
            reason = f"{report.assistant} is not assigned to appeal {case.registration_number}"
        else:
            reason = content_problem(case, report)
        review_store.record_verdict(session, entity, report.assistant, reason)
        return reason


@step
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
                    step=numbered(Step.REQUEST, attempt, i),
                    title=f"Answer of {r.body}: {r.question}"[:300],
                    assignee_id=report.assistant,
                    due_date=terms.due(DEMAND_TERM, on, cal),
                    term_id=DEMAND_TERM,
                    actor=report.assistant,
                ).id
            )
        for i, s in enumerate(report.summons, start=1):
            ids.append(
                procedure_store.open_duty(
                    session,
                    procedure_id=case.procedure_id,
                    step=numbered(Step.SUMMONS, attempt, i),
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
                    step=numbered(Step.FILE_ACCESS, attempt),
                    title="Let the applicant see the materials (APPC art. 75(1))",
                    assignee_id=report.assistant,
                    due_date=terms.due(FILE_ACCESS_TERM, on, cal),
                    term_id=FILE_ACCESS_TERM,
                    actor=report.assistant,
                ).id
            )
    return ids
