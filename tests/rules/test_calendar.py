"""Working days and deadline arithmetic on the Kazakhstan calendar (pure rules, no database).

Legal sources are named in each test; the rules themselves are rows of
``models/timing/data/terms.yaml`` (section ``calendar_rules``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
import pytest

from models.timing.calendar import (
    ALMATY,
    Override,
    OverrideKind,
    WorkingCalendar,
    load_overrides,
    local_date,
)
from models.timing.deadlines import TermUnit, add_months, due_date, due_moment
from models.timing.terms import default_terms

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(overrides=[])


def test_every_calendar_rule_names_its_source() -> None:
    rules = default_terms().calendar_rules
    assert {r.id for r in rules} >= {
        "start_not_counted",
        "working_days",
        "last_day_non_working",
        "month_end",
        "hours_not_moved",
        "transferred_days_off",
        "holiday_on_weekend",
    }
    assert all(r.source.strip() for r in rules)


def test_nauryz_and_its_moved_days_are_not_working_days(cal: WorkingCalendar) -> None:
    """Law "On holidays": Nauryz 21-23 March; 2026's fall on Sat-Mon, so 24 and 25 March are
    days off in their place (the holidays package's KZ calendar)."""
    for day in (D(2026, 3, 21), D(2026, 3, 22), D(2026, 3, 23), D(2026, 3, 24), D(2026, 3, 25)):
        status = cal.status(day)
        assert not status.working, day
    assert "Nowruz" in cal.status(D(2026, 3, 23)).reason
    assert cal.is_working_day(D(2026, 3, 26))


def test_working_day_term_skips_nauryz(cal: WorkingCalendar) -> None:
    """CL-155 art. 24(3), APPC art. 76(2): a term in working days counts only working days and
    starts the day after (CC art. 173); 5 working days from
    Wednesday 18 March 2026 run 19, 20, 26, 27 and 30 March."""
    assert due_date(D(2026, 3, 18), 5, TermUnit.WORKING_DAYS, cal) == D(2026, 3, 30)


def test_working_day_term_over_new_year(cal: WorkingCalendar) -> None:
    """1-2 January and 7 January (Orthodox Christmas, LC art. 84(5)) are days off: 3 working
    days from 31 December 2025 are 5, 6 and 8 January 2026."""
    assert not cal.is_working_day(D(2026, 1, 7))
    assert due_date(D(2025, 12, 31), 3, TermUnit.WORKING_DAYS, cal) == D(2026, 1, 8)


def test_weekend_working_day_transferred_by_decree_counts(cal: WorkingCalendar) -> None:
    """LC art. 85(3): the day off of Friday 3 January 2025 was transferred to Sunday 5 January
    2025, which became a working day; a working-day term counts it."""
    assert not cal.is_working_day(D(2025, 1, 3))
    sunday = cal.status(D(2025, 1, 5))
    assert sunday.working and "LC art. 85(3)" in sunday.reason
    # From Thursday 2 January 2025 (a holiday): day 1 is Sunday the 5th, day 2 Monday the 6th.
    assert due_date(D(2025, 1, 2), 2, TermUnit.WORKING_DAYS, cal) == D(2025, 1, 6)


def test_calendar_day_term_ending_on_a_holiday_moves_to_next_working_day(
    cal: WorkingCalendar,
) -> None:
    """CC art. 175: 10 calendar days from 11 March 2026 end on Saturday 21 March (Nauryz);
    the term ends on the next working day, Thursday 26 March."""
    assert due_date(D(2026, 3, 11), 10, TermUnit.CALENDAR_DAYS, cal) == D(2026, 3, 26)


def test_calendar_day_term_ending_on_a_working_day_does_not_move(cal: WorkingCalendar) -> None:
    """CC art. 173: the starting day is not counted; 10 days from Monday 2 November 2026 end on
    Thursday 12 November."""
    assert due_date(D(2026, 11, 2), 10, TermUnit.CALENDAR_DAYS, cal) == D(2026, 11, 12)


def test_start_day_is_not_counted(cal: WorkingCalendar) -> None:
    """CC art. 173: one working day from Monday 30 November 2026 ends on Tuesday 1 December."""
    assert due_date(D(2026, 11, 30), 1, TermUnit.WORKING_DAYS, cal) == D(2026, 12, 1)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # February has no 31st: its last day
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 8, 15), 6, D(2027, 2, 15)),  # across the year
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
    ],
)
def test_month_term_ends_on_same_date_or_month_end(
    start: dt.date, months: int, end: dt.date
) -> None:
    """CC art. 174(3): a month term ends on the same date of the last month, or on the last day
    of that month when it has no such date."""
    assert add_months(start, months) == end


def test_month_term_ending_on_weekend_moves(cal: WorkingCalendar) -> None:
    """CC arts. 174(3), 175: 31 January 2026 + 1 month = Saturday 28 February 2026, moved to
    Monday 2 March 2026."""
    assert due_date(D(2026, 1, 31), 1, TermUnit.MONTHS, cal) == D(2026, 3, 2)


def test_same_day_term_received_on_a_day_off_is_next_working_day(cal: WorkingCalendar) -> None:
    """APPC art. 64(3): an appeal received on a non-working day is registered on the next
    working day."""
    assert due_date(D(2026, 11, 28), 0, TermUnit.SAME_DAY, cal) == D(2026, 11, 30)
    assert due_date(D(2026, 11, 27), 0, TermUnit.SAME_DAY, cal) == D(2026, 11, 27)


def test_hours_are_not_moved_by_days_off() -> None:
    """CPC art. 48(4)-(5): detention terms run in hours from the moment and do not move to a
    working day."""
    saturday_night = dt.datetime(2026, 3, 21, 23, 0, tzinfo=ALMATY)  # Nauryz, a Saturday
    assert due_moment(saturday_night, 3) == dt.datetime(2026, 3, 22, 2, 0, tzinfo=ALMATY)
    # a naive moment is Almaty time
    assert due_moment(dt.datetime(2026, 3, 21, 23, 0), 3) == due_moment(saturday_night, 3)
    with pytest.raises(ValueError, match="moment"):
        due_date(D(2026, 3, 21), 3, TermUnit.HOURS, WorkingCalendar(overrides=[]))


def test_moment_is_dated_in_almaty() -> None:
    """Terms run on Almaty dates: 20:00 UTC on 20 March is already 21 March in Almaty (UTC+5)."""
    assert local_date(dt.datetime(2026, 3, 20, 20, 0, tzinfo=dt.UTC)) == D(2026, 3, 21)


def test_negative_terms_are_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        due_date(D(2026, 1, 5), -1, TermUnit.WORKING_DAYS, cal)


# --- the local override file ---------------------------------------------------------------


def test_override_day_off_moves_a_deadline() -> None:
    """LC art. 85(3): a transfer by the authorised body on labour that the package does not know
    yet is added as an override."""
    decree = Override(D(2026, 12, 18), OverrideKind.DAY_OFF, "Transferred day off", "order X")
    with_decree = WorkingCalendar(overrides=[decree])
    base = WorkingCalendar(overrides=[])
    assert base.is_working_day(D(2026, 12, 18))
    assert not with_decree.is_working_day(D(2026, 12, 18))
    # 3 working days from Tuesday 15 December: 17, (18 off), 21, 22 with the decree.
    assert due_date(D(2026, 12, 15), 3, TermUnit.WORKING_DAYS, base) == D(2026, 12, 21)
    assert due_date(D(2026, 12, 15), 3, TermUnit.WORKING_DAYS, with_decree) == D(2026, 12, 22)


def test_override_moves_an_estimated_religious_day() -> None:
    """LC art. 84(5): Kurban Ait's date is announced each year; the package only estimates it.
    An override cancels the estimate and adds the official day."""
    estimated, official = D(2026, 5, 27), D(2026, 5, 28)
    assert "estimated" in WorkingCalendar(overrides=[]).status(estimated).reason
    cal = WorkingCalendar(
        overrides=[
            Override(estimated, OverrideKind.NOT_A_HOLIDAY, "Kurban Ait estimate", "announcement"),
            Override(official, OverrideKind.DAY_OFF, "Kurban Ait", "announcement"),
        ]
    )
    assert cal.is_working_day(estimated)
    assert not cal.is_working_day(official)


def test_override_working_day_on_a_saturday() -> None:
    saturday = D(2026, 12, 19)
    cal = WorkingCalendar(
        overrides=[Override(saturday, OverrideKind.WORKING_DAY, "Working Saturday", "decree Y")]
    )
    assert cal.is_working_day(saturday)


def test_unconfirmed_override_is_listed_but_not_applied() -> None:
    """An unconfirmed day off would make deadlines later, the unsafe direction: not applied."""
    doubt = Override(D(2026, 12, 18), OverrideKind.DAY_OFF, "?", "news", confirmed=False)
    cal = WorkingCalendar(overrides=[doubt])
    assert cal.is_working_day(D(2026, 12, 18))
    assert cal.pending_review_on(D(2026, 12, 1)) == [doubt]
    assert cal.pending_review_on(D(2026, 12, 18)) == [doubt]


def test_past_unconfirmed_override_is_not_listed_for_review() -> None:
    """A doubt about a day already past can no longer move a running term: no warning for it."""
    past = Override(D(2000, 8, 31), OverrideKind.DAY_OFF, "old", "news", confirmed=False)
    future = Override(D(2999, 1, 4), OverrideKind.DAY_OFF, "new", "news", confirmed=False)
    cal = WorkingCalendar(overrides=[past, future])
    assert cal.pending_review_on(D(2026, 12, 19)) == [future]
    assert cal.pending_review == [future]  # today is between the two


def test_shipped_override_file_loads() -> None:
    overrides = load_overrides()
    assert all(o.source for o in overrides)


def test_broken_override_file_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "overrides.yaml"
    bad.write_text(
        "overrides:\n  - date: 2026-12-18\n    kind: holiday\n    name: x\n    source: y\n"
    )
    with pytest.raises(ValueError, match="override #1"):
        load_overrides(bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text(
        "overrides:\n"
        "  - {date: 2026-12-18, kind: day_off, name: a, source: b}\n"
        "  - {date: 2026-12-18, kind: working_day, name: c, source: d}\n"
    )
    with pytest.raises(ValueError, match="two confirmed overrides"):
        load_overrides(twice)


# --- the package version and the holidays of 2026-2027 ----------------------------------------


def test_holidays_package_is_at_least_0_101() -> None:
    """Older versions of the package get 31 August 2026, 30 August 2027 and 15 March 2027
    wrong (pyproject: holidays>=0.101)."""
    major, minor = (int(x) for x in holidays.__version__.split(".")[:2])
    assert (major, minor) >= (0, 101)


def test_30_august_is_no_longer_a_holiday_from_2026(cal: WorkingCalendar) -> None:
    """Ministry of Labour, 18 March 2026: 30 August is no longer a public holiday from 2026, so
    Monday 31 August 2026 (no Constitution Day moved off Sunday) and Monday 30 August 2027 are
    working days."""
    assert cal.is_working_day(D(2026, 8, 31))
    assert cal.is_working_day(D(2027, 8, 30))


def test_constitution_day_is_15_march_from_2027(cal: WorkingCalendar) -> None:
    """Constitution of 2026, art. 94(2): Constitution Day is 15 March (Monday 15 March 2027)."""
    status = cal.status(D(2027, 3, 15))
    assert not status.working and "Constitution Day" in status.reason


def test_shipped_override_file_has_no_stale_constitution_day_entry() -> None:
    """The 2026-08-31 "Constitution Day moved" entry is resolved (no such day off), and every
    entry names its source."""
    assert all(o.date != D(2026, 8, 31) for o in load_overrides())
    assert WorkingCalendar().is_working_day(D(2026, 8, 31))
