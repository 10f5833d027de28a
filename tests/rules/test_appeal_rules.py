"""Appeal rules and documents, pure: competence (CL-155 art. 24(1)), anonymous (24(6)) and
repeated (24(8)) appeals, the extension (24(4)), assignment, templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from models.appeals import (
    GROUNDS,
    ExtensionRefused,
    check_extension,
    choose_assignee,
    considered_when_anonymous,
    default_register,
    load_register,
    may_report,
    repeat_is_ended,
    report_problem,
    text_fingerprint,
)
from models.office.roster import Absence, AbsenceKind, Position, Roster, Staff
from models.records.rendering import Letterhead, as_text, render, signatory_title

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


def test_topics_of_other_bodies_are_redirected_cl155_art24_1_appc_art65_1() -> None:
    """CL-155 art. 24(1), APPC art. 65(1): an appeal outside the closed list goes to the
    competent body."""
    register = default_register()
    tariffs = register.decide("utilities_tariffs")
    assert not tariffs.ours and tariffs.redirect_to is not None
    assert "монополий" in tariffs.redirect_to.name(
        "ru"
    ) and "монополия" in tariffs.redirect_to.name("kk")


def test_every_considered_topic_names_a_ground_of_the_closed_list_cl155_art24_1() -> None:
    """CL-155 art. 24(1) items 1-7: a considered topic carries its ground, or is classified."""
    register = default_register()
    assert register.decide("labour_rights").area == "social"
    assert register.decide("business_rights").ground == 3
    assert register.decide("national_security").ground == 4
    assert set(GROUNDS) == {1, 2, 3, 4, 5, 6, 7}
    for topic, competence in register.topics.items():
        if competence.ours:
            assert competence.ground in {None, *GROUNDS}, topic


def test_an_unlisted_topic_is_not_presumed_considered_cl155_art24_1() -> None:
    """CL-155 art. 24(1) is a closed list: an unlisted topic is classified by the assistant."""
    register = default_register()
    for topic in ("something_new", None):
        decision = register.decide(topic)
        assert decision.needs_classification and decision.ground is None


def test_register_refuses_a_ground_outside_the_list_cl155_art24_1(tmp_path: Path) -> None:
    bad = tmp_path / "competence.yaml"
    bad.write_text("topics:\n  x: {area: social, ground: 8}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="1-7"):
        load_register(bad)


def test_anonymous_considered_only_on_crimes_or_threats_cl155_art24_6() -> None:
    """CL-155 art. 24(6): information on criminal offences or threats to security."""
    register = default_register()
    assert considered_when_anonymous(register.decide("crime_report"))
    assert considered_when_anonymous(register.decide("national_security"))
    assert not considered_when_anonymous(register.decide("labour_rights"))
    assert not considered_when_anonymous(register.decide(None))


def test_repeated_appeal_ended_only_when_nothing_new_and_answered_cl155_art24_8() -> None:
    """CL-155 art. 24(8): both conditions."""
    assert repeat_is_ended(brings_nothing_new=True, earlier_answered=True)
    assert not repeat_is_ended(brings_nothing_new=True, earlier_answered=False)
    assert not repeat_is_ended(brings_nothing_new=False, earlier_answered=True)


def test_investigator_complaints_are_not_appeals_cl155_art24_9_cpc_art105() -> None:
    """CL-155 art. 24(9): complaints the CPC governs leave the appeal review (CPC art. 105(2))."""
    register = default_register()
    assert register.decide("investigator_actions").cpc_term == "complaint.investigator"
    assert register.decide("detention").cpc_term == "complaint.investigator_urgent"
    assert not register.decide("investigator_actions").ours


def test_extension_to_a_chosen_date_within_two_months_cl155_art24_4() -> None:
    """CL-155 art. 24(4): a reasonable term up to two months; beyond is refused."""
    received, due, latest = dt.date(2026, 11, 2), dt.date(2026, 11, 23), dt.date(2027, 1, 4)
    check_extension(dt.date(2026, 12, 7), due, latest, dt.date(2026, 11, 20))  # not the maximum
    check_extension(latest, due, latest, dt.date(2026, 11, 20))
    with pytest.raises(ExtensionRefused, match=r"24\(4\)"):
        check_extension(latest + dt.timedelta(days=1), due, latest, received)
    with pytest.raises(ExtensionRefused):
        check_extension(due, due, latest, received)  # does not extend


def test_report_must_classify_and_wait_for_the_inspection_cl155_art24_1_and_4() -> None:
    ok = dict(forward_to=None, final=False, inspection_open=False, inspection_ended_on=None)
    assert report_problem(needs_ground=True, ground=None, **ok) is not None  # 24(1)
    assert report_problem(needs_ground=True, ground=2, **ok) is None
    assert report_problem(needs_ground=True, ground=0, **ok) is not None  # forward: which body?
    assert report_problem(needs_ground=True, ground=0, **{**ok, "forward_to": "Акимат"}) is None
    waiting = {**ok, "final": True, "inspection_open": True}
    assert report_problem(needs_ground=False, ground=None, **waiting) is not None  # 24(4) ¶2
    ended = {**waiting, "inspection_ended_on": DAY}
    assert report_problem(needs_ground=False, ground=None, **ended) is None


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
        "ground": 2,
        "ground_text": GROUNDS[2][language],
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
    # the matter's number as a reference; the outgoing number and date are stamped at signing
    assert "ALM-BST-APL-2026-000001" in body and 'class="outgoing-number"' in body
    assert (
        "Н. Серікбаев" in body
        and signatory_title(Position.DISTRICT_PROSECUTOR, False, language) in body
    )
    assert ("Аудан прокуратурасы" if language == "kk" else "Прокуратура района") in body


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_reply_states_ground_and_right_to_complain_cl155_art24_7_art25(language: str) -> None:
    """CL-155 art. 24(7): reasoned, in the appeal's language, with the right to complain, which
    art. 25(1) gives to the higher prosecutor within three months. No gendered salutation; no
    repealed law."""
    body = letter(language)
    assert GROUNDS[2][language] in body
    if language == "ru":
        assert "подпункта 2) пункта 1 статьи 24" in body and "пунктом 1 статьи 25" in body
        assert "вышестоящему прокурору" in body and "трёх месяцев" in body
    else:
        assert "24-бабы 1-тармағының 2) тармақшасы" in body and "25-бабының 1-тармағына" in body
        assert "жоғары тұрған прокурорға" in body and "үш айдан" in body
    assert "Уважаемый" not in body and "81-VI" not in body


@pytest.mark.parametrize(
    ("kind", "fields", "cited"),
    [
        ("interim_reply", {"inspection_number": "INS-7"}, ("пункта 4 статьи 24", "24-бабы 4")),
        (
            "extension_notice",
            {"new_due": "01.12.2026", "reason": "x"},
            ("статьи 24", "24-бабының 4"),
        ),
        ("termination_notice", {"previous_number": "N-1"}, ("пунктом 8 статьи 24", "24-бабының 8")),
        ("redirection_notice", {"body_name": "Акимат"}, ("статьи 65", "65-бабының 1")),
    ],
)
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_letters_cite_cl155_art24_not_the_repealed_law(
    language: str, kind: str, fields: dict[str, str], cited: tuple[str, str]
) -> None:
    body = render(
        kind,
        language,
        letterhead=LETTERHEAD,
        registration_number="N-2",
        date=DAY,
        applicant_name="Иванов И.",
        addressee_name="Иванов И.",
        addressee_address=None,
        subject="Жалоба",
        received="20.11.2026",
        **fields,
    )
    assert cited[0 if language == "ru" else 1] in body
    assert "Уважаемый" not in body and "81-VI" not in body


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
