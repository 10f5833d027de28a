"""State prosecution, pure rules: who prosecutes, the hearings, the verdict and the window of
the review it starts, with their sources."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.office.roster import Absence, AbsenceKind, Position, Roster, Staff
from models.procedures.court_acts import CourtAct, WindowKind, window_end
from models.procedures.state_prosecution import (
    EntryRefused,
    Hearing,
    Verdict,
    VerdictKind,
    check_adjournment,
    check_hearing,
    check_verdict,
    choose_state_prosecutor,
    convict_window_end,
    hearing_state,
    held_by,
    review_parameters,
)
from models.timing.calendar import WorkingCalendar

CAL = WorkingCalendar(overrides=[])
DAY = dt.date(2026, 3, 2)  # a Monday
COURT = {
    "court_ru": "Бостандыкский районный суд города Алматы",
    "court_kk": "Алматы қаласы Бостандық аудандық соты",
}
APPELLATE = {
    "appellate_court_ru": "судебную коллегию по уголовным делам Алматинского городского суда",
    "appellate_court_kk": "Алматы қалалық сотының қылмыстық істер жөніндегі сот алқасына",
}


def hearing(on: dt.date) -> Hearing:
    return Hearing(on=on, at=dt.time(10, 30), courtroom="4", **COURT)


def office(*absent: str) -> Roster:
    return Roster.of(
        [
            Staff("head", "Head", Position.DISTRICT_PROSECUTOR),
            Staff("dep2", "Deputy", Position.DEPUTY, frozenset({"criminal"}), 2),
            Staff("dep1", "Deputy", Position.DEPUTY, frozenset({"social"}), 1),
            Staff("sa1", "Senior", Position.SENIOR_ASSISTANT, frozenset({"social"}), 1),
            Staff("as2", "Two", Position.ASSISTANT, frozenset({"criminal"}), 2),
            Staff("as3", "Three", Position.ASSISTANT, frozenset({"criminal", "social"}), 3),
        ],
        [Absence(s, DAY, DAY, AbsenceKind.SICK_LEAVE) for s in absent],
    )


def params(verdict: Verdict, **given: object) -> dict[str, object]:
    return review_parameters(verdict, case_number="7512-26-00-1/101", **COURT, **APPELLATE, **given)


# --- who prosecutes (CPC art. 58(1), CL-155 arts. 22(1), 23) -------------------------------


def test_state_prosecutor_is_the_least_loaded_of_the_criminal_area_cpc_art_58_1() -> None:
    """CPC art. 58(1): the prosecutor taking part in the trial is the state prosecutor; the
    office sends one of the criminal area present, the least loaded; other areas never."""
    chosen, why = choose_state_prosecutor(office(), DAY, {"as2": 3, "as3": 1, "dep2": 2})
    assert chosen.id == "as3" and "1 open duties" in why
    assert choose_state_prosecutor(office(), DAY, {"as2": 3, "as3": 4, "dep2": 2})[0].id == "dep2"


def test_an_assistant_goes_before_a_deputy_at_equal_load_and_absent_ones_never() -> None:
    """At equal load the assistant prosecutes; an absent one is passed over (CPC art. 337(1):
    the state prosecutor must be in court)."""
    assert choose_state_prosecutor(office(), DAY, {})[0].id == "as2"
    assert choose_state_prosecutor(office("as2", "as3"), DAY, {})[0].id == "dep2"


def test_nobody_of_the_area_present_leaves_it_to_the_person_managing_the_office() -> None:
    chosen, why = choose_state_prosecutor(office("as2", "as3", "dep2"), DAY, {})
    assert chosen.id == "head" and "managing" in why


# --- hearings --------------------------------------------------------------------------------


def test_a_hearing_is_scheduled_today_or_later_not_in_the_past() -> None:
    check_hearing(hearing(DAY), on=DAY)
    check_hearing(hearing(DAY + dt.timedelta(days=9)), on=DAY)
    with pytest.raises(EntryRefused, match="in the past"):
        check_hearing(hearing(DAY - dt.timedelta(days=1)), on=DAY)


def test_an_adjournment_needs_a_hearing_and_its_reason_cpc_art_341_1() -> None:
    """CPC art. 341(1): the court adjourns a hearing for a reason, to a set date."""
    with pytest.raises(EntryRefused, match="no hearing"):
        check_adjournment([], "неявка свидетеля")
    with pytest.raises(EntryRefused, match="341"):
        check_adjournment([hearing(DAY)], "  ")
    check_adjournment([hearing(DAY)], "неявка свидетеля")


def test_hearings_whose_day_has_come_were_held() -> None:
    hearings = {"hearing-1": hearing(DAY), "hearing-2": hearing(DAY + dt.timedelta(days=7))}
    assert held_by(hearings, DAY) == ["hearing-1"]
    assert hearing_state("open", None) == "scheduled"
    assert hearing_state("done", None) == "held"
    assert hearing_state("cancelled", "неявка свидетеля") == "adjourned"
    assert hearing_state("cancelled", None) == "dropped"


# --- the verdict (CPC arts. 392, 402-404) -----------------------------------------------------


def test_a_verdict_is_not_pronounced_before_the_first_hearing_nor_in_the_future() -> None:
    """CPC art. 402(1): the verdict is pronounced in the courtroom, so at a hearing."""
    hearings = [hearing(DAY + dt.timedelta(days=3)), hearing(DAY + dt.timedelta(days=10))]
    on = DAY + dt.timedelta(days=20)
    with pytest.raises(EntryRefused, match="first hearing"):
        check_verdict(Verdict(kind=VerdictKind.CONVICTION, pronounced_on=DAY), hearings, on)
    with pytest.raises(EntryRefused, match="future"):
        check_verdict(
            Verdict(kind=VerdictKind.CONVICTION, pronounced_on=on + dt.timedelta(1)), [], on
        )
    check_verdict(
        Verdict(kind=VerdictKind.ACQUITTAL, pronounced_on=DAY + dt.timedelta(days=10)), hearings, on
    )


def test_an_acquitted_person_is_not_kept_in_custody_cpc_art_403() -> None:
    """CPC art. 403: the acquitted is released in the courtroom; only a convict stays."""
    with pytest.raises(ValidationError, match="403"):
        Verdict(kind=VerdictKind.ACQUITTAL, pronounced_on=DAY, convict_in_custody=True)
    with pytest.raises(ValidationError, match="before the verdict"):
        Verdict(
            kind=VerdictKind.CONVICTION,
            pronounced_on=DAY,
            convict_in_custody=True,
            copy_delivered_on=DAY - dt.timedelta(days=1),
        )


# --- the review it starts (CPC arts. 414(2), 418(1)) ---------------------------------------


def test_review_window_runs_from_the_pronouncement_cpc_art_418_1() -> None:
    """CPC art. 418(1): 15 сутки from the pronouncement: pronounced Monday 2 March 2026, the
    prosecutor's petition is due by 17 March, whatever day the office gets the copy."""
    verdict = Verdict(kind=VerdictKind.CONVICTION, pronounced_on=DAY)
    given = params(verdict, received_on=dt.date(2026, 3, 6))
    assert given["window_kind"] == WindowKind.CRIMINAL_VERDICT
    assert given["window_starts_on"] == given["act_date"] == DAY
    assert given["received_on"] == dt.date(2026, 3, 6) and given["area"] == "criminal"
    act = CourtAct(
        kind=given["window_kind"],
        **{  # the review accepts what it is given
            k: v
            for k, v in given.items()
            if k not in {"window_kind", "area", "language", "assistant"}
        },
    )
    assert act.window_end(CAL) == dt.date(2026, 3, 17)


def test_convict_in_custody_appeals_from_delivery_the_prosecutor_from_pronouncement_418_1() -> None:
    """CPC art. 418(1): «ходатайства прокурора приносятся в течение пятнадцати суток со дня
    провозглашения приговора, а осужденным, содержащимся под стражей, – в тот же срок со дня
    вручения ему копии»: the delivery starts the convict's own window (copy delivered Friday 6
    March: 21 March, a Saturday, then Nauryz, so 26 March); the prosecutor's still ends on 17
    March. Counting the prosecutor's from the delivery would let the petition come late."""
    verdict = Verdict(
        kind=VerdictKind.CONVICTION,
        pronounced_on=DAY,
        convict_in_custody=True,
        copy_delivered_on=dt.date(2026, 3, 6),
    )
    given = params(verdict)
    assert given["window_starts_on"] == DAY and given["received_on"] == DAY
    assert window_end(WindowKind(given["window_kind"]), DAY, CAL) == dt.date(2026, 3, 17)
    assert convict_window_end(verdict, CAL) == dt.date(2026, 3, 26)
    not_delivered = Verdict(kind=VerdictKind.CONVICTION, pronounced_on=DAY, convict_in_custody=True)
    assert convict_window_end(not_delivered, CAL) is None
