"""The prosecutor's decision on a finished case and the указания, as pure rules: the term of
each form (CPC arts. 190(7), 290(1), 302(2), 528(3)), the decisions each form allows, the
document each produces, the term of a returned case (art. 192(7)) and of указания (art.
193(1)(5)), and the documents' legal grounds in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from models.procedures.case_decisions import (
    RULES,
    Addressee,
    CaseForm,
    CaseSubmission,
    Outcome,
    OutcomeNotAllowed,
    allowed_outcomes,
    decision_problems,
    further_investigation_due,
    rule_for,
    study_due,
)
from models.procedures.instructions import clean_items, execution_due, items_due
from models.records.rendering import as_text, document_kinds, render
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.terms import SourceStatus, TermNotAllowed, default_terms
from tests.rules.test_templates import letterhead

CAL = WorkingCalendar()


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ALMATY)


# --- the prosecutor's term per form ----------------------------------------------------------


def test_completion_report_ten_sutki_last_day_moves_cpc_arts_302_2_and_48_4() -> None:
    """CPC art. 302(2): ten сутки from receipt. Received Thursday 19 November 2026: the tenth
    day is Sunday 29 November, so the term ends Monday 30 November (CPC art. 48(4))."""
    assert study_due(CaseForm.COMPLETION_REPORT, at("2026-11-19"), CAL) == dt.date(2026, 11, 30)
    assert default_terms().get("case_decision.completion_report").source == "CPC art. 302(2)"


def test_complex_case_up_to_one_month_only_for_a_completion_report_cpc_art_302_2() -> None:
    """CPC art. 302(2): a complex, multi-episode case up to one month: 19 December 2026 is a
    Saturday, so 21 December. A protocol has no such extension (arts. 190(7), 528(3))."""
    received = at("2026-11-19")
    assert study_due(CaseForm.COMPLETION_REPORT, received, CAL, complex_case=True) == dt.date(
        2026, 12, 21
    )
    with pytest.raises(TermNotAllowed, match="302"):
        study_due(CaseForm.ACCELERATED_PROTOCOL, received, CAL, complex_case=True)


def test_accelerated_protocol_three_sutki_cpc_art_190_7() -> None:
    """CPC art. 190(7): not later than three сутки. Received Wednesday 25 November: the third
    day is Saturday 28 November, so Monday 30 November."""
    assert study_due(CaseForm.ACCELERATED_PROTOCOL, at("2026-11-25"), CAL) == dt.date(2026, 11, 30)


def test_misdemeanour_protocol_one_sutki_at_once_when_detained_cpc_art_528_3() -> None:
    """CPC art. 528(3): not later than one сутки; where the suspect is detained under art. 128,
    at once: the day of receipt, never moved (a detention term is not moved, art. 48(4))."""
    friday = at("2026-11-27", "18:00")
    assert study_due(CaseForm.MISDEMEANOUR_PROTOCOL, friday, CAL) == dt.date(2026, 11, 30)
    detained = study_due(CaseForm.MISDEMEANOUR_PROTOCOL, friday, CAL, detained=True)
    assert detained == dt.date(2026, 11, 27)
    saturday = at("2026-11-28", "09:00")
    assert study_due(CaseForm.MISDEMEANOUR_PROTOCOL, saturday, CAL, detained=True) == dt.date(
        2026, 11, 28
    )
    row = default_terms().get("case_decision.misdemeanour_detained")
    assert row.is_rule_only and "528" in row.source


def test_termination_decree_ten_sutki_ending_on_independence_day_cpc_art_290_1() -> None:
    """CPC art. 290(1): ten сутки of receipt. Received 6 December 2026: the tenth day is 16
    December, Independence Day, so the term ends 17 December (CPC art. 48(4))."""
    assert study_due(CaseForm.TERMINATION_DECREE, at("2026-12-06"), CAL) == dt.date(2026, 12, 17)


def test_every_term_row_is_read_in_the_code_in_force() -> None:
    """Every row of the decisions is confirmed in the CPC, or says it is office practice."""
    table = default_terms()
    rows = [t for t in table.terms if t.procedure in {"case_decision", "instructions"}]
    assert len(rows) == 8
    for row in rows:
        assert row.source.startswith("CPC art"), row.id
        if row.status is SourceStatus.OFFICE_PRACTICE:
            assert "office practice" in row.source and row.id == "instructions.execution"
        else:
            assert row.status is SourceStatus.CONFIRMED, row.id


# --- decisions allowed and the documents they produce ------------------------------------------


def test_a_termination_decree_is_approved_or_refused_cpc_art_290_1() -> None:
    """CPC art. 290(1)(1)-(2): approve the decree, or refuse it by a motivated decree returning
    the case with указания; never send it to court from here."""
    assert allowed_outcomes(CaseForm.TERMINATION_DECREE) == (
        Outcome.APPROVE_TERMINATION,
        Outcome.REFUSE_TERMINATION,
    )
    refused = rule_for(CaseForm.TERMINATION_DECREE).outcome(Outcome.REFUSE_TERMINATION)
    assert refused.gives_instructions and refused.source == "CPC art. 290(1)(2)"
    assert refused.addressee_term == "case_decision.further_investigation"
    with pytest.raises(OutcomeNotAllowed, match="290"):
        rule_for(CaseForm.TERMINATION_DECREE).outcome(Outcome.SEND_TO_COURT)


@pytest.mark.parametrize(
    "form,court_source,return_source",
    [
        (
            CaseForm.COMPLETION_REPORT,
            "CPC arts. 302(1)(1), 302-1, 304, 305(1)",
            "CPC art. 302(1)(3)",
        ),
        (CaseForm.ACCELERATED_PROTOCOL, "CPC art. 190(7)(1)", "CPC art. 190(7)(2)"),
        (CaseForm.MISDEMEANOUR_PROTOCOL, "CPC art. 528(3)(1)", "CPC art. 528(3)(2)"),
    ],
)
def test_a_case_goes_to_court_or_back_with_instructions(
    form: CaseForm, court_source: str, return_source: str
) -> None:
    """CPC arts. 302(1), 190(7), 528(3): approve and commit the accused to trial (to the court),
    or return the case for further investigation with указания (to the body); a termination
    decree's outcomes do not apply."""
    rule = rule_for(form)
    assert allowed_outcomes(form) == (Outcome.SEND_TO_COURT, Outcome.RETURN)
    court = rule.outcome(Outcome.SEND_TO_COURT)
    assert court.source == court_source and court.addressee is Addressee.COURT
    assert court.document == "committal_to_court" and not court.gives_instructions
    back = rule.outcome(Outcome.RETURN)
    assert back.source == return_source and back.addressee is Addressee.BODY
    assert back.document == "case_return" and back.gives_instructions
    with pytest.raises(OutcomeNotAllowed):
        rule.outcome(Outcome.APPROVE_TERMINATION)


def test_a_misdemeanour_in_court_is_heard_in_fifteen_sutki_cpc_art_529_3() -> None:
    """CPC art. 529(3): the court hears a misdemeanour case within fifteen сутки of receipt: the
    addressee's term of the committal. Received 1 December 2026, the fifteenth day is 16
    December, Independence Day: 17 December."""
    committal = rule_for(CaseForm.MISDEMEANOUR_PROTOCOL).outcome(Outcome.SEND_TO_COURT)
    assert committal.addressee_term == "case_decision.misdemeanour_court"
    row = default_terms().get("case_decision.misdemeanour_court")
    assert (row.term, row.source) == (15, "CPC art. 529(3)")
    assert default_terms().due(row.id, dt.date(2026, 12, 1), CAL) == dt.date(2026, 12, 17)


def test_every_outcome_has_its_document_in_both_languages() -> None:
    for form_rule in RULES.values():
        for outcome in form_rule.outcomes:
            assert outcome.document in document_kinds(), outcome.document
    assert "instructions" in document_kinds()


def test_a_return_needs_instructions_and_a_committal_needs_a_court_cpc_arts_193_305() -> None:
    """CPC arts. 193(1)(5), 290(1)(2): a returned case goes back with written указания; CPC art.
    305(1): a case goes to the court it is under the jurisdiction of."""
    no_items = decision_problems(CaseForm.COMPLETION_REPORT, Outcome.RETURN, [" "], None)
    assert len(no_items) == 1 and "193(1)(5)" in no_items[0]
    no_court = decision_problems(CaseForm.ACCELERATED_PROTOCOL, Outcome.SEND_TO_COURT, [], "")
    assert len(no_court) == 1 and "305(1)" in no_court[0]
    assert not decision_problems(
        CaseForm.TERMINATION_DECREE, Outcome.REFUSE_TERMINATION, ["допросить свидетеля"], None
    )
    unmotivated = decision_problems(
        CaseForm.TERMINATION_DECREE, Outcome.REFUSE_TERMINATION, ["допросить"], None, " "
    )
    assert len(unmotivated) == 1 and "motivated" in unmotivated[0]
    wrong = decision_problems(CaseForm.TERMINATION_DECREE, Outcome.RETURN, ["x"], None)
    assert "290(1)" in wrong[0]


# --- the term of a returned case and of указания -------------------------------------------


def test_returned_case_investigated_at_most_one_month_cpc_art_192_7() -> None:
    """CPC art. 192(7): in the term the prosecutor sets, at most one month from the case's
    receipt by the investigator: from 30 November 2026, one month is 30 December; ten сутки end
    10 December; 31 сутки (31 December) go past the month and are refused."""
    start = dt.date(2026, 11, 30)
    assert further_investigation_due(start, CAL) == dt.date(2026, 12, 30)
    assert further_investigation_due(start, CAL, 10) == dt.date(2026, 12, 10)
    with pytest.raises(TermNotAllowed, match=r"192\(7\)"):
        further_investigation_due(start, CAL, 31)


def test_instructions_binding_in_the_term_set_or_the_office_control_term_cpc_art_193() -> None:
    """CPC art. 193(1)(5), 193(4); CL-155 art. 35(2): the code sets no term of execution: the
    prosecutor sets one in сутки; the office's control term (10 сутки) applies otherwise."""
    start = dt.date(2026, 11, 27)
    assert execution_due(start, CAL) == dt.date(2026, 12, 7)
    assert execution_due(start, CAL, 3) == dt.date(2026, 11, 30)  # Monday 30 Nov
    row = default_terms().get("instructions.execution")
    assert row.status is SourceStatus.OFFICE_PRACTICE and "193(4)" in row.source
    with pytest.raises(ValueError):
        execution_due(start, CAL, 0)


def test_each_instruction_is_an_item_with_its_own_step() -> None:
    items = items_due(
        ["  допросить   свидетеля ", "", "назначить экспертизу"], dt.date(2026, 12, 7)
    )
    assert [(i.number, i.text, i.step) for i in items] == [
        (1, "допросить свидетеля", "instruction-1"),
        (2, "назначить экспертизу", "instruction-2"),
    ]
    with pytest.raises(ValueError, match="193"):
        clean_items([" ", ""])


# --- the submission ---------------------------------------------------------------------------


def _submission(**given: object) -> dict[str, object]:
    return {
        "erdr_number": "267511031000123",
        "form": "completion_report",
        "body_id": "police",
        "investigator": "следователь СО УП Бостандыкского района Иванов И. И.",
        "received_at": "2026-11-19T10:00:00",
        "accused": "Әбдіғұлов Нұрлан Өтегенұлы",
        "cc_article": "часть 2 статьи 190",
        **given,
    }


def test_a_submission_is_validated_and_its_moment_is_almaty_time() -> None:
    record = CaseSubmission.model_validate(_submission())
    assert record.received_at.utcoffset() == dt.timedelta(hours=5)
    assert record.due(CAL) == dt.date(2026, 11, 30)
    with pytest.raises(ValidationError, match="erdr_number"):
        CaseSubmission.model_validate(_submission(erdr_number="12-34"))
    with pytest.raises(ValidationError, match="form"):
        CaseSubmission.model_validate(_submission(form="indictment"))
    protocol = CaseSubmission.model_validate(
        _submission(form="misdemeanour_protocol", complex_case=True)
    )
    with pytest.raises(TermNotAllowed):
        protocol.due(CAL)


# --- the documents -------------------------------------------------------------------------------

FIELDS = {
    "addressee_name": "Управление полиции Бостандыкского района",
    "addressee_address": None,
    "erdr_number": "267511031000123",
    "accused": "Әбдіғұлов Нұрлан Өтегенұлы",
    "cc_article": "часть 2 статьи 190",
    "grounds": "не допрошены очевидцы",
    "items": ["допросить очевидцев", "назначить экспертизу"],
    "due": "30.12.2026",
}


def _text(kind: str, language: str, form: CaseForm) -> str:
    rule = rule_for(form)
    body = render(
        kind,
        language,
        letterhead=letterhead(),
        registration_number="ALM-BST-FIN-2026-000001",
        date=dt.date(2026, 11, 30),
        form=form.value,
        form_name=rule.name_kk if language == "kk" else rule.name_ru,
        **FIELDS,
    )
    return " ".join(as_text(body).split())


@pytest.mark.parametrize(
    "form,ru,kk",
    [
        (
            CaseForm.COMPLETION_REPORT,
            "пунктом 3) части первой статьи 302",
            "302-бабы бірінші бөлігінің 3) тармағын",
        ),
        (
            CaseForm.ACCELERATED_PROTOCOL,
            "пунктом 2) части седьмой статьи 190",
            "190-бабы жетінші бөлігінің 2) тармағын",
        ),
        (
            CaseForm.MISDEMEANOUR_PROTOCOL,
            "пунктом 2) части третьей статьи 528",
            "528-бабы үшінші бөлігінің 2) тармағын",
        ),
    ],
)
def test_the_return_decree_cites_the_article_of_its_form_and_the_one_month_cpc_192_7(
    form: CaseForm, ru: str, kk: str
) -> None:
    """The return decree rests on the article of the form (CPC arts. 302(1)(3), 190(7)(2),
    528(3)(2)), lists the указания and the term of CPC art. 192(7), addressed to the body on a
    label line."""
    text_ru, text_kk = _text("case_return", "ru", form), _text("case_return", "kk", form)
    assert ru in text_ru and kk in text_kk
    assert "Кому: Управление полиции Бостандыкского района" in text_ru
    assert "допросить очевидцев" in text_ru and "назначить экспертизу" in text_ru
    assert "части седьмой статьи 192" in text_ru or "часть седьмая статьи 192" in text_ru
    assert "192-бабының жетінші бөлігі" in text_kk
    assert "Уважаем" not in text_ru


def test_the_committal_of_a_completion_report_case_rests_on_the_indictment_cpc_302_305() -> None:
    """CPC arts. 302(1)(1), 302-1, 304, 305(1): the prosecutor draws up the обвинительный акт,
    has it delivered and sends the case to the court it is under the jurisdiction of."""
    text = _text("committal_to_court", "ru", CaseForm.COMPLETION_REPORT)
    assert "обвинительный акт" in text and "частью первой статьи 305" in text
    misdemeanour = _text("committal_to_court", "kk", CaseForm.MISDEMEANOUR_PROTOCOL)
    assert "528-бабы үшінші бөлігінің 1) тармағын" in misdemeanour
    assert "он бес тәулік" in misdemeanour


def test_the_refusal_to_approve_a_termination_cites_cpc_art_290_1_2() -> None:
    ru = _text("termination_refusal", "ru", CaseForm.TERMINATION_DECREE)
    kk = _text("termination_refusal", "kk", CaseForm.TERMINATION_DECREE)
    assert "пунктом 2) части первой статьи 290" in ru and "В утверждении" in ru
    assert "290-бабы бірінші бөлігінің 2) тармағын" in kk
    approval = _text("termination_approval", "ru", CaseForm.TERMINATION_DECREE)
    assert "частью второй статьи 290" in approval
