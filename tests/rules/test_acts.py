"""The acts of the prosecutor's office (CL-155 art. 32) and their terms, pure rules with their
sources. Dates use the package calendar without local overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from models.procedures import LEGACY_KINDS, ProcedureKind
from models.procedures.acts import (
    CATALOGUE,
    ISSUED_BY_ACT_FLOW,
    Act,
    ActClass,
    AdminOffence,
    Answer,
    ContestedAct,
    OffenderKind,
    OnRefusal,
    SetTerm,
    addressee_due,
    check_issue,
    hearing_notice_late,
    hearing_result_due,
    next_step,
    spec,
)
from models.records.rendering import document_kinds
from models.timing.calendar import WorkingCalendar
from models.timing.deadlines import TermUnit
from models.timing.terms import TermNotAllowed, default_terms

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


def offence(**given: object) -> AdminOffence:
    values: dict[str, object] = {
        "offender_kind": OffenderKind.PERSON,
        "offender_name": "Әбдірахманова Зуһра Қайратқызы",
        "birth_date": dt.date(1985, 4, 12),
        "iin_bin": "850412450123",
        "address": "г. Алматы, ул. Тимирязева, д. 42, кв. 7",
        "coao_article": "462",
        "coao_part": 1,
        "offence_place": "г. Алматы, ул. Тимирязева, д. 42",
        "offence_date": dt.date(2026, 11, 20),
    }
    return AdminOffence.model_validate(values | given)


def test_admin_offence_decree_needs_identity_data_coao_arts_805_3_803_2_3() -> None:
    """CoAO art. 805(3): the prosecutor's decree contains what art. 803 requires of a протокол:
    a person's date of birth and IIN (an entity's BIN: 12 digits)."""
    assert offence().birth_date == dt.date(1985, 4, 12)
    with pytest.raises(ValueError, match=r"803\(2\)\(3\)"):
        offence(birth_date=None)
    with pytest.raises(ValueError, match=r"803\(2\)\(3\)"):
        offence(iin_bin="85041245")
    entity = offence(offender_kind=OffenderKind.ENTITY, birth_date=None, iin_bin="120540001234")
    assert entity.fields("ru")["birth_date"] is None


def test_admin_offence_names_the_coao_article_in_each_language_coao_art_803_2_5() -> None:
    """CoAO art. 803(2)(5): the article of the Special Part, in the case the sentence needs:
    ru «предусмотренном частью 1 статьи 462», kk «462-бабының 1-бөлігінде көзделген»."""
    assert offence().article("ru").startswith("частью 1 статьи 462 Кодекса Республики Казахстан")
    assert offence(coao_part=None).article("ru").startswith("статьей 462 Кодекса")
    assert offence().article("kk").endswith("кодексінің 462-бабының 1-бөлігінде")
    assert offence(coao_article="82-1", coao_part=None).article("kk").endswith("82-1-бабында")
    with pytest.raises(ValueError, match=r"803\(2\)\(5\)"):
        offence(coao_article="ст. 462")


def test_the_contested_act_is_typed_name_number_date_issuer_cl155_art_33_1() -> None:
    """CL-155 art. 33(1): a protest is brought against an act; the document names it with its
    number, date and issuer. In Kazakh the date stands as an attribute («...қарашадағы № 15»)."""
    act = ContestedAct(
        title="решение акима района «О закрытии сквера»",
        number="15",
        date=dt.date(2026, 11, 1),
        issuer="аким Бостандыкского района",
    )
    assert act.fields()["contested_date"] == "01.11.2026"
    assert act.fields()["contested_date_kk"] == "2026 жылғы 1 қарашадағы"
    assert set(ContestedAct.empty()) == set(act.fields())
    with pytest.raises(ValueError):
        ContestedAct(title="")


def test_what_follows_a_refusal_is_the_catalogues_word_cl155_art_39_2_coao_art_826_2() -> None:
    """CL-155 art. 39(2): a refused act of supervision goes to court, so the head is told at
    once; a decree opening an administrative-offence case ends in the body's decision, which
    the responsible prosecutor protests under the CoAO (art. 826-2): no head, no court, the
    duty outlives the act. Acts awaiting no answer have nothing to follow. Every follow-up's
    term is a row of the terms table."""
    table = default_terms()
    for entry in CATALOGUE.values():
        follow = entry.follow_up
        if entry.on_refusal is OnRefusal.NOTHING_FURTHER:
            assert follow is None
            continue
        assert follow is not None and table.get(follow.term_id)
        assert follow.notify_head is (entry.on_refusal is OnRefusal.APPLY_TO_COURT)
    decree = spec(Act.ADMIN_OFFENCE).follow_up
    assert decree is not None and decree.stays_open and not decree.notify_head
    assert decree.term_id == "admin_offence.protest"
    assert {a for a, e in CATALOGUE.items() if e.reports_hearing} == {Act.SUBMISSION}
    assert {a for a, e in CATALOGUE.items() if e.states_an_offence} == {Act.ADMIN_OFFENCE}
