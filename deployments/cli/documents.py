"""``prosecutor documents``: the office's documents read (audited, secret ones only with
clearance proven by EDS), verified against their signatures, and printed to PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput
from deployments.cli.signing import PasswordFile, sign_bytes
from deployments.cli.support import JsonFlag, emit, fails_cleanly, office_session
from models.db.tables import AccessLevel, Document
from models.office import eds, eds_store
from models.records import audit, document_store, pdf_store
from models.records.rendering import as_text

documents_app = typer.Typer(help="Documents of the office.", no_args_is_help=True)


@documents_app.command("verify")
@fails_cleanly
def documents_verify(
    document_id: Annotated[int, typer.Argument()], as_json: JsonFlag = False
) -> None:
    """Check a document's text against its signatures and re-verify every stored EDS (against
    the text and the trust store at signing time); exit 1 when anything does not match."""
    from models.records.signing_audit import check_signing_records  # the hash audited at signing

    with office_session() as session:
        check = document_store.verify_document(session, document_id)
        stored = eds_store.verify_stored(session, document_id)
        audited = check_signing_records(session, document_id)
    invalid_eds = [c for c in stored if not c.valid and c.problem != eds_store.NO_EDS]
    unaudited = [str(a.problem) for a in audited if not a.valid]
    valid = check.valid and not invalid_eds and not unaudited
    data = {
        "document_id": check.document_id,
        "valid": valid,
        "signed": check.signed,
        "signers": check.signers,
        "sha256": check.sha256_now,
        "problem": check.problem
        or ("; ".join(unaudited + [c.describe() for c in invalid_eds]) or None),
        "eds": [
            {
                "kind": c.kind,
                "staff_id": c.staff_id,
                "name": c.name,
                "iin": c.iin,
                "signed_at": c.signed_at,
                "valid": c.valid,
                "problem": c.problem,
            }
            for c in stored
        ],
    }
    emit(
        data,
        as_json,
        lambda d: "\n".join(
            [
                f"document {d['document_id']}: "
                + (
                    "signed and unchanged by " + ", ".join(d["signers"])
                    if d["valid"]
                    else f"INVALID - {d['problem']}"
                ),
                *(f"  {c.describe()}" for c in stored),
            ]
        ),
    )
    if not valid:
        raise typer.Exit(1)


def _read_with_key(
    session: Session, document_id: int, key: Path, password_file: Path | None
) -> tuple[str | None, str]:
    """Sign a fresh one-time challenge for ``document_id`` and have it verified: the reader
    (None when refused) and why."""
    now = dt.datetime.now(dt.UTC)
    challenge = eds_store.issue_challenge(session, document_id, now)
    cms = sign_bytes(challenge.content, key, password_file)
    try:
        reader = eds_store.answer_challenge(session, challenge.id, cms, now)
    except eds.SignatureRefused as exc:
        return None, f"EDS refused: {exc.reason}"
    return reader.id, "signed"


def _self_declared(session: Session, reader: str, document_id: int, command: str) -> None:
    audit.append(
        session,
        actor=reader,
        action="identity.self_declared",
        entity_kind="document",
        entity_id=document_id,
        payload={"command": command},
    )


@documents_app.command("show")
@fails_cleanly
def documents_show(
    document_id: Annotated[int, typer.Argument()],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Your EDS key (.p12): needed for secret documents."),
    ] = None,
    password_file: PasswordFile = None,
    reader: Annotated[
        str | None,
        typer.Option("--as", help="Your staff id, self-declared (public documents only)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Read a document (audited). Secret materials only with clearance, proven by signing a
    one-time challenge with your EDS (Regulation cl. 8, obligation 5)."""
    refusal = None
    with office_session() as session:
        doc = _document(session, document_id)
        who, why = _reader(session, doc, key, password_file, reader, "documents show")
        read = document_store.read_document(session, document_id, who) if who else None
        if read is None:
            refusal = why if who is None else f"{who} has no clearance for secret documents"
        data = (
            None
            if read is None
            else {
                "document_id": read.id,
                "kind": read.kind,
                "title": read.title,
                "access_level": read.access_level.value,
                "sha256": read.sha256,
                "text": as_text(read.body),
            }
        )
    # raised after the transaction so that the refusal's audit entry is kept
    if data is None:
        raise BadInput(f"refused: {refusal} (document {document_id})")
    emit(data, as_json, lambda d: f"{d['title']} ({d['access_level']})\n\n{d['text']}")


def _document(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise BadInput(f"no document {document_id}")
    return doc


def _reader(
    session: Session,
    doc: Document,
    key: Path | None,
    password_file: Path | None,
    reader: str | None,
    command: str,
) -> tuple[str | None, str]:
    """Who reads: the holder of the key that signed a challenge, or (public documents only)
    the staff id declared with ``--as``, audited as self-declared."""
    if key is not None:
        return _read_with_key(session, doc.id, key, password_file)
    if doc.access_level is AccessLevel.SECRET:
        raise BadInput(f"document {doc.id} is secret: give --key YOUR.p12 (with clearance)")
    if reader is None:
        raise BadInput("give --key YOUR.p12, or --as STAFF_ID for a public document")
    _self_declared(session, reader, doc.id, command)
    return reader, "self-declared"


@documents_app.command("pdf")
@fails_cleanly
def documents_pdf(
    document_id: Annotated[int, typer.Argument()],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write it (default: document-ID.pdf).")
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Your EDS key (.p12): needed for secret documents."),
    ] = None,
    password_file: PasswordFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the issued document's PDF (rendered and stored if missing); print path and SHA-256."""
    refusal = None
    with office_session() as session:
        doc = _document(session, document_id)
        allowed = True
        if doc.access_level is AccessLevel.SECRET:
            if key is None:
                raise BadInput(f"document {document_id} is secret: give --key YOUR.p12")
            who, refusal = _read_with_key(session, document_id, key, password_file)
            allowed = who is not None and (
                document_store.read_document(session, document_id, who) is not None
            )
            refusal = refusal if who is None else f"{who} has no clearance for secret documents"
        if allowed:
            sha256 = pdf_store.store_pdf(session, document_id)
            doc = session.get_one(Document, document_id)
            pdf, number = doc.pdf, doc.outgoing_number
    # raised after the transaction so that the refusal's audit entry is kept
    if not allowed:
        raise BadInput(f"refused: {refusal} (document {document_id})")
    assert pdf is not None
    path = out or Path(f"document-{document_id}.pdf")
    path.write_bytes(pdf)
    data = {
        "document_id": document_id,
        "outgoing_number": number,
        "path": str(path),
        "pdf_sha256": sha256,
    }
    emit(data, as_json, lambda d: f"{d['path']}\nSHA-256 {d['pdf_sha256']}")
