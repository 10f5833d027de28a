"""The letterhead of an outgoing document (реквизиты исходящего документа), in Kazakh and
Russian: the office's name in both languages, its address and contacts, the outgoing number and
date (blank in the draft, filled by the register's stamp), the reply's reference to the incoming
letter, the title, the addressee, the signatory as "И. Фамилия" with the title (and the acting
title), and the executor with a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from jinja2 import ChoiceLoader, DictLoader

from models.office.roster import Position
from models.records import rendering
from models.records.rendering import BLANK, Letterhead, as_text, render, short_name, stamp

NAME_KK = "Алматы қаласы Бостандық ауданының прокуратурасы"
NAME_RU = "Прокуратура Бостандыкского района города Алматы"
SMALL = {
    "kk": '{% extends "base.html.j2" %}{% block title %}ХАТ{% endblock %}'
    "{% block body %}<p>Мәтін: {{ text }}</p>{% endblock %}",
    "ru": '{% extends "base.html.j2" %}{% block title %}ПИСЬМО{% endblock %}'
    "{% block body %}<p>Текст: {{ text }}</p>{% endblock %}",
}
LEGACY = {
    "kk": '{% extends "base.html.j2" %}{% block reference %}ескі сілтеме{% endblock %}'
    "{% block body %}<p>ескі</p>{% endblock %}",
    "ru": '{% extends "base.html.j2" %}{% block reference %}старая ссылка{% endblock %}'
    "{% block body %}<p>старое</p>{% endblock %}",
}


@pytest.fixture(autouse=True)
def small_templates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two small kinds beside the real templates, rendered through the real base."""
    env = rendering.environment()
    extra = {f"{lang}/small.html.j2": SMALL[lang] for lang in SMALL}
    extra |= {f"{lang}/legacy.html.j2": LEGACY[lang] for lang in LEGACY}
    monkeypatch.setattr(env, "loader", ChoiceLoader([DictLoader(extra), env.loader]))
    monkeypatch.setattr(rendering, "document_kinds", lambda: frozenset({"small", "legacy"}))
    env.cache.clear()  # type: ignore[union-attr]
    yield
    env.cache.clear()  # type: ignore[union-attr]


def letterhead(**over: object) -> Letterhead:
    fields: dict[str, object] = {
        "office_name_kk": NAME_KK,
        "office_name_ru": NAME_RU,
        "office_address": "050040, Алматы қ., Тимирязев к-сі, 1",
        "signatory_name": "Серікбаев Нұрлан Асқарұлы",
        "signatory_position": Position.DISTRICT_PROSECUTOR,
        "acting": False,
        "office_phone": "+7 (727) 250-10-00",
        "office_email": "office@example.kz",
        "executor_name": "Жұмабаева Динара Сәбитқызы",
        "executor_phone": "+7 (727) 250-10-14",
    }
    fields.update(over)
    return Letterhead(**fields)  # type: ignore[arg-type]


def small(language: str, kind: str = "small", head: Letterhead | None = None, **f: object) -> str:
    return render(
        kind,
        language,
        letterhead=head or letterhead(),
        registration_number="ALM-BST-APL-2026-000007",
        date=dt.date(2026, 11, 27),
        addressee_name="Сейтқали Әлия Нұрғалиқызы",
        text="сынақ",
        **f,
    )


def test_short_name_is_initial_then_surname() -> None:
    """The roster stores "Фамилия Имя Отчество"; a signature block reads "И. Фамилия"."""
    assert short_name("Серікбаев Нұрлан Асқарұлы") == "Н. Серікбаев"
    assert short_name("Ким Виктор Андреевич") == "В. Ким"
    assert short_name("Ким") == "Ким"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_letterhead_carries_the_requisites(language: str) -> None:
    """Both names of the office, address, phone, e-mail, title, addressee, body, signatory
    "И. Фамилия" with the title, and the executor's footer, in each language."""
    text = as_text(small(language))
    for requisite in (
        NAME_KK,
        NAME_RU,
        "050040, Алматы қ., Тимирязев к-сі, 1",
        "+7 (727) 250-10-00",
        "office@example.kz",
        "Сейтқали Әлия Нұрғалиқызы",
        "сынақ",
        "Н. Серікбаев",
        "Жұмабаева Динара Сәбитқызы, тел. +7 (727) 250-10-14",
    ):
        assert requisite in text, requisite
    title = {"kk": "Аудан прокуроры Н. Серікбаев", "ru": "Прокурор района Н. Серікбаев"}
    executor = {"kk": "Орынд.: ", "ru": "Исп.: "}
    heading = {"kk": "ХАТ", "ru": "ПИСЬМО"}
    assert title[language] in text and executor[language] in text
    assert heading[language] in text.splitlines()
    assert "Серікбаев Нұрлан" not in text  # the full name is not the signature block
    our = {"kk": "Біздің №: ALM-BST-APL-2026-000007", "ru": "Наш №: ALM-BST-APL-2026-000007"}
    assert our[language] in text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_draft_shows_blanks_and_the_stamp_fills_them(language: str) -> None:
    """The signature covers the draft with a blank stamp; the register fills number and date."""
    draft = small(language)
    assert draft.count(BLANK) == 2
    issued = as_text(stamp(draft, "ALM-BST-26/42", dt.date(2026, 12, 1)))
    line = {"kk": "01.12.2026 № ALM-BST-26/42", "ru": "№ ALM-BST-26/42 от 01.12.2026"}
    assert line[language] in issued and BLANK not in issued


def test_stamp_refuses_a_text_without_the_stamp() -> None:
    with pytest.raises(ValueError, match="outgoing-number"):
        stamp("<p>без штампа</p>", "ALM-BST-26/1", dt.date(2026, 1, 5))


@pytest.mark.parametrize(
    "language,line",
    [("kk", "20.11.2026 № 3Т-15 хатқа"), ("ru", "на № 3Т-15 от 20.11.2026")],
)
def test_a_reply_refers_to_the_incoming_letter(language: str, line: str) -> None:
    """A reply names the incoming letter's number and date ("на № … от …")."""
    with_ref = as_text(
        small(language, incoming_number="3Т-15", incoming_date=dt.date(2026, 11, 20))
    )
    assert line in with_ref
    assert "хатқа" not in as_text(small(language)) and "на №" not in as_text(small(language))


@pytest.mark.parametrize(
    "language,title",
    [("kk", "Аудан прокурорының міндетін атқарушы"), ("ru", "И.о. прокурора района")],
)
def test_acting_signatory_signs_with_the_acting_title_reg_cl15(language: str, title: str) -> None:
    """The deputy replacing the head signs as "И.о." (Regulation cl. 15), by his own name."""
    head = letterhead(
        signatory_name="Ким Виктор Андреевич", signatory_position=Position.DEPUTY, acting=True
    )
    assert f"{title} В. Ким" in as_text(small(language, head=head))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_no_executor_footer_when_the_drafter_is_unknown(language: str) -> None:
    text = as_text(small(language, head=letterhead(executor_name=None, executor_phone=None)))
    assert "Исп." not in text and "Орынд." not in text


@pytest.mark.parametrize("language,reference", [("kk", "ескі сілтеме"), ("ru", "старая ссылка")])
def test_a_template_still_defining_reference_renders(language: str, reference: str) -> None:
    """Templates not yet rewritten define ``block reference``: base still prints it."""
    assert reference in as_text(small(language, kind="legacy"))
