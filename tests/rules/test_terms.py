"""The table of statutory terms: complete, sourced in the law in force, computing right dates.

Each test names the article it checks. Expected dates are counted independently where the rule
is the point of the test (an explicit list of 2026 public holidays), not with the function under
test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit
from models.timing.terms import SourceStatus, TermNotAllowed, TermsTable, default_terms

D = dt.date

# Row ids other modules code against (issue 13); each must exist.
REQUIRED = {
    "appeal.registration",
    "appeal.redirect",
    "appeal.consideration",
    "appeal.extension_notice",
    "appeal.final_after_inspection",
    "appeal.file_access",
    "appeal.termination_notice",
    "appeal.competence",
    "appeal.anonymous",
    "appeal.repeated",
    "complaint.prosecutor_act",
    "complaint.investigator",
    "complaint.investigator_urgent",
    "protest.consideration",
    "protest.suspension",
    "submission.consideration",
    "submission.hearing_notice",
    "submission.result_report",
    "decree.execution",
    "decree.short_suspension",
    "supervision_act.rejected",
    "court_application.drafting",
    "clarification",
    "inspection.duration",
    "inspection.registration",
    "inspection.extension_consent",
    "inspection.certificate",
    "demand.documents",
    "court.criminal_appeal",
    "court.civil_appeal",
    "court.admin_offence_petition",
    "court.review_margin",
    "admin_offence.consideration",
    "detention.limit",
    "detention.limit_minor",
    "detention.limit_extended",
    "detention.release",
    "detention.release_confirmation",
    "coordination.execution",
    "coordination.reminder",
    "approval.decision",
}
REMOVED = {
    "order.execution",  # there is no предписание among the acts of CL-155 art. 32
    "suspension_demand.execution",
    "response.rejected",
    "complaint.consideration",
}

# Days off of 2026 (Law "On holidays"; LC art. 84(5); moved off weekends), written out here so
# that working days are counted independently of the calendar under test. 30 August is no longer
# a holiday from 2026.
HOLIDAYS_2026 = {
    D(2026, 1, 1),
    D(2026, 1, 2),
    D(2026, 1, 7),
    D(2026, 3, 9),  # 8 March is a Sunday
    D(2026, 3, 23),
    D(2026, 3, 24),
    D(2026, 3, 25),  # Nauryz 21-23 March, two of them on the weekend
    D(2026, 5, 1),
    D(2026, 5, 7),
    D(2026, 5, 11),  # 9 May is a Saturday
    D(2026, 5, 27),  # Kurban Ait (the package's estimate)
    D(2026, 7, 6),
    D(2026, 10, 26),  # 25 October is a Sunday
    D(2026, 12, 16),
}


def nth_working_day_2026(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start``, counted by hand on the 2026 list above."""
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        assert day.year == 2026, "the explicit holiday list covers 2026 only"
        if day.weekday() < 5 and day not in HOLIDAYS_2026:
            counted += 1
    return day


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(overrides=[])


# --- the table as a whole -------------------------------------------------------------------


def test_table_has_every_row_others_rely_on_and_none_removed() -> None:
    """Issue 13: the rows of the law in force exist; the rows of acts that do not exist (the
    предписание, CL-155 art. 32) are gone."""
    ids = {t.id for t in default_terms().terms}
    assert ids >= REQUIRED
    assert not ids & REMOVED


def test_no_row_cites_the_repealed_law_81_vi() -> None:
    """Law No. 81-VI of 2017 was replaced by CL-155: no row or calendar rule may rest on it."""
    table = default_terms()
    for row in (*table.terms, *table.calendar_rules):
        text = " ".join(str(v) for v in row.model_dump().values())
        assert "L-81" not in text and "81-VI" not in text, row.id


def test_every_to_be_confirmed_row_says_what_is_open() -> None:
    """A row is to_be_confirmed only where the texts in force leave something open; its note
    says what."""
    table = default_terms()
    for row in (*table.terms, *table.calendar_rules):
        if row.status is SourceStatus.TO_BE_CONFIRMED:
            assert row.note and len(row.note) > 20, row.id


def test_office_practice_rows_say_the_law_sets_no_figure() -> None:
    for t in default_terms().terms:
        if t.status is SourceStatus.OFFICE_PRACTICE:
            assert "office practice" in t.source, t.id


def test_only_what_the_texts_leave_open_is_to_be_confirmed() -> None:
    """Inspection extension consent rests on PG order No. 32, not available (CL-155 art. 18(4)
    names no consenting authority); the CoAO's сутки are read two ways (art. 739(3)), so the
    office's own filing windows take the earlier end."""
    open_rows = {t.id for t in default_terms().terms if t.status is SourceStatus.TO_BE_CONFIRMED}
    assert open_rows == {
        "inspection.extension_consent",
        "court.admin_offence_petition",
        "admin_offence.protest",
    }
    assert "No. 32" in default_terms().get("inspection.extension_consent").note
    assert "739(3)" in default_terms().get("court.admin_offence_petition").note


# --- appeals: CL-155 art. 24 ------------------------------------------------------------------


def test_appeal_considered_in_15_working_days_cl155_art24_3(cal: WorkingCalendar) -> None:
    """CL-155 art. 24(3): 15 working days from receipt. Received Tuesday 17 March 2026; Nauryz
    (23-25 March) is skipped."""
    table = default_terms()
    row = table.get("appeal.consideration")
    assert (row.term, row.unit) == (15, TermUnit.WORKING_DAYS)
    assert "CL-155 art. 24(3)" in row.source
    start = D(2026, 3, 17)
    assert table.due("appeal.consideration", start, cal) == nth_working_day_2026(start, 15)


def test_appeal_extension_reasonable_term_up_to_two_months_cl155_art24_4(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 24(4)-(5): the head or a deputy, a reasonable term, at most two months;
    17 March + 2 months = Sunday 17 May 2026, moved to Monday 18 May (CC art. 175). The
    applicant is told within 3 working days."""
    table = default_terms()
    ext = table.get("appeal.consideration").extension
    assert ext is not None and ext.notice_term == "appeal.extension_notice"
    assert "deputy" in ext.authority and "reasonable" in ext.authority
    assert table.latest_extended_due("appeal.consideration", D(2026, 3, 17), cal) == D(2026, 5, 18)
    assert table.due("appeal.extension_notice", D(2026, 4, 9), cal) == nth_working_day_2026(
        D(2026, 4, 9), 3
    )
    assert "24(5)" in table.get("appeal.extension_notice").source


def test_final_reply_10_working_days_after_the_inspection_cl155_art24_4(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 24(4) para. 2: final reply within 10 working days after the inspection ends."""
    end = D(2026, 12, 7)
    assert default_terms().due("appeal.final_after_inspection", end, cal) == nth_working_day_2026(
        end, 10
    )


def test_redirect_outside_competence_in_3_working_days_appc_art65_1(cal: WorkingCalendar) -> None:
    """APPC art. 65(1): forwarded within 3 working days; received Friday 27 November 2026."""
    start = D(2026, 11, 27)
    assert default_terms().due("appeal.redirect", start, cal) == nth_working_day_2026(start, 3)


def test_appeal_rules_cite_cl155_art24() -> None:
    """CL-155 art. 24(1) closed list, 24(6) anonymous, 24(8) repeated: rules without a term."""
    table = default_terms()
    for row_id, article in (
        ("appeal.competence", "24(1)"),
        ("appeal.anonymous", "24(6)"),
        ("appeal.repeated", "24(8)"),
    ):
        row = table.get(row_id)
        assert row.is_rule_only and f"CL-155 art. {article}" in row.source, row_id
        assert row.status is SourceStatus.CONFIRMED


def test_complaint_on_a_prosecutor_act_20_working_days_cl155_art25_1(
    cal: WorkingCalendar,
) -> None:
    start = D(2026, 11, 2)
    assert default_terms().due("complaint.prosecutor_act", start, cal) == nth_working_day_2026(
        start, 20
    )
    assert "CL-155 art. 25(1)" in default_terms().get("complaint.prosecutor_act").source


def test_complaint_on_an_investigator_7_sutki_cpc_art105_2(cal: WorkingCalendar) -> None:
    """CPC art. 105(2): 7 сутки from receipt; сутки include non-working time (CPC art. 48(3)).
    Received Monday 2 November 2026: due Monday 9 November; in exceptional cases up to 15
    сутки, Tuesday 17 November."""
    table = default_terms()
    assert table.due("complaint.investigator", D(2026, 11, 2), cal) == D(2026, 11, 9)
    assert table.latest_extended_due("complaint.investigator", D(2026, 11, 2), cal) == D(
        2026, 11, 17
    )
    assert "CPC art. 105(2)" in table.get("complaint.investigator").source


def test_urgent_complaint_3_sutki_last_day_moves_cpc_arts105_2_48_4(cal: WorkingCalendar) -> None:
    """CPC art. 105(2): complaints about detention, search, seizure and the other listed cases in
    3 сутки. From Wednesday 2 December 2026 the 3rd сутки is Saturday 5 December; the term ends
    on the next working day, Monday 7 December (CPC art. 48(4))."""
    assert default_terms().due("complaint.investigator_urgent", D(2026, 12, 2), cal) == D(
        2026, 12, 7
    )
    assert default_terms().due("complaint.investigator_urgent", D(2026, 11, 2), cal) == D(
        2026, 11, 5
    )


# --- acts of the prosecutor's office ------------------------------------------------------------


def test_protest_10_calendar_days_ending_on_a_holiday_moves_cl155_art33_3(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 33(3): 10 calendar days; from 6 December 2026 that is Wednesday 16 December,
    Independence Day, so the term ends on Thursday 17 December (CC art. 175)."""
    assert default_terms().due("protest.consideration", D(2026, 12, 6), cal) == D(2026, 12, 17)


def test_protest_term_at_least_3_working_days_cl155_art33_3(cal: WorkingCalendar) -> None:
    """CL-155 art. 33(3): the prosecutor may set another term, not less than 3 working days:
    3 accepted, 2 refused, a longer one accepted."""
    table = default_terms()
    start = D(2026, 11, 27)  # a Friday
    three = table.due("protest.consideration", start, cal, set_term=(3, TermUnit.WORKING_DAYS))
    assert three == nth_working_day_2026(start, 3)
    with pytest.raises(TermNotAllowed, match=r"CL-155 art\. 33\(3\)"):
        table.due("protest.consideration", start, cal, set_term=(2, TermUnit.WORKING_DAYS))
    longer = table.due("protest.consideration", start, cal, set_term=(20, TermUnit.CALENDAR_DAYS))
    assert longer == D(2026, 12, 17)


def test_protest_set_in_calendar_days_is_measured_against_3_working_days_cl155_art33_3(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 33(3): 3 calendar days from Friday 27 November 2026 end on Monday 30
    November, before the 3rd working day (Wednesday 2 December): refused."""
    with pytest.raises(TermNotAllowed):
        default_terms().due(
            "protest.consideration", D(2026, 11, 27), cal, set_term=(3, TermUnit.CALENDAR_DAYS)
        )


def test_protested_act_may_be_suspended_by_the_district_prosecutor_cl155_art33_5() -> None:
    row = default_terms().get("protest.suspension")
    assert row.is_rule_only and "CL-155 art. 33(5)" in row.source
    assert "district prosecutor" in row.description


def test_submission_30_calendar_days_cl155_art36_2(cal: WorkingCalendar) -> None:
    """CL-155 art. 36(2): 30 days from Friday 27 November 2026 = Sunday 27 December, moved to
    Monday 28 December; a term set by the prosecutor (irreversible harm) has no legal floor."""
    table = default_terms()
    assert table.due("submission.consideration", D(2026, 11, 27), cal) == D(2026, 12, 28)
    short = table.due(
        "submission.consideration", D(2026, 11, 27), cal, set_term=(1, TermUnit.WORKING_DAYS)
    )
    assert short == D(2026, 11, 30)
    assert table.get("submission.consideration").prosecutor_may_set.condition


def test_submission_hearing_notice_and_result_3_working_days_cl155_art36_2() -> None:
    table = default_terms()
    for row_id in ("submission.hearing_notice", "submission.result_report"):
        row = table.get(row_id)
        assert (row.term, row.unit) == (3, TermUnit.WORKING_DAYS)
        assert row.source == "CL-155 art. 36(2)"


def test_short_suspension_at_most_3_working_days_cl155_art37_1_9(cal: WorkingCalendar) -> None:
    start = D(2026, 12, 15)
    assert default_terms().due("decree.short_suspension", start, cal) == nth_working_day_2026(
        start, 3
    )
    assert "CL-155 art. 37(1)(9)" in default_terms().get("decree.short_suspension").source


def test_decree_binding_in_the_term_it_sets_cl155_art37_2(cal: WorkingCalendar) -> None:
    """CL-155 art. 37(2): the постановление sets its term; the default figure is office
    practice."""
    table = default_terms()
    row = table.get("decree.execution")
    assert row.status is SourceStatus.OFFICE_PRACTICE and "37(2)" in row.source
    due = table.due("decree.execution", D(2026, 11, 2), cal, set_term=(1, TermUnit.CALENDAR_DAYS))
    assert due == D(2026, 11, 3)


def test_rejected_act_of_supervision_goes_to_court_cl155_art39_2() -> None:
    row = default_terms().get("supervision_act.rejected")
    assert row.is_rule_only and row.source == "CL-155 art. 39(2)"
    assert "mandatory" in row.description


def test_a_term_fixed_by_law_cannot_be_set_by_the_prosecutor_cl155_art24_3(
    cal: WorkingCalendar,
) -> None:
    """Only rows with prosecutor_may_set accept a set term; the refusal names the row's source."""
    with pytest.raises(TermNotAllowed, match=r"CL-155 art\. 24\(3\)"):
        default_terms().due(
            "appeal.consideration", D(2026, 11, 2), cal, set_term=(30, TermUnit.WORKING_DAYS)
        )
    assert issubclass(TermNotAllowed, ValueError)


# --- inspections and demands: CL-155 arts. 18, 19, 26 ------------------------------------------


def test_inspection_started_2_november_2026_ends_on_30th_working_day_cl155_art18_4(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 18(4): at most 30 working days. Counted by hand from Monday 2 November 2026:
    Monday 14 December 2026."""
    expected = nth_working_day_2026(D(2026, 11, 2), 30)
    assert expected == D(2026, 12, 14)
    assert default_terms().due("inspection.duration", D(2026, 11, 2), cal) == expected


def test_inspection_extended_by_at_most_30_working_days_cl155_art18_4(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 18(4): in exceptional cases extended by at most 30 working days."""
    table = default_terms()
    start = D(2026, 8, 3)
    ext = table.get("inspection.duration").extension
    assert ext is not None and (ext.max_extra, ext.unit) == (30, TermUnit.WORKING_DAYS)
    assert table.latest_extended_due("inspection.duration", start, cal) == nth_working_day_2026(
        start, 60
    )


def test_inspection_registration_and_certificate_are_rules_cl155_arts18_19() -> None:
    table = default_terms()
    assert "CL-155 arts. 18(4), 19(1)(1)" in table.get("inspection.registration").source
    assert "CL-155 art. 19(2)(3)" in table.get("inspection.certificate").source


def test_demand_for_documents_at_least_3_working_days_cl155_art26_3(cal: WorkingCalendar) -> None:
    """CL-155 art. 26(3): the term the prosecutor sets is not less than 3 working days."""
    table = default_terms()
    start = D(2026, 12, 15)
    with pytest.raises(TermNotAllowed, match=r"CL-155 art\. 26\(3\)"):
        table.due("demand.documents", start, cal, set_term=(2, TermUnit.WORKING_DAYS))
    three = table.due("demand.documents", start, cal, set_term=(3, TermUnit.WORKING_DAYS))
    assert three == nth_working_day_2026(start, 3) == D(2026, 12, 21)  # 16th a holiday
    default = table.due("demand.documents", start, cal)
    assert default >= three and table.get("demand.documents").status is (
        SourceStatus.OFFICE_PRACTICE
    )


# --- court acts, administrative offences, detention ------------------------------------------


def test_criminal_appeal_15_sutki_from_pronouncement_cpc_art418_1(cal: WorkingCalendar) -> None:
    """CPC art. 418(1): 15 сутки from pronouncement; pronounced Monday 2 November 2026, the
    window ends Tuesday 17 November (CPC art. 48)."""
    assert default_terms().due("court.criminal_appeal", D(2026, 11, 2), cal) == D(2026, 11, 17)
    assert "pronouncement" in default_terms().get("court.criminal_appeal").start_event


def test_civil_appeal_one_month_from_final_form_civpc_art403_3(cal: WorkingCalendar) -> None:
    """CivPC art. 403(3): one month from the decision in final form; 16 November 2026 + 1 month
    = Wednesday 16 December, Independence Day, so Thursday 17 December."""
    assert default_terms().due("court.civil_appeal", D(2026, 11, 16), cal) == D(2026, 12, 17)


def test_admin_offence_petition_10_sutki_by_the_earlier_end_coao_arts832_739(
    cal: WorkingCalendar,
) -> None:
    """CoAO art. 832(1): 10 сутки from delivery. Read literally, art. 739(3) leaves non-working
    time out of сутки; the office files by the earlier end, 10 calendar days (2 November 2026 →
    Thursday 12 November), which is before the 10th working day."""
    start = D(2026, 11, 2)
    due = default_terms().due("court.admin_offence_petition", start, cal)
    assert due == D(2026, 11, 12) < nth_working_day_2026(start, 10)


def test_admin_offence_case_considered_in_15_sutki_coao_art817_1(cal: WorkingCalendar) -> None:
    row = default_terms().get("admin_offence.consideration")
    assert (row.term, row.unit) == (15, TermUnit.WORKING_DAYS)  # сутки, CoAO art. 739(3)
    assert "817(1)" in row.source
    start = D(2026, 11, 2)
    assert default_terms().due("admin_offence.consideration", start, cal) == (
        nth_working_day_2026(start, 15)
    )


def test_detention_limits_in_hours_cpc_art14_2() -> None:
    """CPC art. 14(2), 131(4): 48 hours, a minor 24, 72 where the code allows."""
    table = default_terms()
    limits = {
        row_id: (table.get(row_id).term, table.get(row_id).unit)
        for row_id in ("detention.limit", "detention.limit_minor", "detention.limit_extended")
    }
    assert limits == {
        "detention.limit": (48, TermUnit.HOURS),
        "detention.limit_minor": (24, TermUnit.HOURS),
        "detention.limit_extended": (72, TermUnit.HOURS),
    }
    assert all("CPC arts. 14(2)" in table.get(i).source for i in limits)


# --- calendar rules ------------------------------------------------------------------------------


def test_calendar_rules_cite_the_codes_in_force() -> None:
    """CC arts. 173, 174(3), 175; CPC art. 48; LC art. 85(3) (authorised body on labour)."""
    table = default_terms()
    assert "CC art. 173" in table.rule("start_not_counted").source
    assert "174(3)" in table.rule("month_end").source
    assert "CC art. 175" in table.rule("last_day_non_working").source
    assert "CPC art. 48" in table.rule("hours_not_moved").source
    transfers = table.rule("transferred_days_off")
    assert "LC art. 85(3)" in transfers.source
    assert "authorised body on labour" in transfers.rule and "Government" not in transfers.rule


# --- validation ---------------------------------------------------------------------------


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


def test_to_be_confirmed_without_a_note_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs a note"):
        TermsTable.model_validate({"calendar_rules": [], "terms": [_row(status="to_be_confirmed")]})
    with pytest.raises(ValidationError, match="needs a note"):
        TermsTable.model_validate(
            {
                "calendar_rules": [
                    {"id": "r", "rule": "x", "source": "y", "status": "to_be_confirmed"}
                ],
                "terms": [],
            }
        )
    ok = _row(status="to_be_confirmed", note="the order is not available")
    assert TermsTable.model_validate({"calendar_rules": [], "terms": [ok]}).terms[0].note


def test_a_set_term_minimum_needs_a_unit() -> None:
    with pytest.raises(ValidationError, match="minimum needs both"):
        TermsTable.model_validate(
            {
                "calendar_rules": [],
                "terms": [_row(prosecutor_may_set={"minimum": 3, "source": "CL-155 art. 33(3)"})],
            }
        )
