"""Acts of prosecutorial response, pure rules with their sources."""

from __future__ import annotations

import datetime as dt

import pytest

from models.calendar import WorkingCalendar
from models.responses import (
    POWERS,
    Act,
    Answer,
    Next,
    consideration_due,
    hearing_result_due,
    next_step,
)
from models.terms import SourceStatus, default_terms

CAL = WorkingCalendar(overrides=[])


def test_protest_term_is_10_days_or_longer_never_shorter() -> None:
    """L-81 art. 24 (to be confirmed against CL-155): 10 calendar days; the prosecutor may set a
    longer term, never a shorter one. From 6 December 2026, 10 days end on Independence Day
    (16 December) and so on 17 December (CC art. 175)."""
    assert consideration_due(Act.PROTEST, dt.date(2026, 12, 6), CAL) == dt.date(2026, 12, 17)
    assert consideration_due(Act.PROTEST, dt.date(2026, 12, 6), CAL, longer_days=20) == dt.date(
        2026, 12, 28
    )
    with pytest.raises(ValueError, match="cannot be shorter"):
        consideration_due(Act.PROTEST, dt.date(2026, 12, 6), CAL, longer_days=5)
    with pytest.raises(ValueError, match="only a protest"):
        consideration_due(Act.SUBMISSION, dt.date(2026, 12, 6), CAL, longer_days=40)


def test_submission_30_days_and_hearing_result_in_3_working_days() -> None:
    """L-81 art. 27 (to be confirmed): 30 calendar days; the result reported within 3 working
    days of the hearing (hearing Friday 18 December 2026: due Wednesday 23 December)."""
    assert consideration_due(Act.SUBMISSION, dt.date(2026, 11, 27), CAL) == dt.date(2026, 12, 28)
    assert hearing_result_due(dt.date(2026, 12, 18), CAL) == dt.date(2026, 12, 23)


def test_a_district_prosecutor_cannot_suspend_a_protested_act() -> None:
    assert not any(p.may_suspend_protested_act for p in POWERS.values())


def test_silence_or_refusal_leads_to_court_acceptance_closes() -> None:
    """L-81 art. 30(2) (to be confirmed): a rejected or unconsidered act goes to court."""
    assert next_step(Act.PROTEST, Answer.ACCEPTED) is Next.CLOSE
    assert next_step(Act.PROTEST, Answer.SILENCE) is Next.APPLY_TO_COURT
    assert next_step(Act.SUBMISSION, Answer.REJECTED) is Next.APPLY_TO_COURT


def test_every_act_has_a_sourced_term() -> None:
    table = default_terms()
    for term_id in (
        "order.execution",
        "suspension_demand.execution",
        "admin_offence.consideration",
    ):
        row = table.get(term_id)
        assert row.source and row.status is SourceStatus.TO_BE_CONFIRMED
