"""Court acts not yet in force: the appeal windows and the апелляционное ходатайство, pure rules
with their sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models.office.roster import Position
from models.procedures.court_acts import (
    WINDOWS,
    CourtAct,
    WindowKind,
    conclusion_due,
    missing_content,
    petition_fields,
    window_closed,
)
from models.records.rendering import Letterhead, as_text, environment, render
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit, due_date
from models.timing.terms import default_terms

CAL = WorkingCalendar(overrides=[])


def court_act(**given: Any) -> CourtAct:
    values: dict[str, Any] = {
        "kind": WindowKind.CRIMINAL_VERDICT,
        "case_number": "7512-26-00-1/101",
        "act_date": dt.date(2026, 3, 2),
        "window_starts_on": dt.date(2026, 3, 2),
        "received_on": dt.date(2026, 3, 2),
        "court_name_ru": "Бостандыкский районный суд города Алматы",
        "court_name_kk": "Алматы қаласы Бостандық аудандық соты",
        "appellate_court_ru": "судебную коллегию по уголовным делам Алматинского городского суда",
        "appellate_court_kk": "Алматы қалалық сотының қылмыстық істер жөніндегі сот алқасына",
    }
    return CourtAct(**(values | given))


def test_verdict_window_runs_from_pronouncement_not_receipt_cpc_art_418_1() -> None:
    """CPC art. 418(1): 15 сутки from the pronouncement. Pronounced Monday 2 March 2026 and
    received a week later (9 March): the window still ends on 17 March; counted from the day
    of receipt it would reach past the Nauryz holidays."""
    on_time = court_act(received_on=dt.date(2026, 3, 2))
    a_week_later = court_act(received_on=dt.date(2026, 3, 9))
    assert a_week_later.window_end(CAL) == on_time.window_end(CAL) == dt.date(2026, 3, 17)
    from_receipt = due_date(dt.date(2026, 3, 9), 15, TermUnit.CALENDAR_DAYS, CAL)
    assert a_week_later.window_end(CAL) != from_receipt


def test_the_prosecutors_window_has_no_custody_variant_cpc_art_418_1() -> None:
    """CPC art. 418(1): the prosecutor's petition is brought within 15 сутки of the
    pronouncement; the delivery of the copy starts only the window of a convict in custody, so
    no window of the prosecutor runs from a delivery of a verdict."""
    assert {rule.source for rule in WINDOWS.values() if "verdict" in rule.starts_with} == {
        "CPC art. 418(1)"
    }
    assert all(
        "delivery" not in r.starts_with for r in WINDOWS.values() if r.act_name["ru"] == "приговор"
    )


def test_civil_decision_month_runs_from_the_final_form_civpc_art_403_3() -> None:
    """CivPC art. 403(3): one month from the decision in final form, not from its announcement
    or receipt. Final form 30 January 2026: February has no 30th, so the month ends on
    28 February (CivPC art. 123(2)), a Saturday, and so on Monday 2 March (art. 123(4))."""
    act = court_act(
        kind=WindowKind.CIVIL_DECISION,
        act_date=dt.date(2026, 1, 20),
        window_starts_on=dt.date(2026, 1, 30),
        received_on=dt.date(2026, 2, 9),
    )
    assert act.window_end(CAL) == dt.date(2026, 3, 2)
    assert court_act(
        kind=WindowKind.CIVIL_DECISION,
        act_date=dt.date(2026, 1, 20),
        window_starts_on=dt.date(2026, 1, 30),
        received_on=dt.date(2026, 1, 30),
    ).window_end(CAL) == act.window_end(CAL)


def test_admin_offence_court_decision_window_runs_from_delivery_coao_arts_832_1_739_3() -> None:
    """CoAO art. 832(1): an апелляционное ходатайство on a court's decision within ten сутки of
    its delivery. Whether сутки skip non-working time (art. 739(3)) is read two ways; the office
    files by the earlier end, ten calendar days: delivered Monday 6 April 2026, the window ends
    Thursday 16 April; the day of receipt moves nothing."""
    assert WINDOWS[WindowKind.ADMIN_OFFENCE_DECISION].term_id == "court.admin_offence_petition"
    delivered = dt.date(2026, 4, 6)
    act = court_act(
        kind=WindowKind.ADMIN_OFFENCE_DECISION,
        act_date=dt.date(2026, 4, 3),
        window_starts_on=delivered,
        received_on=dt.date(2026, 4, 10),
    )
    assert act.window_end(CAL) == dt.date(2026, 4, 16)
    same_day = court_act(
        kind=WindowKind.ADMIN_OFFENCE_DECISION,
        act_date=dt.date(2026, 4, 3),
        window_starts_on=delivered,
        received_on=delivered,
    )
    assert same_day.window_end(CAL) == act.window_end(CAL)


def test_each_window_is_a_row_of_the_terms_table_with_its_statutory_figure() -> None:
    """CPC art. 418(1): 15 сутки; CivPC art. 403(3): one month."""
    terms = default_terms()
    criminal = terms.get(WINDOWS[WindowKind.CRIMINAL_VERDICT].term_id)
    assert (criminal.term, criminal.unit) == (15, TermUnit.CALENDAR_DAYS)
    civil = terms.get(WINDOWS[WindowKind.CIVIL_DECISION].term_id)
    assert (civil.term, civil.unit) == (1, TermUnit.MONTHS)
    for rule in WINDOWS.values():
        terms.get(rule.term_id)


def test_conclusion_due_a_margin_of_working_days_before_the_window_ends() -> None:
    """Office practice (court.review_margin): window ending Tuesday 17 March 2026, two working
    days earlier is Friday 13 March; a window ending 26 March skips Nauryz (21-25 March) and
    the weekend: 19 March."""
    received = dt.date(2026, 3, 2)
    assert conclusion_due(dt.date(2026, 3, 17), CAL, received_on=received, margin=2) == dt.date(
        2026, 3, 13
    )
    assert conclusion_due(dt.date(2026, 3, 26), CAL, received_on=received, margin=2) == dt.date(
        2026, 3, 19
    )
    margin = default_terms().get("court.review_margin").term
    assert conclusion_due(dt.date(2026, 3, 17), CAL, received_on=received) == conclusion_due(
        dt.date(2026, 3, 17), CAL, received_on=received, margin=margin
    )


def test_an_act_received_late_is_concluded_on_receipt_not_before() -> None:
    """A conclusion cannot be due before the act reached the office: received 16 March, the
    window ending 17 March, the conclusion is due on 16 March, not 13 March."""
    late = dt.date(2026, 3, 16)
    assert conclusion_due(dt.date(2026, 3, 17), CAL, received_on=late, margin=2) == late


def test_a_closed_window_needs_restoring_cpc_art_419_civpc_art_403_5() -> None:
    assert window_closed(dt.date(2026, 3, 17), dt.date(2026, 3, 18))
    assert not window_closed(dt.date(2026, 3, 17), dt.date(2026, 3, 17))
    assert WINDOWS[WindowKind.CRIMINAL_VERDICT].restoration == "CPC art. 419"
    assert WINDOWS[WindowKind.CIVIL_DECISION].restoration == "CivPC art. 403(5)"


def test_window_start_in_the_future_is_refused_cpc_art_418_1() -> None:
    tomorrow = today() + dt.timedelta(days=1)
    with pytest.raises(ValueError, match="cannot start in the future"):
        court_act(act_date=tomorrow, window_starts_on=tomorrow, received_on=tomorrow)


def test_received_before_the_window_start_is_refused() -> None:
    """The act cannot reach the office before the pronouncement, delivery or final form."""
    with pytest.raises(ValueError, match="before the window starts"):
        court_act(window_starts_on=dt.date(2026, 3, 12), received_on=dt.date(2026, 3, 10))


def test_window_start_before_the_act_is_refused() -> None:
    with pytest.raises(ValueError, match="before the court act was passed"):
        court_act(act_date=dt.date(2026, 3, 5), window_starts_on=dt.date(2026, 3, 2))


def test_the_act_is_typed_case_number_and_courts_required() -> None:
    with pytest.raises(ValueError):
        court_act(case_number="")
    with pytest.raises(ValueError):
        court_act(court_name_ru="")


def test_petition_needs_grounds_and_request_civpc_art_404_1_cpc_art_423_1() -> None:
    """CivPC art. 404(1)(4)-(5), CPC art. 423(1)(5), CoAO art. 833(1)(4)-(5): why the act is
    unlawful and what is asked."""
    assert missing_content("", "отменить") == ["grounds"]
    assert missing_content("нарушен закон", "  ") == ["request"]
    assert missing_content("нарушен закон", "отменить") == []


LETTERHEAD = Letterhead(
    "Алматы қаласы Бостандық ауданының прокуратурасы",
    "Прокуратура Бостандыкского района города Алматы",
    "Алматы қ., Бостандық ауданы",
    "Серікбаев Н.А.",
    Position.DISTRICT_PROSECUTOR,
    False,
)


def title_of(kind: str, language: str) -> str:
    """The document's title as the template gives it to the letterhead (``{% block title %}``)."""
    template = environment().get_template(f"{language}/{kind}.html.j2")
    return "".join(template.blocks["title"](template.new_context({})))


def petition(act: CourtAct, language: str, **given: Any) -> str:
    fields = petition_fields(
        act,
        language,
        grounds=given.get("grounds", "суд неправильно применил уголовный закон"),
        request=given.get("request", "отменить приговор"),
        scope=given.get("scope"),
        attachments=given.get("attachments", ()),
    )
    return as_text(
        render(
            "appellate_petition",
            language,
            letterhead=LETTERHEAD,
            registration_number="ALM-BST-CRT-2026-1",
            date=dt.date(2026, 3, 10),
            **fields,
        )
    )


def test_petition_is_an_appellate_petition_through_the_first_instance_cpc_art_417_1() -> None:
    """CL-155 art. 38, CPC art. 414(2): an апелляционное ходатайство, not a protest; addressed
    to the appellate court and brought through the court that passed the verdict (CPC art.
    417(1)); it names the act, its date, case number and court (CPC art. 423(1)(1), (3))."""
    text = petition(court_act(), "ru", attachments=["копия приговора"])
    assert title_of("appellate_petition", "ru") == "АПЕЛЛЯЦИОННОЕ ХОДАТАЙСТВО"
    assert "ПРОТЕСТ" not in text and "протест" not in text
    assert (
        "В судебную коллегию по уголовным делам Алматинского городского суда\n"
        "через Бостандыкский районный суд города Алматы"
    ) in text
    assert "приговор от 02.03.2026 по делу № 7512-26-00-1/101" in text
    assert "Суд, вынесший судебный акт: Бостандыкский районный суд города Алматы." in text
    assert "в полном объеме" in text and "ПРОШУ: отменить приговор" in text
    assert "статьей 38 Конституционного закона Республики Казахстан «О прокуратуре»" in text
    assert "статьями 414-418, 423 Уголовно-процессуального кодекса" in text
    assert "копия приговора" in text
    assert "81-VI" not in text


def test_civil_petition_cites_civpc_arts_401_403_404() -> None:
    """CivPC art. 401(3) (the district prosecutor's right), 403(1) (through the court that
    passed the decision), 404 (content)."""
    act = court_act(
        kind=WindowKind.CIVIL_DECISION,
        appellate_court_ru="судебную коллегию по гражданским делам Алматинского городского суда",
    )
    text = petition(act, "ru", request="отменить решение")
    assert "решение от 02.03.2026" in text
    assert "статьями 401, 403, 404 Гражданского процессуального кодекса" in text
    assert "Уголовно-процессуального" not in text


def test_kazakh_petition_addresses_the_court_by_its_kazakh_name() -> None:
    """In the document's language: the appellate court (dative) and «... арқылы»."""
    scope = "жазаны тағайындау бөлігінде"
    text = petition(court_act(), "kk", request="үкімнің күшін жою", scope=scope)
    assert title_of("appellate_petition", "kk") == "АПЕЛЛЯЦИЯЛЫҚ ӨТІНІШХАТ"
    assert "наразылық" not in text.lower()
    assert (
        "Алматы қалалық сотының қылмыстық істер жөніндегі сот алқасына\n"
        "Алматы қаласы Бостандық аудандық соты арқылы"
    ) in text
    # a Kazakh date before a noun stands as an attribute, not bare
    assert "№ 7512-26-00-1/101 іс бойынша 2026 жылғы 2 наурыздағы үкімге" in text
    assert "№ 7512-26-00-1/101 іс бойынша 2026 жылғы 2 наурыздағы үкім, заңды күшіне" in text
    assert scope in text
    assert "Конституциялық заңының 38-бабын" in text and "Бостандыкский" not in text


def test_court_names_are_escaped_in_the_petition() -> None:
    html = render(
        "appellate_petition",
        "ru",
        letterhead=LETTERHEAD,
        registration_number="X",
        date=dt.date(2026, 3, 10),
        **petition_fields(court_act(court_name_ru="<b>суд</b>"), "ru", grounds="g", request="r"),
    )
    assert "<b>суд</b>" not in html and "&lt;b&gt;суд&lt;/b&gt;" in html
