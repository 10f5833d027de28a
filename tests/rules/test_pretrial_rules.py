"""Pure rules of the supervision of a criminal case: the term of the investigation by its form
(CPC arts. 192(2), 526(1), 48), who may extend it how far (CPC art. 192(4)-(6)), the notice of
its start (CPC art. 196), the procedural prosecutor, the ЕРДР record and inbox, the decisions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from models.office.roster import Absence, AbsenceKind, Position, Roster, Staff
from models.procedures.criminal_cases import (
    Authority,
    ExtensionGround,
    InvestigationForm,
    choose_procedural_prosecutor,
    district_limit,
    extension_route,
    investigation_due,
    notice_due_at,
    request_deadline,
    request_is_late,
)
from models.procedures.erdr import ErdrCase, InboxFolderAdapter
from models.procedures.erdr_intake import case_number
from models.records.rendering import Letterhead, as_text, render
from models.timing.calendar import WorkingCalendar
from models.timing.terms import SourceStatus, TermsTable, default_terms

F = InvestigationForm
ALMATY_10AM = "T10:00:00+05:00"


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(overrides=[])


@pytest.fixture(scope="module")
def terms() -> TermsTable:
    return default_terms()


def at(day: str, time: str = ALMATY_10AM) -> dt.datetime:
    return dt.datetime.fromisoformat(day + time)


# --- the table ------------------------------------------------------------------------------


def test_pretrial_rows_are_in_the_table_with_the_cpc_as_source(terms: TermsTable) -> None:
    """terms-pretrial.yaml is merged into the one table; each row rests on the CPC in force."""
    for row_id, figure, source in [
        ("pretrial.inquiry", 1, "CPC art. 192(2)"),
        ("pretrial.investigation", 2, "CPC art. 192(2)"),
        ("pretrial.extension_district", 3, "CPC art. 192(4)"),
        ("pretrial.extension_regional", 12, "CPC art. 192(4)"),
        ("pretrial.protocol", 10, "CPC art. 526(1)"),
        ("pretrial.extension_request", 5, "CPC art. 192(6)"),
        ("pretrial.notice_start", 24, "CPC art. 196(1)"),
        ("pretrial.notice_transfer", 24, "CPC art. 196(2)"),
    ]:
        row = terms.get(row_id)
        assert row.procedure == "criminal_case" and row.term == figure, row_id
        assert row.source.startswith(source), row_id
    assert terms.get("pretrial.notice_start").status is SourceStatus.OFFICE_PRACTICE
    assert terms.get("pretrial.extension_district").status is SourceStatus.CONFIRMED


# --- the term of the investigation: CPC art. 192(2), 526(1), 48 -----------------------------


def test_inquiry_ends_one_month_after_registration_cpc_art192_2(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    """Registered in ЕРДР on 10 March 2026: the inquiry must end by 10 April (a Friday)."""
    assert investigation_due(F.INQUIRY, at("2026-03-10"), cal, terms) == dt.date(2026, 4, 10)


def test_investigation_two_months_month_end_and_day_off_move_cpc_arts192_2_48_4(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    """Registered 31 December 2026: two months end on 28 February 2027 (no 31st), a Sunday,
    so on Monday 1 March (CPC art. 48(4)); the inquiry's month on Sunday 31 January → 1 Feb."""
    registered = at("2026-12-31")
    assert investigation_due(F.INVESTIGATION, registered, cal, terms) == dt.date(2027, 3, 1)
    assert investigation_due(F.INQUIRY, registered, cal, terms) == dt.date(2027, 2, 1)


def test_the_start_day_is_the_almaty_day_of_registration_cpc_art48_2(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    """22:30 UTC on 10 March is 03:30 on 11 March in Almaty: the month runs from 11 March, and
    11 April is a Saturday, so the inquiry ends on Monday 13 April."""
    registered = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)
    assert investigation_due(F.INQUIRY, registered, cal, terms) == dt.date(2026, 4, 13)


def test_protocol_form_ten_sutki_from_questioning_the_suspect_cpc_art526_1(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    """Ten сутки from questioning the suspect; until that moment is known, from registration
    (the earliest end: the office is reminded early, never late)."""
    registered = at("2026-03-31")
    assert investigation_due(
        F.PROTOCOL, registered, cal, terms, suspect_questioned_at=at("2026-04-02")
    ) == dt.date(2026, 4, 13)  # 12 April is a Sunday (CPC art. 48(4))
    assert investigation_due(F.PROTOCOL, registered, cal, terms) == dt.date(2026, 4, 10)


# --- extension: CPC art. 192(4)-(6) ---------------------------------------------------------


def route(
    cal: WorkingCalendar,
    terms: TermsTable,
    until: dt.date,
    ground: ExtensionGround = ExtensionGround.COMPLEXITY,
    form: InvestigationForm = F.INVESTIGATION,
) -> Authority:
    registered = at("2026-03-10")
    current = investigation_due(form, registered, cal, terms)
    return extension_route(form, registered, current, until, ground, cal, terms).authority


def test_district_prosecutor_extends_up_to_three_months_in_all_cpc_art192_4(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    """Registered 10 March: the district prosecutor may extend to 10 June at most (3 months
    from registration); one day more is for the regional prosecutor."""
    assert district_limit(at("2026-03-10"), cal, terms) == dt.date(2026, 6, 10)
    assert route(cal, terms, dt.date(2026, 6, 10)) is Authority.DISTRICT
    assert route(cal, terms, dt.date(2026, 6, 11)) is Authority.REGIONAL
    assert route(cal, terms, dt.date(2026, 5, 20), form=F.INQUIRY) is Authority.DISTRICT


def test_special_complexity_or_transfer_abroad_is_for_the_regional_prosecutor_cpc_art192_4(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    for ground in (ExtensionGround.SPECIAL_COMPLEXITY, ExtensionGround.FOREIGN_TRANSFER):
        assert route(cal, terms, dt.date(2026, 6, 1), ground) is Authority.REGIONAL


def test_beyond_twelve_months_only_the_prosecutor_general_cpc_art192_5(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    assert route(cal, terms, dt.date(2027, 3, 10)) is Authority.REGIONAL
    assert route(cal, terms, dt.date(2027, 3, 11)) is Authority.PROSECUTOR_GENERAL


def test_nothing_to_extend_and_protocol_form_not_extended_cpc_arts192_4_189_4(
    cal: WorkingCalendar, terms: TermsTable
) -> None:
    """A day not after the current end extends nothing; the protocol form is not extended: the
    head of the inquiry body appoints inquiry or investigation (CPC art. 189(4))."""
    assert route(cal, terms, dt.date(2026, 5, 1)) is Authority.NONE
    assert route(cal, terms, dt.date(2026, 5, 1), form=F.PROTOCOL) is Authority.NONE


def test_the_ruling_must_reach_the_prosecutor_five_sutki_before_the_end_cpc_art192_6(
    terms: TermsTable,
) -> None:
    due = dt.date(2026, 5, 12)
    assert request_deadline(due, terms) == dt.date(2026, 5, 7)
    assert not request_is_late(dt.date(2026, 5, 7), due, terms)
    assert request_is_late(dt.date(2026, 5, 8), due, terms)


# --- the notice of the start: CPC art. 196 --------------------------------------------------


def test_start_notice_watched_24_hours_not_moved_by_the_weekend_cpc_art196_1(
    terms: TermsTable,
) -> None:
    """CPC art. 196(1) says «немедленно»; the office watches 24 hours by the clock: registered
    on Friday 10 April 2026 at 17:00, overdue on Saturday at 17:00."""
    due = notice_due_at(at("2026-04-10", "T17:00:00+05:00"), terms)
    assert due == at("2026-04-11", "T17:00:00+05:00")


# --- the procedural prosecutor ----------------------------------------------------------------


def roster(*absent: str) -> Roster:
    day = dt.date(2026, 11, 23)
    staff = [
        Staff("head", "Серікбаев Нұрлан Асқарұлы", Position.DISTRICT_PROSECUTOR),
        Staff("dep-2", "Ким Виктор Андреевич", Position.DEPUTY, frozenset({"criminal"}), 2),
        Staff("as-2", "Петренко Ольга Игоревна", Position.ASSISTANT, frozenset({"criminal"}), 2),
        Staff("as-4", "Әлиев Нұржан", Position.ASSISTANT, frozenset({"criminal"}), 4),
        Staff("as-1", "Қасымов Ерлан Маратұлы", Position.ASSISTANT, frozenset({"appeals"}), 1),
    ]
    absences = [Absence(s, day, day, AbsenceKind.LEAVE) for s in absent]
    return Roster.of(staff, absences, [])


def test_procedural_prosecutor_by_area_presence_and_load() -> None:
    """CPC art. 193: the least loaded present prosecutor of the criminal area; an assistant of
    another area never; a deputy before a more loaded assistant."""
    day = dt.date(2026, 11, 23)
    chosen, _ = choose_procedural_prosecutor(roster(), day, {"as-2": 3, "as-4": 1, "dep-2": 2})
    assert chosen.id == "as-4"
    chosen, _ = choose_procedural_prosecutor(roster("as-4"), day, {"as-2": 3, "dep-2": 2})
    assert chosen.id == "dep-2"
    chosen, _ = choose_procedural_prosecutor(roster(), day, {})
    assert chosen.id == "as-2"  # equal load: assistants before the deputy, senior first
    chosen, why = choose_procedural_prosecutor(roster("as-2", "as-4", "dep-2"), day, {})
    assert chosen.id == "head" and "managing" in why


# --- the ЕРДР record and its inbox --------------------------------------------------------------


def record(**change: object) -> dict[str, object]:
    return {
        "external_id": "erdr-1",
        "erdr_number": "261234567890001",
        "registered_at": "2026-03-10T10:00:00+05:00",
        "cc_article": "188 ч.2",
        "form": "inquiry",
        "body": "Управление полиции Бостандыкского района",
        "investigator": "Сейітов Бақытжан Ерланұлы",
        "summary": "тайное хищение имущества",
        "office_code": "ALM-BST",
    } | change


def test_erdr_record_is_validated() -> None:
    """Digits only for the ЕРДР number (the CPC fixes no format, art. 180(3)); the moment of
    registration with its zone (CPC art. 179(1)), not in the future; a form of CPC art. 189."""
    assert ErdrCase.model_validate(record()).form is F.INQUIRY
    for bad in (
        {"erdr_number": "26-1234567890"},
        {"registered_at": "2026-03-10T10:00:00"},
        {"registered_at": "2099-01-01T10:00:00+05:00"},
        {"form": "pretrial"},
        {"cc_article": "кража"},
        {"iin": "850315400015"},
    ):
        with pytest.raises(ValidationError):
            ErdrCase.model_validate(record(**bad))


def test_inbox_folder_is_read_once(tmp_path: Path) -> None:
    """Each *.jsonl file is handed out once, then kept in processed/."""
    (tmp_path / "a.jsonl").write_text(
        json.dumps(record()) + "\n\n" + json.dumps(record(external_id="erdr-2")) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("not a record", encoding="utf-8")
    adapter = InboxFolderAdapter(tmp_path)
    assert [json.loads(r)["external_id"] for r in adapter.fetch()] == ["erdr-1", "erdr-2"]
    assert list(adapter.fetch()) == []
    assert (tmp_path / "processed" / "a.jsonl").exists() and (tmp_path / "notes.txt").exists()


def test_a_trigger_reference_or_a_bare_number_names_the_case() -> None:
    number = "ALM-BST-CRM-2026-000001"
    assert case_number(f"prosecutor.criminal_case.{number}") == number == case_number(number)


# --- the decisions ----------------------------------------------------------------------------


def decision(kind: str, language: str) -> str:
    head = Letterhead(
        "Алматы қаласы Бостандық ауданының прокуратурасы",
        "Прокуратура Бостандыкского района города Алматы",
        None,
        "Ким Виктор Андреевич",
        Position.DEPUTY,
        acting=True,
    )
    return as_text(
        render(
            kind,
            language,
            letterhead=head,
            registration_number="ALM-BST-CRM-2026-000001",
            date=dt.date(2026, 5, 6),
            erdr_number="261234567890001",
            registered_date="10.03.2026",
            cc_article="188 ч.2",
            form_name={"ru": "предварительное следствие", "kk": "алдын ала тергеу"}[language],
            body_name="Управление полиции Бостандыкского района",
            investigator="Сейітов Бақытжан Ерланұлы",
            request_date="05.05.2026",
            current_due="12.05.2026",
            new_due={"ru": "10.06.2026", "kk": "2026 жылғы 10 маусымға"}[language],
            reasoning="назначены судебные экспертизы <b>",
            refusal_reasoning="экспертизы окончены",
        )
    )


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_extension_decision_cites_cpc_art192_and_names_the_body_on_a_label_line(
    language: str,
) -> None:
    """The постановление rests on CPC art. 192(4) and 193(1)(13), signed by the deputy acting
    for the head (cl. 14-15); the body's name stands on «Кому:», not inside a sentence."""
    text = decision("pretrial_extension", language)
    if language == "ru":
        assert "частями второй и четвёртой статьи 192" in text
        assert "Кому: Управление полиции Бостандыкского района" in text
        assert "до 10.06.2026 включительно" in text
        assert "И.о. прокурора района В. Ким" in text
    else:
        assert "192-бабының екінші және төртінші бөліктерін" in text
        assert "Кімге: Управление полиции Бостандыкского района" in text
        assert "2026 жылғы 10 маусымға дейін" in text
    assert "<b>" in text  # autoescaped: shown as text, not markup
    assert "Уважаем" not in text


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_refusal_keeps_the_term_cpc_art192_4(language: str) -> None:
    text = decision("pretrial_extension_refusal", language)
    assert "12.05.2026" in text and "экспертизы окончены" in text
    assert ("отказать" in text) if language == "ru" else ("бас тартылсын" in text)
