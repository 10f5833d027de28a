"""The desk's rules: urgency order with overdue work first and marked, days counted in the
term's own unit, both languages complete, dates ДД.ММ.ГГГГ, no English left, personal data
masked. Pure: no database, no Prefect."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from models.office.roster import AbsenceKind, Position
from models.procedures import ProcedureKind, ProcedureStatus
from models.sweeps.desk import (
    BOARD_KEY,
    BOARD_TOTAL,
    LANGUAGES,
    VOCABULARY,
    AbsenceLine,
    ActingLine,
    EscalationLine,
    OfficeDesks,
    StaffLine,
    State,
    WorkItem,
    by_urgency,
    desk_key,
    escalation_order,
    render_all,
    timing,
)
from models.timing.calendar import ALMATY, WorkingCalendar
from models.timing.deadlines import TermUnit

CAL = WorkingCalendar(overrides=[])
TUESDAY = dt.date(2026, 12, 8)  # 7-11 December 2026 is a working week
NOW = dt.datetime(2026, 12, 8, 10, 30, tzinfo=ALMATY)
UI = "http://127.0.0.1:4200"
RUN = "0b7c2a86-5f0e-4c38-9c1e-7c3b1e9f2d11"
IIN = "850315400015"


def item(n: int, due: dt.date | None, **kw: object) -> WorkItem:
    values: dict[str, object] = {
        "subject": "duty",
        "id": n,
        "assignee_id": "dep-1",
        "registration_number": f"ALM-BST-APL-2026-{n:06d}",
        "procedure_kind": "appeal",
        "step": "consider",
        "title": "Жалоба на задержку зарплаты",
        "due_date": due,
        "unit": TermUnit.WORKING_DAYS,
    } | kw
    return WorkItem(**values)  # type: ignore[arg-type]


def office(items: list[WorkItem]) -> OfficeDesks:
    return OfficeDesks(
        on=TUESDAY,
        now=NOW,
        staff={
            "head": StaffLine("head", "Серікбаев Нұрлан Асқарұлы", "district_prosecutor"),
            "dep-1": StaffLine("dep-1", "Омарова Айгүл Бекенқызы", "deputy"),
            "as_1": StaffLine("as_1", "Қасымов Ерлан Маратұлы", "assistant"),
        },
        items=items,
        escalations=[
            EscalationLine(
                "duty",
                1,
                "ALM-BST-APL-2026-000001",
                "appeal",
                "consider",
                1,
                "as_1",
                "dep-1",
                TUESDAY,
            )
        ],
        absences=[AbsenceLine("head", "leave", TUESDAY, TUESDAY + dt.timedelta(days=9))],
        acting=[
            ActingLine(
                "dep-1", "head", TUESDAY, TUESDAY + dt.timedelta(days=9), "№ 12-к от 07.12.2026"
            )
        ],
    )


def test_overdue_work_comes_first_then_by_the_end_of_its_term() -> None:
    later = item(1, TUESDAY + dt.timedelta(days=3))
    long_overdue = item(2, TUESDAY - dt.timedelta(days=7))
    overdue = item(3, TUESDAY - dt.timedelta(days=1))
    today = item(4, TUESDAY)
    no_term = item(5, None)
    hours = item(6, None, due_at=NOW + dt.timedelta(hours=5), unit=TermUnit.HOURS)
    order = [
        i.id
        for i, _ in by_urgency(
            [later, no_term, today, overdue, hours, long_overdue], TUESDAY, NOW, CAL
        )
    ]
    assert order == [2, 3, 6, 4, 1, 5]


def test_overdue_by_working_days_for_a_working_day_term_and_calendar_days_otherwise() -> None:
    # due Friday 4 December; on Tuesday 8 December: two working days late (Mon, Tue), 4 days
    friday = dt.date(2026, 12, 4)
    assert timing(item(1, friday), TUESDAY, NOW, CAL)[:3] == (State.OVERDUE, 2, "working")
    calendar_term = item(1, friday, unit=TermUnit.CALENDAR_DAYS)
    assert timing(calendar_term, TUESDAY, NOW, CAL)[:3] == (State.OVERDUE, 4, "calendar")
    # due Monday 14 December: four working days left (9, 10, 11, 14 December)
    assert timing(item(1, dt.date(2026, 12, 14)), TUESDAY, NOW, CAL)[:2] == (State.IN_TIME, 4)


def test_an_hour_term_is_counted_in_hours_from_its_moment_cpc_art_48() -> None:
    """CPC art. 48(4)-(5): detention terms in hours run from the moment and never move."""
    late = item(1, None, due_at=NOW - dt.timedelta(hours=3, minutes=10), unit=TermUnit.HOURS)
    assert timing(late, TUESDAY, NOW, CAL)[:3] == (State.OVERDUE, 4, "hours")
    pages = render_all(office([late]), "ru", UI, CAL)
    assert "08.12.2026 07:20" in pages[desk_key("dep-1")]  # its time, 24-hour, Almaty


@pytest.mark.parametrize(("language", "mark"), [("ru", "ПРОСРОЧЕНО"), ("kk", "МЕРЗІМІ ӨТКЕН")])
def test_the_overdue_item_is_first_and_marked_with_a_link_to_its_waiting_run(
    language: str, mark: str
) -> None:
    items = [
        item(1, TUESDAY + dt.timedelta(days=6), flow_run_id="later-run"),
        item(
            2,
            TUESDAY - dt.timedelta(days=2),
            subject="approval",
            flow_run_id=RUN,
            title="Ответ на обращение / Өтінішке жауап",
        ),
    ]
    desk = render_all(office(items), language, UI, CAL)[desk_key("dep-1")]  # type: ignore[arg-type]
    rows = [line for line in desk.splitlines() if line.startswith(("| **", "| ")) and "|" in line]
    first = next(r for r in rows if "2026-000002" in r or "2026-000001" in r)
    assert mark in first and "2026-000002" in first
    assert f"{UI}/runs/flow-run/{RUN}" in first
    assert ("Ответ на обращение" if language == "ru" else "Өтінішке жауап") in first


def test_the_more_lines_count_the_rows_not_loaded_when_the_totals_are_given() -> None:
    """The store reads only the rows that can be shown and counts the rest (``totals``)."""
    data = replace(
        office([item(1, TUESDAY, flow_run_id=RUN), item(2, TUESDAY)]),
        totals={("terms", "dep-1"): 250, ("waiting", "dep-1"): 1, BOARD_TOTAL: 1203},
    )
    desk = render_all(data, "ru", UI, CAL)[desk_key("dep-1")]
    assert "…и ещё 50." in desk.split("## Мои сроки")[1].split("## ")[0]
    assert "…и ещё" not in desk.split("## Мои сроки")[0]  # one waits, it is shown
    assert "…и ещё 203." in render_all(data, "ru", UI, CAL)[BOARD_KEY]
    # without totals, every row is loaded and counted
    assert "…и ещё" not in render_all(office([]), "ru", UI, CAL)[BOARD_KEY]


def test_escalations_are_in_one_total_order_latest_and_highest_first() -> None:
    def line(subject: str, subject_id: int, level: int, days_ago: int) -> EscalationLine:
        on = TUESDAY - dt.timedelta(days=days_ago)
        return EscalationLine(subject, subject_id, "N", "appeal", "consider", level, None, "x", on)

    lines = [
        line("approval", 1, 1, 0),
        line("duty", 9, 1, 0),
        line("duty", 3, 1, 0),
        line("duty", 2, 2, 1),
        line("duty", 5, 2, 0),
    ]
    ordered = [(e.subject, e.subject_id) for e in sorted(lines, key=escalation_order)]
    assert ordered == [("duty", 5), ("duty", 3), ("duty", 9), ("approval", 1), ("duty", 2)]


def test_desk_keys_are_valid_prefect_artifact_keys() -> None:
    assert desk_key("dep-1") == "desk-dep-1"
    assert desk_key("As_1") == "desk-as-1"
    assert desk_key("Dep.2 ") == "desk-dep-2"
    pages = render_all(office([]), "ru", UI, CAL)
    assert set(pages) == {"desk-head", "desk-dep-1", "desk-as-1", BOARD_KEY}
    assert all(re.fullmatch(r"[a-z0-9-]+", key) for key in pages)


def test_both_languages_have_the_same_words_for_everything() -> None:
    for name, tables in VOCABULARY.items():
        assert set(tables["ru"]) == set(tables["kk"]), name
    kinds = VOCABULARY["procedure_kinds"]["ru"]
    assert set(kinds) == {k.value for k in ProcedureKind}
    assert set(VOCABULARY["procedure_statuses"]["ru"]) == {s.value for s in ProcedureStatus}
    assert set(VOCABULARY["positions"]["ru"]) == {p.value for p in Position}
    assert set(VOCABULARY["absences"]["ru"]) == {a.value for a in AbsenceKind}


def _everything() -> OfficeDesks:
    """One of each: every procedure kind, an approval, a body's answer, an hour term, an
    English title, an open procedure without duties, an absence with and without an order."""
    items = [
        item(
            n,
            TUESDAY + dt.timedelta(days=n - 10),
            procedure_kind=kind.value,
            step=step,
            flow_run_id=RUN,
        )
        for n, (kind, step) in enumerate(
            zip(
                list(ProcedureKind),
                ["consider", "demand-1-2", "item-3-police", "zzz"] * 5,
                strict=False,
            ),
            start=1,
        )
    ]
    items += [
        item(40, TUESDAY, subject="approval", title="Reply to the applicant"),
        item(41, TUESDAY, body_id="police", step="request-1-1", title="Release: rep-1"),
        item(42, None, due_at=NOW + dt.timedelta(hours=30), unit=TermUnit.HOURS),
    ]
    data = office(items)
    return OfficeDesks(
        **{
            **data.__dict__,
            "absences": [*data.absences, AbsenceLine("as_1", "sick_leave", TUESDAY, TUESDAY)],
            "idle_procedures": [
                item(
                    50,
                    TUESDAY,
                    subject="procedure",
                    assignee_id=None,
                    procedure_status="in_progress",
                )
            ],
        },
    )


def _without_ids_and_links(markdown: str) -> str:
    text = re.sub(r"\]\([^)]*\)", "]", markdown)  # link targets
    text = re.sub(r"[A-Z]{3}-[A-Z]{3}-[A-Z]{3}-\d{4}-\d{6}", "", text)  # registration numbers
    return re.sub(r"\((?:head|dep-1|as_1)\)", "", text)  # staff ids after names


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_label_is_left_in_either_language(language: str) -> None:
    pages = render_all(_everything(), language, UI, CAL)  # type: ignore[arg-type]
    for key, markdown in pages.items():
        leftover = re.findall(r"[A-Za-z]+", _without_ids_and_links(markdown))
        assert leftover == [], (key, leftover)


def test_dates_are_written_dd_mm_yyyy_in_both_languages() -> None:
    for language in LANGUAGES:
        board = render_all(_everything(), language, UI, CAL)[BOARD_KEY]  # type: ignore[arg-type]
        assert "08.12.2026" in board and "17.12.2026" in board  # the absence's period
        assert not re.search(r"\d{4}-\d{2}-\d{2}", _without_ids_and_links(board))


def test_escalations_say_from_whom_and_absences_name_the_acting_order() -> None:
    desk = render_all(office([]), "ru", UI, CAL)[desk_key("dep-1")]
    escalated = desk.split("## Передано мне")[1].split("## ")[0]
    assert "Қасымов Ерлан Маратұлы (as_1)" in escalated and "1-й" in escalated
    assert "№ 12-к от 07.12.2026" in desk and "отпуск" in desk
    assert "Омарова Айгүл Бекенқызы (dep-1)" in desk.split("## Отсутствуют")[1]
    kk = render_all(office([]), "kk", UI, CAL)[desk_key("head")]
    assert "демалыс" in kk and "08.12.2026 – 17.12.2026" in kk


def test_titles_are_masked_and_no_iin_is_shown() -> None:
    """Personal data law No. 94-V art. 1: the desks are readable by every UI user."""
    quoting = item(
        1,
        TUESDAY,
        title=f"Жалоба {IIN}, тел. +7 701 555 01 01, mail aigul@example.kz",
    )
    for language in LANGUAGES:
        for markdown in render_all(office([quoting]), language, UI, CAL).values():  # type: ignore[arg-type]
            assert IIN not in markdown and "555 01 01" not in markdown
    board = render_all(office([quoting]), "ru", UI, CAL)[BOARD_KEY]
    assert "********0015" in board
