"""Waiting inside a run for an answer from outside (an addressee, the legal-statistics body,
the Prosecutor General's office, a facility confirming a release).

An answer is stored on its duty first (``receive_answer``: nothing is lost if Prefect is down),
then announced by an event that carries only the duty and the SHA-256 of the stored answer:
its text may name people, and Prefect keeps event payloads, run parameters and run inputs for
everyone with the UI to read. ``record-answer`` closes the duty and wakes the run waiting at
``answer-<duty id>`` with an empty form; the waiting run reads the answer from the database.
An answer stored before the run started waiting is taken from the database too, so no answer
is ever missed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from prefect.input import RunInput
from pydantic import Field

from models.db import transaction
from models.procedures import answer_store
from models.procedures.acts import Answer
from models.vocabulary import answer_key
from tasks.log_masking import mask_known
from tasks.procedure_page import masked
from tasks.step import step
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


def answer_sha256(stored: str) -> str:
    """What identifies a stored answer outside the office's database."""
    return hashlib.sha256(stored.encode("utf-8")).hexdigest()


def receive_answer(duty_id: int, answer: AnswerInput) -> str:
    """Store an answer from outside on its open duty, before it is announced; a later answer
    to the same open duty replaces it. Returns the SHA-256 the announcement carries.

    Raises LookupError for an unknown duty, ValueError for one no longer open."""
    stored = encode(answer)
    digest = answer_sha256(stored)
    with transaction() as session:
        answer_store.keep_answer(session, duty_id, stored, digest)
    return digest


@step
def stored_answer(duty_id: int) -> AnswerInput | None:
    """The answer recorded on the duty, or None while it waits."""
    with transaction() as session:
        stored = answer_store.recorded_answer(session, duty_id)
    return decode(stored) if stored is not None else None


def await_answer(
    duty_id: int, description: str, page: tuple[int, str] | None = None
) -> AnswerInput:
    """The answer to ``duty_id``: stored already, or waited for. ``record-answer`` resumes the
    wait with an empty form (the text stays out of Prefect), so the answer is read back from
    the database; a supervisor's answer typed into the form is taken as given."""
    given = stored_answer(duty_id)
    if given is not None:
        return given
    shown = masked(page[0], description) if page else mask_known(description)
    waited = wait_for(AnswerInput, shown, answer_key(duty_id), page=page)
    return stored_answer(duty_id) or waited
