"""Rules of an inspection of compliance with the law (CL-155 arts. 18, 19, 26(3)): grounds,
term, suspension, extension, demands for documents, the acts decided on after it."""

from __future__ import annotations

import datetime as dt

import pytest

from models.office.roster import Position
from models.procedures.inspections import (
    CONSENT_SETTING,
    GROUND_SOURCE,
    GROUND_TEXT,
    RESPONSE_TEXT,
    Authorisation,
    AuthorisationForm,
    Authority,
    DecidedResponse,
    Ground,
    InspectionRecord,
    InspectionRefused,
    Suspension,
    check_decision,
    check_grounds,
    demand_due,
    extended_due,
    extension_days,
    extension_needs_consent,
    inspection_due,
    named_person,
    remaining_working_days,
    resumed_due,
)
from models.settings import get_settings
from models.timing.calendar import WorkingCalendar
from models.timing.terms import SourceStatus, default_terms

D = dt.date
AGREED_BY_PG = Authorisation(
    by=Authority.PROSECUTOR_GENERAL, form=AuthorisationForm.AGREEMENT, reference="№ 2-15/7"
)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_inspection_started_2_nov_2026_ends_on_the_30th_working_day_cl155_art18_4(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 18(4): at most thirty working days; the start day is not counted."""
    start = D(2026, 11, 2)
    due = inspection_due(start, cal)
    assert due == D(2026, 12, 14)
    assert cal.working_days_between(start, due) == 30 and cal.is_working_day(due)


def test_extension_adds_at_most_30_working_days_in_all_cl155_art18_4(cal: WorkingCalendar) -> None:
    """CL-155 art. 18(4): in exceptional cases extended by not more than thirty working days."""
    assert extension_days(None, 0) == 30
    assert extension_days(10, 0) == 10
    assert extension_days(None, 10) == 20
    for requested, already in ((31, 0), (21, 10), (None, 30), (0, 0)):
        with pytest.raises(InspectionRefused, match="18\\(4\\)"):
            extension_days(requested, already)
    due = D(2026, 12, 14)
    assert cal.working_days_between(due, extended_due(due, 30, cal)) == 30


def test_suspension_stops_the_clock_which_continues_from_resumption_cl155_art18_4(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 18(4) ¶3-4: suspended (an expert examination), the count continues from the
    day of resumption with the working days left; the resumption day itself is not counted
    (Civil Code art. 173)."""
    start = D(2026, 11, 2)
    due = inspection_due(start, cal)
    suspended, resumed = D(2026, 11, 13), D(2026, 12, 1)
    left = remaining_working_days(suspended, due, cal)
    assert cal.working_days_between(start, suspended) + left == 30
    new_due = resumed_due(resumed, left, cal)
    assert cal.working_days_between(resumed, new_due) == left
    assert new_due == D(2026, 12, 31)  # 16 December (Independence Day) is not counted


def test_private_business_only_on_instruction_or_agreement_of_president_or_pg_cl155_art18_2() -> (
    None
):
    """CL-155 art. 18(2), last paragraph: a subject of private business is inspected only on the
    instruction of, or by agreement with, the President or the Prosecutor General."""
    with pytest.raises(InspectionRefused, match="private business"):
        check_grounds(Ground.UNLIMITED_CIRCLE, True, None)
    check_grounds(Ground.UNLIMITED_CIRCLE, True, AGREED_BY_PG)
    check_grounds(Ground.UNLIMITED_CIRCLE, False, None)  # a state body needs no agreement
    instructed = Authorisation(
        by=Authority.PRESIDENT, form=AuthorisationForm.INSTRUCTION, reference="№ 1"
    )
    check_grounds(Ground.PRESIDENT_INSTRUCTION, True, instructed)
    with pytest.raises(InspectionRefused, match="18\\(1\\)"):  # an instruction is 18(1)'s ground
        check_grounds(Ground.MINORS, True, instructed)


def test_instruction_ground_names_the_instruction_of_that_authority_cl155_art18_1() -> None:
    """CL-155 art. 18(1)(1)-(2): an inspection on an instruction of the President or of the
    Prosecutor General rests on that instruction."""
    by_pg = Authorisation(
        by=Authority.PROSECUTOR_GENERAL, form=AuthorisationForm.INSTRUCTION, reference="№ 3"
    )
    check_grounds(Ground.PROSECUTOR_GENERAL_INSTRUCTION, False, by_pg)
    for wrong in (None, AGREED_BY_PG):
        with pytest.raises(InspectionRefused, match="instruction"):
            check_grounds(Ground.PROSECUTOR_GENERAL_INSTRUCTION, False, wrong)
    with pytest.raises(InspectionRefused):
        check_grounds(Ground.PRESIDENT_INSTRUCTION, False, by_pg)


def test_the_grounds_are_the_seven_of_cl155_art18_1_and_2_each_worded() -> None:
    """CL-155 art. 18(1)(1)-(2) and 18(2)(1)-(5)."""
    assert sorted(GROUND_SOURCE.values()) == sorted(
        [f"CL-155 art. 18(1)({i})" for i in (1, 2)]
        + [f"CL-155 art. 18(2)({i})" for i in range(1, 6)]
    )
    assert all(GROUND_TEXT[g]["ru"] and GROUND_TEXT[g]["kk"] for g in Ground)


def test_demand_term_set_by_the_prosecutor_is_at_least_3_working_days_cl155_art26_3(
    cal: WorkingCalendar,
) -> None:
    """CL-155 art. 26(3): documents are given in the term the prosecutor sets, not less than
    three working days; without a set term, the office's default applies."""
    received = D(2026, 11, 5)  # Thursday
    assert demand_due(received, cal, 3) == D(2026, 11, 10)
    with pytest.raises(ValueError, match="26"):
        demand_due(received, cal, 2)
    default = demand_due(received, cal)
    assert cal.working_days_between(received, default) >= 3


def test_extension_consent_is_a_setting_on_by_default_to_be_confirmed_pgo_32(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether the Prosecutor General consents to an extension rests on PG order No. 32, not
    available: a setting, on by default, its row marked to be confirmed."""

    def setting(value: str | None) -> bool:
        if value is None:
            monkeypatch.delenv(CONSENT_SETTING, raising=False)
        else:
            monkeypatch.setenv(CONSENT_SETTING, value)
        get_settings.cache_clear()
        return extension_needs_consent()

    try:
        assert setting(None) is True
        assert setting("false") is False
        with pytest.raises(ValueError, match="inspection_extension_needs_consent"):
            setting("maybe")
    finally:
        monkeypatch.delenv(CONSENT_SETTING, raising=False)
        get_settings.cache_clear()
    assert default_terms().get("inspection.extension_consent").status is (
        SourceStatus.TO_BE_CONFIRMED
    )


def test_acts_decided_after_an_inspection_are_those_of_cl155_art32_no_order() -> None:
    """CL-155 arts. 32-41: протест, представление, постановление (37(1)(1), (5), (7), (9)),
    разъяснение, заявление в суд; there is no предписание and no "suspension demand"."""
    values = {r.value for r in DecidedResponse}
    assert "order" not in values and "suspension_demand" not in values
    assert values == {
        "protest",
        "submission",
        "decree_suspend_act",
        "decree_cancel_restrictions",
        "decree_short_suspension",
        "admin_offence",
        "clarification",
        "court_application",
        "none",
    }
    assert all(RESPONSE_TEXT[r]["ru"] and RESPONSE_TEXT[r]["kk"] for r in DecidedResponse)
    assert "предписание" not in " ".join(t["ru"] for t in RESPONSE_TEXT.values())


def test_inspectors_are_named_by_name_and_position_cl155_art19_1_1() -> None:
    """CL-155 art. 19(1)(1): the subject may refuse entry to persons not named in the order."""
    line = named_person("Қасымов Ерлан Маратұлы", Position.ASSISTANT, "ru")
    assert line == "помощник прокурора района Қасымов Ерлан Маратұлы"
    assert "көмекші" in named_person("Қасымов Е. М.", Position.ASSISTANT, "kk")


def test_a_protest_names_the_act_decision_or_action_it_contests_cl155_art33_1() -> None:
    """CL-155 art. 33(1) (and the постановления of 37(1)(5), (7), (9)): brought against an act,
    decision or action, which the report must name; a представление need not."""
    with pytest.raises(InspectionRefused, match="33\\(1\\)"):
        check_decision(DecidedResponse.PROTEST, " ")
    check_decision(DecidedResponse.PROTEST, "решение акима № 5")
    check_decision(DecidedResponse.SUBMISSION, None)


def test_the_inspection_record_reads_a_row_stored_before_it_and_round_trips() -> None:
    """The inspection's state is one typed record in its procedure: a row written by the
    earlier steps (ISO dates, lists, string keys of the extensions) reads the same, and what is
    saved reads back unchanged."""
    stored = {
        "subject": "ТОО «Алматы Су»",
        "ground": "unlimited_circle",
        "facts": "обращения граждан",
        "private_business": True,
        "authorisation": {"by": "prosecutor_general", "form": "agreement", "reference": "№ 2-15"},
        "scope": "тарифы",
        "inspectors": ["as-1", "sa-1"],
        "specialists": ["аудитор Каримов А."],
        "secret": False,
        "started": "2026-11-02",
        "registration": "КПСиСУ рег. № 02-1234",
        "suspended_on": "2026-11-13",
        "suspension": "expert_examination",
        "remaining_working_days": 21,
        "extensions": {"1": "согласие ГП № 5"},
        "extended_days": 30,
    }
    record = InspectionRecord.model_validate(stored)
    assert record.ground is Ground.UNLIMITED_CIRCLE and record.inspectors == ("as-1", "sa-1")
    assert (record.started, record.suspended_on) == (D(2026, 11, 2), D(2026, 11, 13))
    assert record.suspension is Suspension.EXPERT_EXAMINATION
    assert record.authorisation == AGREED_BY_PG.model_copy(update={"reference": "№ 2-15"})
    assert (record.extensions, record.extended_days) == ({"1": "согласие ГП № 5"}, 30)
    saved = record.model_dump(mode="json")
    assert saved["started"] == "2026-11-02" and saved["subject"] == "ТОО «Алматы Су»"
    assert InspectionRecord.model_validate(saved) == record
