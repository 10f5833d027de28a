"""``prosecutor answer``: an answer from outside (another body's answer to a request, a body's
report on a coordination item, a facility's confirmation of a release) stored on its duty, then
announced to the run waiting for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from deployments.cli.errors import BadInput
from deployments.cli.parsing import parse_date
from deployments.cli.support import JsonFlag, emit, fails_cleanly, office_session
from models.db.tables import Duty, DutyStatus
from models.procedures.acts import Answer
from models.timing.calendar import today
from models.vocabulary import (
    COORDINATION_REPORTED,
    INFORMATION_ANSWERED,
    RELEASE_CONFIRMED,
    Step,
)
from tasks.events import emit_answer, last_announcement

if TYPE_CHECKING:
    from tasks.answers import AnswerInput

MAX_TEXT = 10000  # characters of an answer typed in
MAX_PLACE = 300  # characters of the place of a hearing
OUTCOMES = [a.value for a in Answer if a is not Answer.SILENCE]


@fails_cleanly
def answer(
    duty_id: Annotated[int, typer.Argument(help="The duty answered (see the timeline).")],
    text: Annotated[str, typer.Option("--text", help="The answer received.")],
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="accepted, partly, rejected or not_considered (acts of the office).",
        ),
    ] = None,
    hearing_date: Annotated[
        str | None,
        typer.Option("--hearing-date", help="When the addressee considers the act, YYYY-MM-DD."),
    ] = None,
    hearing_place: Annotated[
        str | None, typer.Option("--hearing-place", help="Where the addressee considers it.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Store, then announce, an answer from outside to a duty: another body's answer to a
    request, a body's report on a coordination item, or a facility's confirmation of a release.
    The announcement carries the duty and the SHA-256 of the stored answer, never its text."""
    from tasks.answers import receive_answer

    event = _event_of(duty_id)
    given = _answer_input(text, outcome, hearing_date, hearing_place)
    try:
        sha256 = receive_answer(duty_id, given)  # stored first: nothing is lost
    except (LookupError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    if not emit_answer(event, duty_id, sha256):
        raise BadInput(
            f"the answer is stored on duty {duty_id} but was not announced"
            f" ({last_announcement().reason}): give it again to announce it"
        )
    emit(
        {"duty_id": duty_id, "event": event, "answer_sha256": sha256},
        as_json,
        lambda d: f"{d['event']} for duty {d['duty_id']}",
    )


def _event_of(duty_id: int) -> str:
    """The event that announces an answer to this duty: a body's report, a facility's
    confirmation of a release, or an answer to a request. Refused for a duty not open."""
    with office_session() as session:
        duty = session.get(Duty, duty_id)
        if duty is None:
            raise BadInput(f"no duty {duty_id}")
        if duty.status is not DutyStatus.OPEN:
            raise BadInput(f"duty {duty_id} is already {duty.status.value}")
        if duty.body_id:
            return COORDINATION_REPORTED
        if duty.step == Step.CONFIRM_RELEASE:
            return RELEASE_CONFIRMED
        return INFORMATION_ANSWERED


def _answer_input(
    text: str, outcome: str | None, hearing_date: str | None, hearing_place: str | None
) -> AnswerInput:
    """The answer as the waiting run's form takes it; bad options are one line."""
    from tasks.answers import AnswerInput  # Prefect is imported only when an answer is given

    if outcome and outcome not in OUTCOMES:
        raise BadInput(f"--outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    if len(text) > MAX_TEXT:
        raise BadInput(f"--text: at most {MAX_TEXT} characters")
    return AnswerInput(
        text=text,
        outcome=Answer(outcome) if outcome else None,
        hearing_date=parse_date(hearing_date, "--hearing-date") if hearing_date else None,
        hearing_place=(hearing_place or "")[:MAX_PLACE] or None,
        notified_on=today() if hearing_date else None,
    )
