"""The printed form (PDF) of an issued document, stored beside the text it was rendered from.

An issued document is printed from its stamped text (``issued_body``) with a font that has every
Kazakh letter; the PDF and its SHA-256 are stored once, so the copy that was sent is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.db.tables import AccessLevel, AuditEntry, Document
from models.procedures import ProcedureKind
from models.procedures import store as procedure_store
from models.procedures.timeline import procedure_timeline
from models.records import document_store, pdf
from models.records.pdf import to_pdf
from models.records.pdf_store import NotIssued, store_pdf
from tests.conftest import Database
from tests.office import OFFICE, key_args, load_demo_office
from tests.rules.test_templates import render_document

KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
OFFICE_KK = "Алматы қаласы Бостандық ауданының прокуратурасы"
OFFICE_RU = "Прокуратура Бостандыкского района города Алматы"


def _pdftotext(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        reason = "pdftotext is not installed (Debian package poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must install it")
        pytest.skip(reason)
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def _issued_protest(session: Session) -> int:
    """A protest in Kazakh drafted from realistic fields and registered (stamped) as issued."""
    proc = procedure_store.register_procedure(
        session, office_code=OFFICE, kind=ProcedureKind.APPEAL, title="Наразылық", year=2026
    ).id
    doc = document_store.create_document(
        session,
        procedure_id=proc,
        kind="protest",
        language="kk",
        title="Наразылық",
        body=render_document("protest", "kk"),
        drafted_by="as-3",
    ).id
    document_store.assign_outgoing(session, doc, dt.date(2026, 12, 1))
    return doc


def test_every_kazakh_letter_is_printed_as_text() -> None:
    """A font without the Kazakh letters would drop them: each (small and capital) comes back."""
    text = _pdftotext(
        to_pdf(f"<p>Қазақ әліпбиі: {KAZAKH_LETTERS}</p><p><b>{KAZAKH_LETTERS}</b></p>")
    )
    for letter in KAZAKH_LETTERS:
        assert text.count(letter) >= 2, letter


def test_issued_document_is_printed_and_stored_with_its_hash(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        doc_id = _issued_protest(session)
        sha = store_pdf(session, doc_id)
    with sessionmaker(database.engine).begin() as session:
        doc = session.get_one(Document, doc_id)
        assert doc.pdf is not None and doc.pdf.startswith(b"%PDF")
        assert sha == doc.pdf_sha256 == hashlib.sha256(doc.pdf).hexdigest()
        text = _pdftotext(doc.pdf)
        assert doc.outgoing_number is not None and doc.outgoing_number in text
        assert "01.12.2026" in text
        for name in (OFFICE_KK, OFFICE_RU):
            assert name in text
        assert "ТАЛАП ЕТЕМІН" in text and "33-бабын" in text  # the body, with its legal ground
        for letter in KAZAKH_LETTERS.lower():
            assert letter in text, letter


def test_store_pdf_twice_stores_once(database: Database) -> None:
    """The stored PDF is the copy that was sent: a second call keeps it as it is."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        doc_id = _issued_protest(session)
        first = store_pdf(session, doc_id)
        doc = session.get_one(Document, doc_id)
        stored = doc.pdf
        doc.issued_body = (doc.issued_body or "") + "<p>изменено</p>"
        assert store_pdf(session, doc_id) == first
        assert doc.pdf is stored


def test_a_draft_without_outgoing_number_is_not_printed(database: Database) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        proc = procedure_store.register_procedure(
            session, office_code=OFFICE, kind=ProcedureKind.APPEAL, title="A", year=2026
        ).id
        doc = document_store.create_document(
            session,
            procedure_id=proc,
            kind="reply",
            language="ru",
            title="Ответ",
            body="<p>Ответ</p>",
            drafted_by="as-3",
        ).id
        with pytest.raises(NotIssued, match="not issued"):
            store_pdf(session, doc)


def test_a_missing_font_is_named_clearly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without DejaVu Sans the Kazakh letters cannot be printed: say which package to install."""
    monkeypatch.setitem(pdf.FONTS, "regular", tmp_path / "DejaVuSans.ttf")
    pdf.stylesheet_text.cache_clear()
    try:
        with pytest.raises(pdf.FontMissing, match="fonts-dejavu-core"):
            pdf.to_pdf("<p>әғқ</p>")
    finally:
        monkeypatch.undo()
        pdf.stylesheet_text.cache_clear()


def test_procedure_page_links_the_pdf(database: Database) -> None:
    """The procedure page lists the issued document's number, date, hashes and the command."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        doc_id = _issued_protest(session)
        sha = store_pdf(session, doc_id)
        doc = session.get_one(Document, doc_id)
        page = procedure_timeline(session, doc.procedure_id)
        number, issued_sha = str(doc.outgoing_number), str(doc.issued_sha256)
    row = next(line for line in page.splitlines() if line.startswith(f"| {doc_id} |"))
    assert number in row and "01.12.2026" in row
    assert issued_sha in row and sha in row
    assert f"prosecutor documents pdf {doc_id}" in row


def test_cli_writes_the_pdf_and_prints_its_hash(database: Database, tmp_path: Path) -> None:
    """``prosecutor documents pdf ID --out FILE``: the stored PDF (rendered when missing)."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        doc_id = _issued_protest(session)
    out = tmp_path / "protest.pdf"
    result = CliRunner().invoke(app, ["documents", "pdf", str(doc_id), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["path"] == str(out) and out.read_bytes().startswith(b"%PDF")
    assert data["pdf_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    with sessionmaker(database.engine).begin() as session:
        assert session.get_one(Document, doc_id).pdf_sha256 == data["pdf_sha256"]


def test_cli_secret_pdf_only_for_cleared_staff_audited(database: Database, tmp_path: Path) -> None:
    """Secret materials only for staff with clearance (Regulation cl. 8, obligation 5); the
    refusal and the reading are both in the audit log."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        doc_id = _issued_protest(session)
        session.get_one(Document, doc_id).access_level = AccessLevel.SECRET
    out = tmp_path / "secret.pdf"
    base = ["documents", "pdf", str(doc_id), "--out", str(out)]
    runner = CliRunner()
    assert runner.invoke(app, base).exit_code != 0
    refused = runner.invoke(app, [*base, *key_args("as-3")])  # signs a one-time challenge
    assert refused.exit_code != 0 and "no clearance" in refused.output
    assert not out.exists()
    assert runner.invoke(app, [*base, *key_args("head")]).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF")
    with sessionmaker(database.engine).begin() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == str(doc_id))
        ).all()
    assert "document.access_refused" in actions and "document.read" in actions
