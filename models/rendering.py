"""Documents the office sends, rendered from Jinja2 templates in Kazakh and Russian.

Autoescaping is on: an applicant's text with HTML or template syntax is shown as text. Every
document carries its registration number, date, signatory and the office's details.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from models.roster import Position

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANGUAGES = ("kk", "ru")


@cache
def document_kinds() -> frozenset[str]:
    """Every kind with a template in both languages: a document is issued in kk and ru."""
    per_language = [
        {p.name.removesuffix(".html.j2") for p in (TEMPLATES / lang).glob("*.html.j2")}
        for lang in LANGUAGES
    ]
    return frozenset.intersection(*map(frozenset, per_language))


_TITLES = {
    Position.DISTRICT_PROSECUTOR: {"ru": "Прокурор района", "kk": "Аудан прокуроры"},
    Position.DEPUTY: {"ru": "Заместитель прокурора района", "kk": "Аудан прокурорының орынбасары"},
    Position.SENIOR_ASSISTANT: {
        "ru": "Старший помощник прокурора района",
        "kk": "Аудан прокурорының аға көмекшісі",
    },
    Position.ASSISTANT: {"ru": "Помощник прокурора района", "kk": "Аудан прокурорының көмекшісі"},
}
# Who signs documents on behalf of the office (Regulation cl. 14-15); an assistant signs only in
# their own name (a release order: every prosecutor may order it, CPC art. 133(1)).
_FOR_THE_OFFICE = frozenset({Position.DISTRICT_PROSECUTOR, Position.DEPUTY})
_ACTING_HEAD = {"ru": "И.о. прокурора района", "kk": "Аудан прокурорының міндетін атқарушы"}

OUTCOMES = {
    "upheld": {
        "ru": "доводы обращения подтвердились, обращение удовлетворено",
        "kk": "өтініштің дәлелдері расталды, өтініш қанағаттандырылды",
    },
    "partly_upheld": {
        "ru": "обращение удовлетворено частично",
        "kk": "өтініш ішінара қанағаттандырылды",
    },
    "not_upheld": {
        "ru": "доводы обращения не подтвердились, в удовлетворении отказано",
        "kk": "өтініштің дәлелдері расталмады, қанағаттандырудан бас тартылды",
    },
    "explained": {"ru": "даны разъяснения", "kk": "түсініктеме берілді"},
}


@dataclass(frozen=True, slots=True)
class Letterhead:
    office_name_kk: str
    office_name_ru: str
    office_address: str | None
    signatory_name: str
    signatory_position: Position
    acting: bool  # signs as the person replacing the head (cl. 15)
    on_duty: bool = False  # signs as the prosecutor on duty (urgent matters at night)
    own_name: bool = False  # signs in their own name, by their own position (a release order)


_ON_DUTY = {"ru": "Дежурный прокурор", "kk": "Кезекші прокурор"}


def signatory_title(
    position: Position,
    acting: bool,
    language: str,
    on_duty: bool = False,
    own_name: bool = False,
) -> str:
    if on_duty:
        return _ON_DUTY[language]
    if acting:
        return _ACTING_HEAD[language]
    if position not in _FOR_THE_OFFICE and not own_name:
        raise ValueError(f"a {position} does not sign on behalf of the office")
    return _TITLES[position][language]


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,  # a missing field is an error, not a blank in a letter
        keep_trailing_newline=True,
    )


def render(
    kind: str,
    language: str,
    *,
    letterhead: Letterhead,
    registration_number: str,
    date: dt.date,
    **fields: Any,
) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"documents are issued in kk or ru, not {language!r}")
    if kind not in document_kinds():
        raise ValueError(f"no document kind {kind!r}")
    template = environment().get_template(f"{language}/{kind}.html.j2")
    return template.render(
        language=language,
        office_name=letterhead.office_name_kk if language == "kk" else letterhead.office_name_ru,
        office_address=letterhead.office_address,
        signatory_title=signatory_title(
            letterhead.signatory_position,
            letterhead.acting,
            language,
            letterhead.on_duty,
            letterhead.own_name,
        ),
        signatory_name=letterhead.signatory_name,
        registration_number=registration_number,
        date=f"{date:%d.%m.%Y}",
        outcome_text=OUTCOMES.get(fields.get("outcome", ""), {"ru": "", "kk": ""}),
        **fields,
    )


def as_text(document: str) -> str:
    """The readable text of a rendered document, for previews (tags dropped, entities decoded)."""
    text = re.sub(r"<(br|/p|/header|/footer)[^>]*>", "\n", document)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n\s*\n+", "\n\n", html.unescape(text)).strip()
