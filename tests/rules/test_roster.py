"""Who signs, who replaces whom, and who a duty escalates to (Regulation cl. 10-15)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.office.roster import (
    REGIONAL_OFFICE,
    Absence,
    AbsenceKind,
    ActingOrder,
    Position,
    Roster,
    RosterError,
    Shift,
    Staff,
)

DAY = dt.date(2026, 12, 2)
LEAVE = AbsenceKind.LEAVE


def office(
    absent: tuple[str, ...] = (),
    orders: tuple[ActingOrder, ...] = (),
    shifts: tuple[Shift, ...] = (),
) -> Roster:
    staff = [
        Staff("head", "Head", Position.DISTRICT_PROSECUTOR),
        Staff("dep1", "First deputy", Position.DEPUTY, frozenset({"appeals", "social"}), 1),
        Staff("dep2", "Second deputy", Position.DEPUTY, frozenset({"criminal"}), 2),
        Staff("sa1", "Senior assistant", Position.SENIOR_ASSISTANT, frozenset({"appeals"}), 1),
        Staff("as1", "Assistant one", Position.ASSISTANT, frozenset({"appeals"}), 1),
        Staff("as2", "Assistant two", Position.ASSISTANT, frozenset({"criminal"}), 2),
        Staff("as3", "Assistant three", Position.ASSISTANT, frozenset({"appeals"}), 3),
    ]
    absences = [
        Absence(s, DAY - dt.timedelta(days=3), DAY + dt.timedelta(days=10), LEAVE) for s in absent
    ]
    return Roster.of(staff, absences, orders, shifts)


def order(acting: str, for_: str) -> ActingOrder:
    return ActingOrder(
        acting, for_, DAY - dt.timedelta(days=3), DAY + dt.timedelta(days=10), "No. 1"
    )


# --- clause 15: who signs ------------------------------------------------------------------


def test_head_present_signs() -> None:
    """Regulation cl. 15: documents are signed by the district prosecutor."""
    s = office().signatory_on(DAY)
    assert s.staff is not None and s.staff.id == "head" and not s.acting


def test_head_on_leave_with_acting_order_the_named_deputy_signs() -> None:
    """Regulation cl. 14.2, 15: the person replacing the head, here named by an acting order,
    signs even when a more senior deputy is present."""
    s = office(absent=("head",), orders=(order("dep2", "head"),)).signatory_on(DAY)
    assert s.staff is not None and s.staff.id == "dep2" and s.acting
    assert "acting order" in s.reason


def test_head_on_leave_without_order_senior_deputy_signs() -> None:
    """Regulation cl. 14.2: when the head is absent the deputy manages the office; with several,
    the most senior present."""
    s = office(absent=("head",)).signatory_on(DAY)
    assert s.staff is not None and s.staff.id == "dep1" and s.acting


def test_acting_deputy_absent_too_next_deputy_present_signs() -> None:
    s = office(absent=("head", "dep2"), orders=(order("dep2", "head"),)).signatory_on(DAY)
    assert s.staff is not None and s.staff.id == "dep1"


def test_head_and_deputies_away_the_regional_office_signs() -> None:
    """Regulation cl. 1, 15: with nobody to replace the head, the matter goes to the regional
    office the district office is a subdivision of."""
    s = office(absent=("head", "dep1", "dep2")).signatory_on(DAY)
    assert s.staff is None and s.is_regional_office


def test_signatory_depends_on_the_day() -> None:
    roster = office(absent=("head",))
    assert roster.signatory_on(DAY + dt.timedelta(days=11)).staff.id == "head"  # back from leave
    assert roster.may_sign("dep1", DAY) and not roster.may_sign("head", DAY)


# --- replacement ---------------------------------------------------------------------------


def test_present_staff_replace_themselves() -> None:
    assert office().replacement_for("as1", DAY).key == "as1"


def test_absent_assistant_replaced_by_colleague_sharing_the_area() -> None:
    target = office(absent=("as1",)).replacement_for("as1", DAY)
    assert target.key == "as3"  # same area; as2 supervises criminal cases only


def test_acting_order_beats_colleagues() -> None:
    assert (
        office(absent=("as1",), orders=(order("sa1", "as1"),)).replacement_for("as1", DAY).key
        == "sa1"
    )


def test_assistant_without_colleagues_replaced_by_supervising_deputy() -> None:
    assert office(absent=("as2",)).replacement_for("as2", DAY).key == "dep2"


def test_absent_head_replaced_by_acting_deputy() -> None:
    assert office(absent=("head",)).replacement_for("head", DAY).key == "dep1"


def test_absent_deputy_replaced_by_head() -> None:
    assert office(absent=("dep2",)).replacement_for("dep2", DAY).key == "head"


# --- escalation ----------------------------------------------------------------------------


def test_assistant_duty_escalates_to_supervising_deputy_then_head_then_region() -> None:
    chain = [t.key for t in office().escalation_chain("as1", DAY)]
    assert chain == ["dep1", "head", REGIONAL_OFFICE]


def test_escalation_skips_an_absent_supervising_deputy() -> None:
    chain = [t.key for t in office(absent=("dep2",)).escalation_chain("as2", DAY)]
    assert chain == ["head", REGIONAL_OFFICE]


def test_head_duty_while_head_away_escalates_to_acting_deputy() -> None:
    """DESIGN, deadlines: a duty of the head escalates to the deputy acting for the head."""
    roster = office(absent=("head",), orders=(order("dep2", "head"),))
    assert [t.key for t in roster.escalation_chain("head", DAY)] == ["dep2", REGIONAL_OFFICE]


def test_head_duty_while_head_present_escalates_beyond_the_office() -> None:
    assert [t.key for t in office().escalation_chain("head", DAY)] == [REGIONAL_OFFICE]


def test_escalation_levels_stop_at_the_regional_office() -> None:
    roster = office()
    assert roster.escalation_target("as1", DAY, 1).key == "dep1"
    assert roster.escalation_target("as1", DAY, 9).key == REGIONAL_OFFICE
    with pytest.raises(ValueError):
        roster.escalation_target("as1", DAY, 0)


# --- consistency -------------------------------------------------------------------------------


def test_overlapping_absences_are_refused() -> None:
    with pytest.raises(RosterError, match="overlap"):
        Roster.of(
            [Staff("x", "X", Position.ASSISTANT)],
            [
                Absence("x", dt.date(2026, 1, 5), dt.date(2026, 1, 20), LEAVE),
                Absence("x", dt.date(2026, 1, 20), dt.date(2026, 1, 25), AbsenceKind.SICK_LEAVE),
            ],
        )


def test_absence_of_unknown_staff_is_refused() -> None:
    with pytest.raises(RosterError, match="unknown staff member 'ghost'"):
        Roster.of([Staff("x", "X", Position.ASSISTANT)], [Absence("ghost", DAY, DAY, LEAVE)])


def test_two_heads_and_self_acting_are_refused() -> None:
    with pytest.raises(RosterError, match="one district prosecutor"):
        Roster.of(
            [
                Staff("a", "A", Position.DISTRICT_PROSECUTOR),
                Staff("b", "B", Position.DISTRICT_PROSECUTOR),
            ]
        )
    with pytest.raises(RosterError, match="themselves"):
        Roster.of(
            [Staff("a", "A", Position.DEPUTY)], acting_orders=[ActingOrder("a", "a", DAY, DAY)]
        )


def test_overlapping_acting_orders_for_one_person_are_refused() -> None:
    with pytest.raises(RosterError, match="two acting orders"):
        office(orders=(order("dep1", "head"), order("dep2", "head")))


def test_inactive_staff_are_never_present() -> None:
    roster = Roster.of(
        [
            Staff("head", "Head", Position.DISTRICT_PROSECUTOR, active=False),
            Staff("dep", "Deputy", Position.DEPUTY),
        ]
    )
    assert roster.head() is None
    assert roster.signatory_on(DAY).staff.id == "dep"


# --- clauses 14-15: an acting order for the head names a deputy -----------------------------


def test_head_acting_order_naming_an_assistant_refused_while_a_deputy_present_reg_cl14_15() -> None:
    """Regulation cl. 14.2, 15: when the district prosecutor is absent the deputy manages the
    office and signs; an order naming a senior assistant while a deputy is present is refused,
    and the message says why and which deputy is there."""
    roster = office(absent=("head",))
    with pytest.raises(RosterError, match=r"deputy dep1 is present on .*cl\. 14\.2, 15"):
        roster.check_acting_order(order("sa1", "head"))
    roster.check_acting_order(order("dep2", "head"))  # a deputy: accepted


def test_head_acting_order_naming_an_assistant_allowed_with_no_deputy_present_reg_cl14() -> None:
    """Regulation cl. 14 ("where there is one"): with every deputy away the order may name
    someone else; the refusal depends on the deputies' presence, not on the rank alone."""
    roster = office(absent=("head", "dep1", "dep2"))
    roster.check_acting_order(order("sa1", "head"))
    with_order = office(absent=("head", "dep1", "dep2"), orders=(order("sa1", "head"),))
    assert with_order.signatory_on(DAY).staff.id == "sa1"


def test_a_stored_order_naming_an_assistant_yields_to_the_present_deputy_reg_cl14_15() -> None:
    """Regulation cl. 14.2, 15: an order stored before the rule does not let an assistant sign
    while a deputy is present: the senior deputy present signs."""
    roster = office(absent=("head",), orders=(order("as1", "head"),))
    s = roster.signatory_on(DAY)
    assert s.staff.id == "dep1" and "deputy" in s.reason


def test_acting_order_for_a_deputy_may_name_anyone() -> None:
    """The rule binds orders for the head only: an assistant may act for an absent deputy."""
    office(absent=("dep2",)).check_acting_order(order("as2", "dep2"))


# --- the prosecutor on duty is present on the duty day ----------------------------------------

NIGHT = dt.datetime(2026, 12, 2, 13, 0, tzinfo=dt.UTC)  # 18:00 in Almaty


def night_shift(staff_id: str) -> Shift:
    return Shift(staff_id, NIGHT, NIGHT + dt.timedelta(hours=15))


def test_duty_shift_of_an_absent_prosecutor_is_refused_reg_cl14_duty_presence() -> None:
    """The prosecutor on duty must be present on the duty day: a shift for someone on leave is
    refused with the day and the reason; a present colleague is accepted."""
    roster = office(absent=("as2",))
    with pytest.raises(RosterError, match=r"as2 is absent on 2026-12-02 \(leave\)"):
        roster.check_shift(night_shift("as2"))
    roster.check_shift(night_shift("as1"))


def test_duty_shift_refused_when_the_leave_starts_on_the_shifts_second_day() -> None:
    """A night shift touches two local days; leave starting the next morning collides."""
    roster = Roster.of(
        [Staff("as1", "A", Position.ASSISTANT)],
        [Absence("as1", DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=5), LEAVE)],
    )
    with pytest.raises(RosterError, match="2026-12-03"):
        roster.check_shift(night_shift("as1"))


def test_a_prosecutor_on_duty_who_fell_ill_is_on_duty_for_nobody() -> None:
    """A shift recorded before the sick leave: at that moment nobody is on duty by it, and the
    shift is reported as left uncovered by the absence."""
    shift = night_shift("as2")
    present = office(shifts=(shift,))
    assert present.on_duty_at(NIGHT + dt.timedelta(hours=2)).id == "as2"
    ill = office(absent=("as2",), shifts=(shift,))
    assert ill.on_duty_at(NIGHT + dt.timedelta(hours=2)) is None
    assert ill.shifts_left_uncovered(ill.absences[0]) == [shift]
