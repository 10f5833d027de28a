"""Appeal rules and documents, pure: competence, assignment, repeated appeals, templates."""

from __future__ import annotations

import datetime as dt

import pytest
from jinja2 import UndefinedError

from models.appeals import choose_assignee, default_register, may_report, text_fingerprint
from models.rendering import Letterhead, as_text, render, signatory_title
from models.roster import Absence, AbsenceKind, Position, Roster, Staff

DAY = dt.date(2026, 12, 2)


def office(*absent: str) -> Roster:
    return Roster.of(
        [
            Staff("head", "Head", Position.DISTRICT_PROSECUTOR),
            Staff("dep1", "Deputy", Position.DEPUTY, frozenset({"social", "appeals"}), 1),
            Staff("as1", "One", Position.ASSISTANT, frozenset({"social"}), 1),
            Staff("as2", "Two", Position.ASSISTANT, frozenset({"social"}), 2),
            Staff("as3", "Three", Position.ASSISTANT, frozenset({"criminal"}), 3),
        ],
        [Absence(s, DAY, DAY, AbsenceKind.SICK_LEAVE) for s in absent],
    )


def test_topics_of_other_bodies_are_redirected_others_considered() -> None:
    """APPC art. 65(1): an appeal outside the prosecutor's competence goes to the competent body."""
    register = default_register()
    tariffs = register.decide("utilities_tariffs")
    assert not tariffs.ours and tariffs.redirect_to is not None
    assert "монополий" in tariffs.redirect_to.name(
        "ru"
    ) and "монополия" in tariffs.redirect_to.name("kk")
    assert register.decide("labour_rights").area == "social"
    assert register.decide("something_new").area == "appeals"  # general supervision
    assert register.decide(None).ours


def test_assignment_by_area_and_load_skipping_the_absent() -> None:
    roster = office()
    assert choose_assignee(roster, DAY, "social", {"as1": 5, "as2": 1})[0].id == "as2"
    assert choose_assignee(roster, DAY, "social", {})[0].id == "as1"  # tie: seniority
    assert choose_assignee(office("as1"), DAY, "social", {"as2": 9})[0].id == "as2"
    staff, why = choose_assignee(office("as1", "as2"), DAY, "social", {})
    assert staff.id == "dep1" and "deputy" in why
    assert choose_assignee(roster, DAY, "tax", {})[0].id == "head"


def test_who_may_report_on_an_appeal() -> None:
    roster = office()
    assert may_report(roster, DAY, "as1", "as1") and may_report(roster, DAY, "as1", "dep1")
    assert not may_report(roster, DAY, "as1", "as3")
    assert may_report(office("as1"), DAY, "as1", "as2")  # replaces the absent assignee


def test_repeated_text_matches_across_spacing_and_case() -> None:
    assert text_fingerprint("Прошу  проверить\nДОВОДЫ") == text_fingerprint(
        "прошу проверить доводы"
    )
    assert text_fingerprint("Прошу проверить") != text_fingerprint("Прошу проверить снова")


LETTERHEAD = Letterhead(
    "Аудан прокуратурасы",
    "Прокуратура района",
    "Алматы",
    "Серікбаев Н.",
    Position.DISTRICT_PROSECUTOR,
    False,
)


def letter(language: str, **fields: object) -> str:
    values: dict[str, object] = {
        "applicant_name": "Иванов И.",
        "addressee_name": "Иванов И.",
        "addressee_address": None,
        "subject": "Жалоба",
        "received": "20.11.2026",
        "findings": "Нарушений не выявлено.",
        "measures": None,
        "outcome": "not_upheld",
    }
    values.update(fields)
    return render(
        "reply",
        language,
        letterhead=LETTERHEAD,
        registration_number="ALM-BST-APL-2026-000001",
        date=DAY,
        **values,
    )


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_reply_carries_number_date_signatory_and_office(language: str) -> None:
    body = letter(language)
    assert "ALM-BST-APL-2026-000001" in body and "02.12.2026" in body
    assert (
        "Серікбаев Н." in body
        and signatory_title(Position.DISTRICT_PROSECUTOR, False, language) in body
    )
    assert ("Аудан прокуратурасы" if language == "kk" else "Прокуратура района") in body


def test_applicant_text_with_html_and_template_syntax_is_shown_as_text() -> None:
    body = letter(
        "ru", subject="<script>alert('x')</script> {{ config }}", findings="{% raw %}<i>ok</i>"
    )
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "{{ config }}" in body and "{% raw %}" in body  # not evaluated
    assert "<script>alert('x')</script> {{ config }}" in as_text(body)


def test_a_letter_with_a_missing_field_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render(
            "reply",
            "ru",
            letterhead=LETTERHEAD,
            registration_number="X",
            date=DAY,
            applicant_name="A",
        )
    with pytest.raises(ValueError, match="kk or ru"):
        render("reply", "en", letterhead=LETTERHEAD, registration_number="X", date=DAY)


def test_acting_signatory_is_titled_as_acting() -> None:
    """Regulation cl. 15: a deputy replacing the head signs as acting district prosecutor."""
    assert signatory_title(Position.DEPUTY, True, "ru") == "И.о. прокурора района"
    assert signatory_title(Position.DEPUTY, False, "kk") == "Аудан прокурорының орынбасары"
    with pytest.raises(ValueError):
        signatory_title(Position.ASSISTANT, False, "ru")
