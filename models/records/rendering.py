"""Documents the office sends, rendered from Jinja2 templates in Kazakh and Russian.

Autoescaping is on: an applicant's text with HTML or template syntax is shown as text. Every
document carries the requisites of an outgoing letter: the office's name in both languages, its
address and contacts, the outgoing number and date (blank in the draft, filled by ``stamp`` when
the signed document is registered), the signatory as "И. Фамилия" with the title, and the
executor with a phone.
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

from models.office.roster import Position

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
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
    office_phone: str | None = None
    office_email: str | None = None
    executor_name: str | None = None  # the drafter (исполнитель), printed in the footer
    executor_phone: str | None = None


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


def short_name(full_name: str) -> str:
    """ "И. Фамилия" from the roster's "Фамилия Имя Отчество", as a signature block prints it."""
    surname, *rest = full_name.split()
    return f"{rest[0][0]}. {surname}" if rest else surname


# The registration stamp of an outgoing document (реквизиты исходящего документа): base.html.j2
# renders the two spans with blanks; the register fills them once the document is signed.
BLANK = "________"
_STAMP_SPAN = '<span class="{cls}">{text}</span>'
_STAMP_RE = {
    cls: re.compile(rf'<span class="{cls}">[^<]*</span>')
    for cls in ("outgoing-number", "outgoing-date")
}


def stamp(body: str, number: str, date: dt.date) -> str:
    """The signed text with its outgoing number and date in the stamp's spans."""
    values = {"outgoing-number": number, "outgoing-date": f"{date:%d.%m.%Y}"}
    for cls, pattern in _STAMP_RE.items():
        filled = _STAMP_SPAN.format(cls=cls, text=html.escape(values[cls]))
        body, count = pattern.subn(lambda _m, f=filled: f, body)
        if count == 0:
            raise ValueError(f"the document has no {cls} span to stamp")
    return body


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
    fields["incoming_date"] = _as_date_text(fields.get("incoming_date"))
    fields.setdefault("incoming_number", None)
    # The letterhead's own values win over a same-named field: the office's requisites and the
    # signatory come from the roster, never from what a flow happened to pass.
    return template.render(
        {**fields, **_letterhead_values(letterhead, language)},
        registration_number=registration_number,
        date=f"{date:%d.%m.%Y}",
        outcome_text=OUTCOMES.get(fields.get("outcome", ""), {"ru": "", "kk": ""}),
    )


def _letterhead_values(letterhead: Letterhead, language: str) -> dict[str, Any]:
    return {
        "language": language,
        "office_name": letterhead.office_name_kk if language == "kk" else letterhead.office_name_ru,
        "office_name_kk": letterhead.office_name_kk,
        "office_name_ru": letterhead.office_name_ru,
        "office_address": letterhead.office_address,
        "office_phone": letterhead.office_phone,
        "office_email": letterhead.office_email,
        "executor_name": letterhead.executor_name,
        "executor_phone": letterhead.executor_phone,
        "outgoing_blank": BLANK,
        "signatory_title": signatory_title(
            letterhead.signatory_position,
            letterhead.acting,
            language,
            letterhead.on_duty,
            letterhead.own_name,
        ),
        "signatory_name": short_name(letterhead.signatory_name),
        "signatory_full_name": letterhead.signatory_name,
    }


def _as_date_text(value: dt.date | str | None) -> str | None:
    return f"{value:%d.%m.%Y}" if isinstance(value, dt.date) else value


def as_text(document: str) -> str:
    """The readable text of a rendered document, for previews (tags dropped, entities decoded)."""
    text = re.sub(r"<head>.*?</head>", "", document, flags=re.DOTALL)
    text = re.sub(r"<(br|/p|/h1|/header|/footer)[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n\s*\n+", "\n\n", html.unescape(text)).strip()
