"""The coordination meeting of the district's law-enforcement and other state bodies
(Regulation cl. 6.3, 7.4): agenda prepared by the responsible assistant and approved by the
head (or the acting deputy), the meeting's resolution signed, its items given to the bodies;
each body's report arrives as an event, and overdue items are escalated with a letter to the
body's head (``escalate-to-body``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import flow, get_run_logger

from models.approvals import Decision
from models.procedures.coordination import Item, default_meeting_date
from models.timing.calendar import WorkingCalendar, today
from models.timing.dates_kk import DateCase, date_text
from models.vocabulary import LetterStep, duty_of_resource, keyed
from tasks.coordination import (
    AgendaInput,
    Meeting,
    ResolutionInput,
    agenda_signature_due,
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
from tasks.documents import PROMPT_DECISION_TERM, approval_due, dispatch_document
from tasks.procedure_page import publish_procedure
from tasks.signing import signed_document
from tasks.waiting import ask


@dataclass(frozen=True, slots=True)
class CoordinationHeld:
    """A meeting held: its agenda, the items given to the bodies, their execution so far."""

    registration_number: str
    agenda_items: int
    duties: int
    execution: list[dict[str, object]]


@dataclass(frozen=True, slots=True)
class BodyLetter:
    """The letter to the head of a body that missed an item's due date."""

    duty_id: int
    document_id: int
    decision: str
    sent: bool


def _resolution_refused(meeting: Meeting, given: ResolutionInput) -> str | None:
    """Only the responsible assistant (or whoever replaces them) records it, for known bodies."""
    problem = check_author(meeting, given.recorded_by, "resolution")
    unknown = check_bodies(given)
    return problem or (f"unknown bodies: {', '.join(unknown)}" if unknown else None)


def _agenda(meeting: Meeting, language: str) -> list[str]:
    """The agenda prepared by the responsible assistant until the head approves it."""
    attempt = 0
    while True:
        asked = ask(
            AgendaInput,
            f"## Agenda of {meeting.registration_number}\n\n"
            f"Responsible: `{meeting.responsible}`. List the questions.",
            "agenda",
            after=attempt,
            refuse=lambda given, _n: check_author(meeting, given.assistant, "agenda"),
            page=(meeting.procedure_id, f"agenda by {meeting.responsible}"),
        )
        agenda, attempt = asked.answer, asked.attempt
        _doc, outcome = signed_document(
            meeting.procedure_id,
            kind="agenda",
            language=language,
            title="Повестка / Күн тәртібі",
            step=keyed(LetterStep.AGENDA, attempt),
            due_date=agenda_signature_due(meeting.meeting_date),
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
        get_run_logger().info(
            "Agenda %s by %s: prepared again", outcome.decision, outcome.signer_id
        )


def _sign_resolution(
    meeting: Meeting, given: ResolutionInput, items: list[Item], attempt: int, language: str
) -> int | None:
    """The resolution signed and sent to the bodies, its items given to them: how many duties
    (None: not approved, recorded again)."""
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
        step=keyed(LetterStep.RESOLUTION, attempt),
        due_date=approval_due(None),
        drafted_by=given.recorded_by,
        fields={
            "addressee_name": "",
            "addressee_address": None,
            "meeting_date": date_text(meeting.meeting_date, language),
            "items": rendered,
        },
    )
    if outcome.decision != Decision.APPROVE:
        get_run_logger().info(
            "Resolution %s by %s: recorded again", outcome.decision, outcome.signer_id
        )
        return None
    dispatch_document(document_id, actor=outcome.signer_id, channel="bodies")
    return len(record_resolution(meeting, items, outcome.signer_id))


def _resolution(meeting: Meeting, language: str) -> int:
    """The meeting's resolution recorded until it is signed; the number of the bodies' duties."""
    attempt = 0
    while True:
        asked = ask(
            ResolutionInput,
            f"## Resolution of {meeting.registration_number}\n\n"
            "Items, each with the ids of the bodies that execute it and a due date.",
            "resolution",
            after=attempt,
            refuse=lambda given, _n: _resolution_refused(meeting, given),
            page=(meeting.procedure_id, f"resolution by {meeting.responsible}"),
        )
        attempt = asked.attempt
        items = resolution_items(meeting, asked.answer)
        duties = _sign_resolution(meeting, asked.answer, items, attempt, language)
        if duties is not None:
            return duties


@flow(name="coordinate-law-enforcement", flow_run_name="coordination-{meeting_date}")
def coordinate_law_enforcement(
    meeting_date: dt.date | None = None, responsible: str | None = None, language: str = "ru"
) -> CoordinationHeld:
    """Agenda → approved → meeting → resolution signed → items to the bodies → execution control."""
    day = meeting_date or default_meeting_date(today(), WorkingCalendar())
    meeting = register_meeting(day, responsible)
    items = _agenda(meeting, language)
    duties = _resolution(meeting, language)
    report = publish_execution_report(meeting.procedure_id)
    publish_procedure(meeting.procedure_id, f"{duties} items to the bodies")
    return CoordinationHeld(meeting.registration_number, len(items), duties, report)


@flow(name="escalate-to-body", flow_run_name="body-letter-{duty_ref}")
def escalate_to_body(duty_ref: str, language: str = "ru") -> BodyLetter:
    """A body missed the due date of a resolution item: a letter to its head, signed and sent."""
    item = overdue_item(duty_of_resource(str(duty_ref)))
    document_id, outcome = signed_document(
        item.procedure_id,
        kind="body_letter",
        language=language,
        title="Письмо руководителю органа / Орган басшысына хат",
        step=keyed(LetterStep.BODY_LETTER, item.duty_id),
        due_date=approval_due(None, PROMPT_DECISION_TERM),
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
    sent = outcome.decision == Decision.APPROVE
    if sent:
        dispatch_document(document_id, actor=outcome.signer_id, channel="body")
    publish_execution_report(item.procedure_id)
    return BodyLetter(item.duty_id, document_id, outcome.decision, sent)
