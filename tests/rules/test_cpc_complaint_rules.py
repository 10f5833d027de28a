"""Complaints about the investigating body considered by the prosecutor (CPC arts. 100-106):
the term by what is complained of, the extension to 15 сутки, what each outcome needs, who
considers it, and the two documents in both languages. No Prefect, no database."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from models.office.roster import Absence, AbsenceKind, Position, Roster, Staff
from models.office.schemas import AppealIn
from models.procedures.cpc_complaints import (
    EXTENSION_GROUND_TEXT,
    OUTCOME_TEXT,
    SUBJECT_TEXT,
    TERM,
    TERM_URGENT,
    URGENT,
    ComplaintIn,
    ComplaintSubject,
    ExtensionGround,
    ExtensionRefused,
    Outcome,
    check_extension,
    choose_prosecutor,
    conclusion_problem,
    due,
    extended_due,
    from_appeal,
    term_id,
)
from models.records.rendering import as_text, render
from models.timing.calendar import WorkingCalendar
from models.timing.terms import default_terms
from tests.rules.test_templates import letterhead

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(overrides=[])


# --- terms ------------------------------------------------------------------------------------


def test_search_complaint_due_in_3_sutki_moved_past_nauryz_cpc_art_105_2_art_48_4(
    cal: WorkingCalendar,
) -> None:
    """CPC art. 105(2): a complaint about a search is considered within 3 сутки. Received
    Thursday 19 March 2026, the day of receipt not counted (art. 48(2)), the 3rd сутки is
    Sunday 22 March; 21-25 March are days off (Nauryz and the days moved to it), so the term
    ends on Thursday 26 March (art. 48(4))."""
    assert term_id(ComplaintSubject.SEARCH) == TERM_URGENT
    assert not any(cal.is_working_day(D(2026, 3, d)) for d in range(22, 26))
    assert due(ComplaintSubject.SEARCH, D(2026, 3, 19), cal) == D(2026, 3, 26)
    # on a working last day nothing moves: received Monday 2 November, due Thursday 5 November
    assert due(ComplaintSubject.SEARCH, D(2026, 11, 2), cal) == D(2026, 11, 5)


def test_refusal_to_register_due_in_7_sutki_moved_past_independence_day_cpc_art_105_2(
    cal: WorkingCalendar,
) -> None:
    """CPC art. 105(2): a refusal to accept and register a report of a criminal offence is not
    on the closed list: 7 сутки. Received Wednesday 9 December 2026, the 7th сутки is Wednesday
    16 December, Independence Day, so the term ends on Thursday 17 December (CPC art. 48(4))."""
    assert term_id(ComplaintSubject.REFUSAL_TO_REGISTER) == TERM
    assert not cal.is_working_day(D(2026, 12, 16))
    assert due(ComplaintSubject.REFUSAL_TO_REGISTER, D(2026, 12, 9), cal) == D(2026, 12, 17)


def test_the_closed_list_of_cpc_art_105_2_takes_3_sutki_everything_else_7() -> None:
    """CPC art. 105(2): detention, suspect status, qualification, removal from office, an
    unsanctioned examination, search, seizure, a restriction on property, suspended transactions
    — 3 сутки; any other action, inaction or decision — 7 сутки."""
    listed = {
        ComplaintSubject.DETENTION,
        ComplaintSubject.SUSPECT_STATUS,
        ComplaintSubject.QUALIFICATION,
        ComplaintSubject.REMOVAL_FROM_OFFICE,
        ComplaintSubject.UNSANCTIONED_EXAMINATION,
        ComplaintSubject.SEARCH,
        ComplaintSubject.SEIZURE,
        ComplaintSubject.PROPERTY_RESTRICTION,
        ComplaintSubject.SUSPENDED_TRANSACTIONS,
    }
    assert listed < URGENT
    terms = default_terms()
    for subject in ComplaintSubject:
        row = terms.get(term_id(subject))
        assert row.term == (3 if subject in URGENT else 7), subject
        assert "CPC art. 105(2)" in row.source
    for subject in (ComplaintSubject.TERMINATION, ComplaintSubject.OTHER):
        assert subject not in URGENT


def test_extension_to_15_sutki_from_receipt_cpc_art_105_2(cal: WorkingCalendar) -> None:
    """CPC art. 105(2): in exceptional cases up to 15 сутки from receipt. Received Tuesday
    10 March 2026: the 15th сутки is Wednesday 25 March, a day off, so Thursday 26 March."""
    received = D(2026, 3, 10)
    current = due(ComplaintSubject.OTHER, received, cal)
    assert current == D(2026, 3, 17)
    new_due = check_extension(
        ground=ExtensionGround.ADDITIONAL_MATERIALS,
        reason="истребованы материалы уголовного дела",
        received_on=received,
        current_due=current,
        decided_on=D(2026, 3, 12),
        calendar=cal,
    )
    assert new_due == extended_due(received, cal) == D(2026, 3, 26)
    row = default_terms().get("complaint.investigator_extended")
    assert (row.term, row.status.value) == (15, "confirmed") and "105(2)" in row.source


@pytest.mark.parametrize(
    "ground,reason,decided_on,current_due,why",
    [
        (None, "материалы", D(2026, 3, 12), D(2026, 3, 17), "further materials"),
        (ExtensionGround.OTHER_MEASURES, "  ", D(2026, 3, 12), D(2026, 3, 17), "reason"),
        (ExtensionGround.OTHER_MEASURES, "меры", D(2026, 3, 18), D(2026, 3, 17), "ended"),
        (ExtensionGround.OTHER_MEASURES, "меры", D(2026, 3, 12), D(2026, 3, 26), "already"),
    ],
)
def test_extension_only_in_the_exceptional_cases_while_the_term_runs_cpc_arts_105_2_49_3(
    cal: WorkingCalendar,
    ground: ExtensionGround | None,
    reason: str,
    decided_on: dt.date,
    current_due: dt.date,
    why: str,
) -> None:
    """CPC art. 105(2): only when further materials must be requested or other measures taken,
    with a reason the complainant is told; never past 15 сутки; not once the term has ended
    (art. 49(3): terms are extended only as the code provides)."""
    with pytest.raises(ExtensionRefused, match=why):
        check_extension(
            ground=ground,
            reason=reason,
            received_on=D(2026, 3, 10),
            current_due=current_due,
            decided_on=decided_on,
            calendar=cal,
        )


# --- the outcome ------------------------------------------------------------------------------


def test_a_refusal_must_be_reasoned_cpc_art_105_4() -> None:
    problem = conclusion_problem(Outcome.REJECTED, "", "")
    assert problem is not None and "105(4)" in problem
    assert conclusion_problem(Outcome.REJECTED, "Обыск произведён по санкции суда.", "") is None


@pytest.mark.parametrize("outcome", [Outcome.UPHELD, Outcome.PARTLY_UPHELD])
def test_an_upheld_complaint_names_the_measures_cpc_arts_104_3_105_3(outcome: Outcome) -> None:
    """CPC art. 105(3): upheld in full or in part with the contested decision cancelled or
    changed; art. 104(3): the violated rights restored at once."""
    problem = conclusion_problem(outcome, "Доводы подтвердились.", "")
    assert problem is not None and "104(3)" in problem
    assert conclusion_problem(outcome, "Доводы подтвердились.", "Отменить постановление.") is None


def test_no_change_to_the_complainants_detriment_cpc_art_105_3() -> None:
    problem = conclusion_problem(Outcome.PARTLY_UPHELD, "Установлено.", "Изменить.", True)
    assert problem is not None and "detriment" in problem
    assert conclusion_problem(None, "x", "y") is not None  # an outcome must be chosen


# --- who considers it -------------------------------------------------------------------------


def _roster(absent: tuple[str, ...] = ()) -> Roster:
    staff = [
        Staff("head", "Head", Position.DISTRICT_PROSECUTOR),
        Staff("dep2", "Deputy", Position.DEPUTY, frozenset({"criminal"}), 2),
        Staff("as1", "Assistant one", Position.ASSISTANT, frozenset({"appeals"}), 1),
        Staff("as2", "Assistant two", Position.ASSISTANT, frozenset({"criminal"}), 2),
        Staff("as4", "Assistant four", Position.ASSISTANT, frozenset({"criminal"}), 4),
    ]
    day = D(2026, 12, 2)
    return Roster.of(staff, [Absence(s, day, day, AbsenceKind.LEAVE) for s in absent], [], [])


def test_considered_by_a_criminal_area_prosecutor_present_least_loaded_cpc_art_104_1() -> None:
    """The criminal area's assistant with fewest open duties; never one who took or approved
    the contested decision (CPC art. 104(1)); with nobody such, the supervising deputy."""
    day = D(2026, 12, 2)
    assert choose_prosecutor(_roster(), day, {"as2": 3, "as4": 1})[0].id == "as4"
    assert choose_prosecutor(_roster(("as4",)), day, {"as2": 3})[0].id == "as2"
    excluded = frozenset({"as2"})
    assert choose_prosecutor(_roster(("as4",)), day, {}, excluded)[0].id == "dep2"


# --- the complaint as it arrives --------------------------------------------------------------

COMPLAINT = {
    "external_id": "cmp-1",
    "complainant": {
        "kind": "individual",
        "iin": "850315400015",
        "last_name": "Сейтқали",
        "first_name": "Әсел",
    },
    "capacity": "защитник подозреваемого",
    "contact": {"address": "Алматы, ул. Абая 1"},
    "language": "ru",
    "channel": "post",
    "body_name": "Следственное управление Департамента полиции города Алматы",
    "case_number": "261100031000123",
    "subject": "search",
    "summary": "обыск в жилище проведён без постановления",
    "text": "Прошу признать незаконным обыск, проведённый 18 марта.",
    "received_at": "2026-03-19T11:00:00+05:00",
}


def test_complaint_schema_validates_and_its_title_has_no_personal_data() -> None:
    record = ComplaintIn.model_validate(COMPLAINT)
    assert record.complainant_name() == "Сейтқали Әсел"
    title = record.title()
    assert "Сейтқали" not in title and "850315400015" not in title and "search" in title
    for bad in (
        {"received_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()},
        {"subject": "interrogation"},
        {"complainant": None},
    ):
        with pytest.raises(ValidationError):
            ComplaintIn.model_validate({**COMPLAINT, **bad})


def test_an_appeal_on_a_cpc_topic_carries_its_complaint_cl155_art24_9() -> None:
    """CL-155 art. 24(9): an appeal on the investigator's actions is a complaint under CPC art.
    105; keyed by the appeal's number; a «detention» topic keeps its 3 сутки."""
    appeal = AppealIn.model_validate(
        {
            "applicant": COMPLAINT["complainant"],
            "language": "kk",
            "channel": "e_otinish",
            "topic": "detention",
            "subject": "Заңсыз ұстау",
            "text": "Ұлымды заңсыз ұстады, тексеруді сұраймын.",
            "received_at": "2026-03-19T11:00:00+05:00",
        }
    )
    record = ComplaintIn.model_validate(json.loads(from_appeal(appeal, "ALM-BST-APL-2026-000007")))
    assert record.external_id == "appeal:ALM-BST-APL-2026-000007"
    assert record.subject is ComplaintSubject.DETENTION and record.language.value == "kk"
    with pytest.raises(ValueError, match="anonymous"):
        from_appeal(appeal.model_copy(update={"applicant": None}), "ALM-BST-APL-2026-000008")


# --- the documents ----------------------------------------------------------------------------


def _fields(language: str) -> dict[str, object]:
    return {
        "addressee_name": "Сейтқали Әсел",
        "addressee_address": "Алматы, ул. Абая 1",
        "complainant": "Сейтқали Әсел",
        "capacity": "защитник подозреваемого" if language == "ru" else "күдіктінің қорғаушысы",
        "received": "19.03.2026",
        "body_name": "Следственное управление Департамента полиции города Алматы",
        "case_number": "261100031000123",
        "subject_text": SUBJECT_TEXT[ComplaintSubject.SEARCH][language],
        "summary": "обыск в жилище проведён без постановления",
    }


def flat(document: str) -> str:
    """The document's readable text with whitespace folded."""
    return " ".join(as_text(document).split())


def _decision(language: str, outcome: Outcome, harm: bool = False) -> str:
    texts = OUTCOME_TEXT[outcome]
    return flat(
        render(
            "complaint_decision",
            language,
            letterhead=letterhead(),
            registration_number="ALM-BST-CMP-2026-000001",
            date=D(2026, 3, 20),
            **_fields(language),
            outcome=outcome.value,
            decision_title=texts["title"][language],
            operative=texts["operative"][language],
            findings="Обыск проведён без санкции следственного судьи.",
            remedy="" if outcome is Outcome.REJECTED else "Признать обыск незаконным.",
            harm_caused=harm,
        )
    )


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_decision_cites_art_105_and_the_appeal_to_the_investigating_judge_art_106(
    language: str,
) -> None:
    """CPC art. 105(3)-(4): the outcome, and the further appeal — to the higher prosecutor
    (art. 105(1)) and to the investigating judge within 15 сутки (art. 106(5))."""
    text = _decision(language, Outcome.REJECTED)
    if language == "ru":
        assert "ПОСТАНОВЛЕНИЕ об отказе в удовлетворении жалобы" in text
        assert "В удовлетворении жалобы отказать." in text
        for phrase in (
            "статьями 104 и 105 Уголовно-процессуального кодекса",
            "вышестоящему прокурору (часть первая статьи 105",
            "следственному судье в порядке статьи 106",
            "в течение пятнадцати суток",
            "Заявитель: Сейтқали Әсел (защитник подозреваемого).",
        ):
            assert phrase in text, phrase
        assert "главой 4" not in text
    else:
        assert "шағымды қанағаттандырудан бас тарту туралы ҚАУЛЫ" in text
        for phrase in ("104 және 105-баптарын", "жоғары тұрған прокурорға", "тергеу судьясына"):
            assert phrase in text, phrase
        assert "106-бабында" in text and "он бес тәулік" in text
    assert "Уважаем" not in text and "Сейтқали Әсел" in text


def test_upheld_decision_orders_the_remedy_and_explains_compensation_cpc_art_104_4() -> None:
    text = _decision("ru", Outcome.UPHELD, harm=True)
    assert "ПОСТАНОВЛЕНИЕ об удовлетворении жалобы" in text
    assert "1. Жалобу удовлетворить. 2. Признать обыск незаконным. 3. Копию" in text
    assert "главой 4 Уголовно-процессуального кодекса" in text


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_extension_notice_tells_the_new_term_and_why_cpc_art_105_2(language: str) -> None:
    """CPC art. 105(2): the complainant is told the complaint is considered within up to 15
    сутки, and why."""
    text = flat(
        render(
            "complaint_extension_notice",
            language,
            letterhead=letterhead(),
            registration_number="ALM-BST-CMP-2026-000001",
            date=D(2026, 3, 20),
            **_fields(language),
            new_due="26.03.2026",
            ground_text=EXTENSION_GROUND_TEXT[ExtensionGround.ADDITIONAL_MATERIALS][language],
            reason="истребованы материалы уголовного дела",
        )
    )
    if language == "ru":
        assert "частью второй статьи 105 Уголовно-процессуального кодекса" in text
        assert "продлён до 26.03.2026, поскольку для её проверки необходимо истребовать" in text
    else:
        assert "105-бабының екінші бөлігіне сәйкес" in text
        assert "қосымша материалдарды талап етіп алу қажет" in text and "26.03.2026 дейін" in text
    assert "Сейтқали Әсел" in text and "Уважаем" not in text
