"""The coordination meeting of the district's law-enforcement and other state bodies
(Regulation cl. 6.3, 7.4): agenda prepared by the responsible assistant and approved by the
head (or the acting deputy), the meeting's resolution signed, its items given to the bodies;
each body's report arrives as an event, and overdue items are escalated with a letter to the
body's head (``escalate-to-body``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger

from models.approvals import Decision
from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import DateCase, date_text
from models.timing.deadlines import TermUnit, due_date
from tasks.coordination import (
    AgendaInput,
    Meeting,
    ResolutionInput,
    agenda_due,
    body_names,
    check_author,
    check_bodies,
    overdue_item,
    publish_execution_report,
    record_resolution,
    register_meeting,
    resolution_items,
    staff_name,
)
from tasks.documents import dispatch_document
from tasks.procedure_page import publish_procedure
from tasks.signing import signed_document
from tasks.waiting import wait_for


def _agenda(meeting: Meeting, language: str) -> list[str]:
    logger = get_run_logger()
    attempt = 0
    while True:
        attempt += 1
        agenda = wait_for(
            AgendaInput,
            f"## Agenda of {meeting.registration_number}\n\n"
            f"Responsible: `{meeting.responsible}`. List the questions.",
            f"agenda-{attempt}",
            page=(meeting.procedure_id, f"agenda by {meeting.responsible}"),
        )
        refusal = check_author(meeting, agenda.assistant, "agenda")
        if refusal:
            logger.warning(refusal)
            continue
        _doc, outcome = signed_document(
            meeting.procedure_id,
            kind="agenda",
            language=language,
            title="Повестка / Күн тәртібі",
            step=f"agenda-{attempt}",
            due_date=agenda_due(meeting.meeting_date),
            drafted_by=agenda.assistant,
            fields={
                "addressee_name": "",
                "addressee_address": None,
                "meeting_date": date_text(meeting.meeting_date, language),
                "items": agenda.items,
                "prepared_by": staff_name(agenda.assistant, language),  # a name, never an id
            },
        )
        if outcome.decision == Decision.APPROVE:
            return agenda.items
        logger.info("Agenda %s by %s: prepared again", outcome.decision, outcome.signer_id)


def _resolution(meeting: Meeting, language: str) -> tuple[ResolutionInput, int]:
    logger = get_run_logger()
    attempt = 0
    while True:
        attempt += 1
        given = wait_for(
            ResolutionInput,
            f"## Resolution of {meeting.registration_number}\n\n"
            "Items, each with the ids of the bodies that execute it and a due date.",
            f"resolution-{attempt}",
            page=(meeting.procedure_id, f"resolution by {meeting.responsible}"),
        )
        problem = check_author(meeting, given.recorded_by, "resolution")
        unknown = check_bodies(given)
        if problem or unknown:
            logger.warning(problem or f"unknown bodies: {', '.join(unknown)}")
            continue
        items = resolution_items(meeting, given)
        names = body_names(sorted({b for i in items for b in i.bodies}), language)
        rendered = [
            {
                "text": i.text,
                "bodies": [names[b] for b in i.bodies],
                "due": date_text(i.due_date, language),
            }
            for i in items
        ]
        document_id, outcome = signed_document(
            meeting.procedure_id,
            kind="resolution",
            language=language,
            title="Постановление совещания / Кеңес қаулысы",
            step=f"resolution-{attempt}",
            due_date=due_date(today(), 2, TermUnit.WORKING_DAYS, WorkingCalendar()),
            drafted_by=given.recorded_by,
            fields={
                "addressee_name": "",
                "addressee_address": None,
                "meeting_date": date_text(meeting.meeting_date, language),
                "items": rendered,
            },
        )
        if outcome.decision == Decision.APPROVE:
            dispatch_document(document_id, actor=outcome.signer_id, channel="bodies")
            return given, len(record_resolution(meeting, items, outcome.signer_id))
        logger.info("Resolution %s by %s: recorded again", outcome.decision, outcome.signer_id)


@flow(name="coordinate-law-enforcement", flow_run_name="coordination-{meeting_date}")
def coordinate_law_enforcement(
    meeting_date: dt.date | None = None, responsible: str | None = None, language: str = "ru"
) -> dict[str, Any]:
    """Agenda → approved → meeting → resolution signed → items to the bodies → execution control."""
    day = meeting_date or due_date(today(), 10, TermUnit.WORKING_DAYS, WorkingCalendar())
    meeting = register_meeting(day, responsible)
    items = _agenda(meeting, language)
    _resolution_given, duties = _resolution(meeting, language)
    report = publish_execution_report(meeting.procedure_id)
    publish_procedure(meeting.procedure_id, f"{duties} items to the bodies")
    return {
        "registration_number": meeting.registration_number,
        "agenda_items": len(items),
        "duties": duties,
        "execution": report,
    }


@flow(name="escalate-to-body", flow_run_name="body-letter-{duty_ref}")
def escalate_to_body(duty_ref: str, language: str = "ru") -> dict[str, Any]:
    """A body missed the due date of a resolution item: a letter to its head, signed and sent."""
    item = overdue_item(int(str(duty_ref).removeprefix("prosecutor.duty.")))
    document_id, outcome = signed_document(
        item.procedure_id,
        kind="body_letter",
        language=language,
        title="Письмо руководителю органа / Орган басшысына хат",
        step=f"body-letter-{item.duty_id}",
        due_date=due_date(today(), 1, TermUnit.WORKING_DAYS, WorkingCalendar()),
        fields={
            "addressee_name": item.body_head,
            "addressee_address": None,
            "body_name": item.body_name_kk if language == "kk" else item.body_name_ru,
            "item": item.item,
            "due": date_text(item.due_date, language),
            # kk "… 2026 жылғы 20 қарашадағы шешімімен" (attributive), ru "от 20.11.2026".
            "meeting_date": date_text(
                dt.datetime.strptime(item.meeting_date, "%d.%m.%Y").date(),
                language,
                DateCase.ATTRIBUTIVE,
            ),
        },
    )
    if outcome.decision == Decision.APPROVE:
        dispatch_document(document_id, actor=outcome.signer_id, channel="body")
    publish_execution_report(item.procedure_id)
    return {"duty_id": item.duty_id, "decision": outcome.decision, "document_id": document_id}
