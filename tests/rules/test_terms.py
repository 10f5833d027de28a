"""The table of statutory terms: complete, sourced, and computing the right due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.calendar import WorkingCalendar
from models.terms import SourceStatus, TermsTable, default_terms

D = dt.date
REQUIRED = {
    "appeal.consideration",
    "appeal.redirect",
    "appeal.extension_notice",
    "protest.consideration",
    "submission.consideration",
    "inspection.duration",
    "demand.documents",
}


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(overrides=[])


def test_table_covers_the_required_procedures_each_with_a_source() -> None:
    table = default_terms()
    assert {t.id for t in table.terms} >= REQUIRED
    for t in table.terms:
        assert t.source and t.status in SourceStatus, t.id


def test_figures_from_the_repealed_law_are_marked_to_be_confirmed() -> None:
    """Rows taken from Law No. 81-VI (replaced by Constitutional Law No. 155-VII) must say so."""
    for t in default_terms().terms:
        if "L-81" in t.source:
            assert t.status is SourceStatus.TO_BE_CONFIRMED, t.id


def test_appeal_considered_in_15_working_days(cal: WorkingCalendar) -> None:
    """APPC art. 76: 15 working days from receipt. Received Tuesday 17 March 2026; Nauryz
    (21-25 March) is skipped, so the term ends on Friday 10 April 2026."""
    table = default_terms()
    assert table.get("appeal.consideration").term == 15
    assert table.due("appeal.consideration", D(2026, 3, 17), cal) == D(2026, 4, 10)


def test_appeal_extension_at_most_two_months(cal: WorkingCalendar) -> None:
    """APPC art. 76: the head or a deputy may extend to at most two months from receipt;
    17 March + 2 months = Sunday 17 May 2026, moved to Monday 18 May (CC art. 175)."""
    table = default_terms()
    ext = table.get("appeal.consideration").extension
    assert ext is not None and ext.notice_term == "appeal.extension_notice"
    assert "head or deputy" in ext.authority
    assert table.latest_extended_due("appeal.consideration", D(2026, 3, 17), cal) == D(2026, 5, 18)
    assert table.due("appeal.extension_notice", D(2026, 4, 9), cal) == D(2026, 4, 14)


def test_redirect_outside_competence_in_3_working_days(cal: WorkingCalendar) -> None:
    """APPC art. 65(1): forwarded within 3 working days; received Friday 27 November 2026, due
    Wednesday 2 December."""
    assert default_terms().due("appeal.redirect", D(2026, 11, 27), cal) == D(2026, 12, 2)


def test_protest_term_ending_on_a_holiday_moves(cal: WorkingCalendar) -> None:
    """L-81 art. 24 (to be confirmed): 10 calendar days; from 6 December 2026 that is Wednesday
    16 December, Independence Day, so the term ends on Thursday 17 December (CC art. 175)."""
    assert default_terms().due("protest.consideration", D(2026, 12, 6), cal) == D(2026, 12, 17)


def test_submission_30_calendar_days(cal: WorkingCalendar) -> None:
    """L-81 art. 27 (to be confirmed): 30 days from Friday 27 November 2026 = Sunday 27
    December, moved to Monday 28 December."""
    assert default_terms().due("submission.consideration", D(2026, 11, 27), cal) == D(2026, 12, 28)


def test_inspection_30_days_extendable_by_30(cal: WorkingCalendar) -> None:
    """L-81 arts. 7(3), 9 and PGO-32: at most 30 days, plus at most 30 with the Prosecutor
    General's consent."""
    table = default_terms()
    start = D(2026, 2, 2)
    assert table.due("inspection.duration", start, cal) == D(2026, 3, 4)
    assert table.latest_extended_due("inspection.duration", start, cal) == D(2026, 4, 3)
    assert "Prosecutor General" in table.get("inspection.duration").extension.authority


def test_rules_without_a_term_cannot_be_computed(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="rule without a term"):
        default_terms().due("appeal.anonymous", D(2026, 1, 5), cal)
    with pytest.raises(KeyError):
        default_terms().get("no.such_term")


def _row(**over: object) -> dict[str, object]:
    row = {
        "id": "x.y",
        "procedure": "x",
        "description": "d",
        "term": 1,
        "unit": "working_days",
        "start_event": "e",
        "source": "APPC art. 1",
        "status": "confirmed",
    }
    row.update(over)
    return row


def test_a_broken_table_is_refused() -> None:
    with pytest.raises(ValidationError, match="duplicate term ids"):
        TermsTable.model_validate({"calendar_rules": [], "terms": [_row(), _row()]})
    with pytest.raises(ValidationError, match="both a figure and a unit"):
        TermsTable.model_validate({"calendar_rules": [], "terms": [_row(unit=None)]})
    with pytest.raises(ValidationError, match="notice term"):
        TermsTable.model_validate(
            {
                "calendar_rules": [],
                "terms": [_row(extension={"authority": "a", "notice_term": "z.z"})],
            }
        )
    with pytest.raises(ValidationError):
        TermsTable.model_validate({"calendar_rules": [], "terms": [_row(source="")]})
