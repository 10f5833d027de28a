"""The acts of the prosecutor's office (CL-155 art. 32) and their terms, pure rules with their
sources. Dates use the package calendar without local overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from models.acts import (
    CATALOGUE,
    ISSUED_BY_ACT_FLOW,
    Act,
    ActClass,
    Answer,
    OnRefusal,
    SetTerm,
    addressee_due,
    check_issue,
    hearing_notice_late,
    hearing_result_due,
    next_step,
    spec,
)
from models.calendar import WorkingCalendar
from models.deadlines import TermUnit
from models.procedures import LEGACY_KINDS, ProcedureKind
from models.rendering import document_kinds
from models.terms import TermNotAllowed, default_terms

CAL = WorkingCalendar(overrides=[])
WD = TermUnit.WORKING_DAYS


def test_the_catalogue_holds_the_acts_of_art_32_and_no_order_cl155_art_32() -> None:
    """CL-155 art. 32(1): протест, представление, постановление are acts of supervision;
    ходатайство, заявление (иск), разъяснение acts of response. There is no предписание."""
    assert {a.value for a in Act} >= {
        "protest",
        "submission",
        "decree_suspend_act",
        "decree_cancel_restrictions",
        "decree_short_suspension",
        "clarification",
        "court_application",
        "appellate_petition",
    }
    assert not any(
        a.value == "order" or "предписание" in s.name_ru.lower() for a, s in CATALOGUE.items()
    )
    assert {ProcedureKind.ORDER, ProcedureKind.SUSPENSION_DEMAND} == LEGACY_KINDS
    assert not any(s.procedure in LEGACY_KINDS for s in CATALOGUE.values())
    classes = {a: s.act_class for a, s in CATALOGUE.items()}
    assert classes[Act.PROTEST] is classes[Act.SUBMISSION] is ActClass.SUPERVISION
    assert classes[Act.DECREE_SHORT_SUSPENSION] is ActClass.SUPERVISION
    assert classes[Act.CLARIFICATION] is classes[Act.COURT_APPLICATION] is ActClass.RESPONSE
    assert classes[Act.APPELLATE_PETITION] is ActClass.RESPONSE


def test_every_act_has_its_templates_and_its_term_row() -> None:
    """Adding an act is one entry plus its templates: both must exist for each entry."""
    kinds, table = document_kinds(), default_terms()
    for act, entry in CATALOGUE.items():
        assert entry.template in kinds, f"{act}: no kk and ru template {entry.template}"
        if entry.term_id is not None:
            assert table.get(entry.term_id).source.startswith(("CL-155", "CoAO", "office"))
    assert Act.APPELLATE_PETITION not in ISSUED_BY_ACT_FLOW  # the court-act review issues it


def test_protest_10_calendar_days_cl155_art_33_3() -> None:
    """CL-155 art. 33(3): ten calendar days. Delivered 6 December 2026, the tenth day is
    Independence Day (16 December), so the term ends on 17 December (Civil Code art. 175)."""
    assert addressee_due(Act.PROTEST, dt.date(2026, 12, 6), CAL) == dt.date(2026, 12, 17)


def test_protest_term_set_by_the_prosecutor_at_least_3_working_days_cl155_art_33_3() -> None:
    """CL-155 art. 33(3): another term, shorter or longer, but not less than three working days.
    Delivered Friday 27 November 2026: 3 working days end on Wednesday 2 December."""
    friday = dt.date(2026, 11, 27)
    assert addressee_due(Act.PROTEST, friday, CAL, SetTerm(3, WD)) == dt.date(2026, 12, 2)
    assert addressee_due(Act.PROTEST, friday, CAL, SetTerm(20, WD)) > addressee_due(
        Act.PROTEST, friday, CAL
    )
    with pytest.raises(TermNotAllowed, match="33"):
        addressee_due(Act.PROTEST, friday, CAL, SetTerm(2, WD))
    with pytest.raises(TermNotAllowed):  # two calendar days over a weekend: still too short
        addressee_due(Act.PROTEST, friday, CAL, SetTerm(4, TermUnit.CALENDAR_DAYS))


def test_only_a_protested_act_may_be_suspended_cl155_art_33_5() -> None:
    """CL-155 art. 33(5): district prosecutors may suspend the protested act until the
    decision; no other act carries that power."""
    assert [a for a, s in CATALOGUE.items() if s.may_suspend_contested_act] == [Act.PROTEST]
    assert check_issue(Act.PROTEST, dt.date(2026, 11, 27), CAL, suspend_contested_act=True)
    with pytest.raises(ValueError, match=r"33\(5\)"):
        check_issue(Act.SUBMISSION, dt.date(2026, 11, 27), CAL, suspend_contested_act=True)


def test_submission_30_days_shorter_only_for_irreversible_harm_cl155_art_36_2() -> None:
    """CL-155 art. 36(2): thirty calendar days (27 November 2026 → 27 December, a Sunday, so
    28 December); a term set by the prosecutor only where irreversible consequences may follow."""
    assert addressee_due(Act.SUBMISSION, dt.date(2026, 11, 27), CAL) == dt.date(2026, 12, 28)
    with pytest.raises(ValueError, match=r"36\(2\)"):
        check_issue(Act.SUBMISSION, dt.date(2026, 11, 27), CAL, set_term=SetTerm(5, WD))
    assert check_issue(
        Act.SUBMISSION,
        dt.date(2026, 11, 27),
        CAL,
        set_term=SetTerm(5, WD),
        urgent_reason="угроза обрушения здания школы",
    )


def test_submission_hearing_notice_and_result_cl155_art_36_2() -> None:
    """CL-155 art. 36(2): the prosecutor is told of the hearing not later than three working
    days before it; the result is reported within three working days of the hearing."""
    thursday = dt.date(2026, 12, 10)
    assert not hearing_notice_late(dt.date(2026, 12, 7), thursday, CAL)  # Monday: in time
    assert hearing_notice_late(dt.date(2026, 12, 8), thursday, CAL)  # Tuesday: late
    assert hearing_result_due(dt.date(2026, 12, 18), CAL) == dt.date(2026, 12, 23)


def test_short_suspension_at_most_3_working_days_cl155_art_37_1_9() -> None:
    """CL-155 art. 37(1)(9): a suspension for at most three working days."""
    friday = dt.date(2026, 11, 27)
    assert addressee_due(Act.DECREE_SHORT_SUSPENSION, friday, CAL) == dt.date(2026, 12, 2)
    assert addressee_due(Act.DECREE_SHORT_SUSPENSION, friday, CAL, SetTerm(1, WD)) == dt.date(
        2026, 11, 30
    )
    with pytest.raises(TermNotAllowed, match="37"):
        addressee_due(Act.DECREE_SHORT_SUSPENSION, friday, CAL, SetTerm(4, WD))


def test_a_rejected_or_unconsidered_act_of_supervision_goes_to_court_cl155_art_39_2() -> None:
    """CL-155 art. 39(2): the prosecutor applies to court (mandatory) when an act of supervision
    is rejected or left unconsidered; an accepted act closes the matter."""
    for act in (
        Act.PROTEST,
        Act.SUBMISSION,
        Act.DECREE_SUSPEND_ACT,
        Act.DECREE_CANCEL_RESTRICTIONS,
    ):
        assert next_step(act, Answer.ACCEPTED) is None
        for refusal in (Answer.REJECTED, Answer.NOT_CONSIDERED, Answer.SILENCE, Answer.PARTLY):
            assert next_step(act, refusal) is OnRefusal.APPLY_TO_COURT
    # a refused admin-offence case ends in the body's decision, protested under the CoAO
    assert next_step(Act.ADMIN_OFFENCE, Answer.REJECTED) is OnRefusal.CHALLENGE_DECISION


def test_clarification_awaits_no_answer_cl155_art_41() -> None:
    """CL-155 art. 41: a clarification warns of liability; nothing is awaited from the person."""
    assert not spec(Act.CLARIFICATION).awaits_answer
    with pytest.raises(ValueError, match="nothing is awaited"):
        addressee_due(Act.CLARIFICATION, dt.date(2026, 11, 27), CAL)


def test_an_unknown_act_is_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match=r"not an act of CL-155 art\. 32"):
        spec("order")
