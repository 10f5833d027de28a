"""Waiting inside a run for an answer from outside (an addressee, the legal-statistics body,
the Prosecutor General's office). The answer arrives as an event; ``record-answer`` stores it on
the duty and wakes the run waiting at ``answer-<duty id>``. An answer stored before the run
started waiting is taken from the database, so no answer is ever missed."""

from __future__ import annotations

import datetime as dt
import json

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.input import RunInput
from pydantic import Field

from models.acts import Answer
from models.db import transaction
from models.tables import Duty, DutyStatus
from tasks.waiting import wait_for


class AnswerInput(RunInput):
    """Ответ / Жауап: what came back, or a supervisor's word that nothing did."""

    text: str = Field("", max_length=10000)
    outcome: Answer | None = Field(
        None, description="accepted, partly, rejected, not_considered, or silence"
    )
    hearing_date: dt.date | None = Field(
        None, description="the day the act is considered, when the addressee announces it"
    )
    hearing_place: str | None = Field(None, max_length=300, description="where it is considered")
    notified_on: dt.date | None = Field(None, description="the day the notice of the hearing came")
    decided_by: str | None = Field(None, description="staff id, when a supervisor answers here")


def encode(answer: AnswerInput) -> str:
    return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)


def decode(stored: str) -> AnswerInput:
    try:
        return AnswerInput.model_validate_json(stored)
    except ValueError:  # a plain text answer
        return AnswerInput(text=stored)


@task(name="stored-answer", cache_policy=NO_CACHE)
def stored_answer(duty_id: int) -> AnswerInput | None:
    with transaction() as session:
        duty = session.get_one(Duty, duty_id)
        if duty.status is DutyStatus.DONE and duty.answer is not None:
            return decode(duty.answer)
    return None


def await_answer(
    duty_id: int, description: str, page: tuple[int, str] | None = None
) -> AnswerInput:
    return stored_answer(duty_id) or wait_for(
        AnswerInput, description, f"answer-{duty_id}", page=page
    )
