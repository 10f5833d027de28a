"""Every document kind, in Kazakh and in Russian, as the addressee receives it: rendered from
realistic fields, stamped with its outgoing number and date, converted to PDF and read back with
``pdftotext``. The requisites must survive the conversion: the outgoing number and date, the
office's name, the addressee, the legal ground with its article, the signatory as "И. Фамилия"
with the title, and in Kazakh every letter of the alphabet's own (ә ғ қ ң ө ұ ү һ і), which a
font without Kazakh glyphs would drop."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from functools import cache

import pytest

from models.records.pdf import to_pdf
from models.records.rendering import LANGUAGES, as_text, document_kinds, stamp
from tests.rules.test_templates import (
    INTERNAL,
    OFFICE,
    SIGNATORY,
    citations,
    fields_for,
    render_document,
)

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"),
    reason="pdftotext (poppler-utils) is not installed; CI installs it",
)

OUTGOING_NUMBER = "ALM-BST-26/42"
OUTGOING_DATE = dt.date(2026, 12, 1)
KAZAKH_LETTERS = "әғқңөұүһі"
TITLE = {"ru": "Прокурор района", "kk": "Аудан прокуроры"}
ACT_SOURCES = {
    "protest": "CL-155 art. 33",
    "submission": "CL-155 art. 36",
    "decree_suspend_act": "CL-155 art. 37(1)(5)",
    "decree_cancel_restrictions": "CL-155 art. 37(1)(7)",
    "decree_short_suspension": "CL-155 art. 37(1)(9)",
    "admin_offence": "CL-155 art. 37(1)(1); CoAO art. 805",
    "clarification": "CL-155 art. 41",
    "court_application": "CL-155 art. 39(2)",
}
# Any article of a law or code, as each language prints it: «статьи 33», «33-бабы».
ARTICLE = {"ru": re.compile(r"стать[яиейю]{1,2} \d+"), "kk": re.compile(r"\d+ба[бп]")}


def flat(text: str) -> str:
    """Whitespace folded and hyphens dropped: a line the PDF wraps still matches (pdftotext joins
    a word broken after a hyphen, «805-» + «баптарын», without it)."""
    return " ".join(text.split()).replace("-", "")


@cache
def pdf_text(kind: str, language: str) -> str:
    body = stamp(render_document(kind, language), OUTGOING_NUMBER, OUTGOING_DATE)
    pdf = to_pdf(body)
    assert pdf.startswith(b"%PDF"), f"{language}/{kind}: not a PDF"
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return flat(done.stdout.decode("utf-8"))


def short_signatory() -> str:
    """The roster stores "Фамилия Имя Отчество"; a signature reads "И. Фамилия"."""
    surname, name, *_ = SIGNATORY["name"].split()
    return f"{name[0]}. {surname}"


ALL = [(kind, lang) for kind in sorted(document_kinds()) for lang in LANGUAGES]


@pytest.mark.parametrize("kind,language", ALL)
def test_the_pdf_carries_the_requisites_of_the_document(kind: str, language: str) -> None:
    """The established form of an outgoing document: number and date from the register of
    outgoing documents, the office in both languages, the addressee, the signatory."""
    text = pdf_text(kind, language)
    assert flat(OUTGOING_NUMBER) in text and f"{OUTGOING_DATE:%d.%m.%Y}" in text
    assert flat(OFFICE["name_kk"]) in text and flat(OFFICE["name_ru"]) in text
    addressee = fields_for(kind, language).get("addressee_name")
    if addressee:
        assert flat(addressee) in text, f"{language}/{kind}: no addressee"
    assert flat(short_signatory()) in text, f"{language}/{kind}: no «{short_signatory()}»"
    assert TITLE[language] in text


@pytest.mark.parametrize("kind,language", [(k, lang) for k, lang in ALL if k not in INTERNAL])
def test_the_pdf_cites_the_legal_ground_with_its_article(kind: str, language: str) -> None:
    """A document addressed outside the office rests on an article of the law in force; an act
    of the catalogue on its own article (CL-155 arts. 33, 36, 37, 39(2), 41; CoAO art. 805)."""
    text = pdf_text(kind, language)
    assert ARTICLE[language].search(text), f"{language}/{kind}: no article cited"
    if kind in ACT_SOURCES:
        for citation in citations(ACT_SOURCES[kind])[language]:
            assert flat(citation) in text, f"{language}/{kind}: no «{citation}»"


@pytest.mark.parametrize("kind", sorted(document_kinds()))
def test_every_kazakh_letter_survives_the_pdf(kind: str) -> None:
    """The font covers Kazakh: each of ә ғ қ ң ө ұ ү һ і in the document is in the PDF's text."""
    source = as_text(render_document(kind, "kk")).lower()
    text = pdf_text(kind, "kk").lower()
    missing = [c for c in KAZAKH_LETTERS if c not in text]
    assert all(c in source for c in KAZAKH_LETTERS), f"kk/{kind}: fixture lacks a letter"
    assert not missing, f"kk/{kind}: {''.join(missing)} lost in the PDF"
