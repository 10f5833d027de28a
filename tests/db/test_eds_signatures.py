"""Signatures only the signer can give (EDS / ЭЦП), on both databases: the decider is the holder
of the certificate, authorised at the moment of decision (Regulation cl. 14-15), and every
refused signature is kept and audited. The NCA RK profile puts the holder's IIN in the
certificate subject's serialNumber; the CPC has the prosecutor certify decrees with an EDS
(art. 193(1)(6))."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.db.tables import (
    AccessLevel,
    ApprovalDecision,
    AuditEntry,
    Document,
    ReadChallenge,
    Signature,
)
from models.records import document_store
from models.settings import get_settings
from models.timing.calendar import today
from tests.conftest import Database
from tests.eds_ca import EXPIRED, OTHER_CA, UNKNOWN, demo_iin, session_ca
from tests.office import absent, acting, eds_of, key_args, load_demo_office, pending_approval

runner = CliRunner()


def _approval_with_head_on_leave(database: Database) -> int:
    """An approval due from the head, who is on leave today; dep-1 acts for the head."""
    load_demo_office(database.engine)
    day = today()
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=day + dt.timedelta(days=5), day=day)
    absent(database.engine, "head", day - dt.timedelta(days=1), day + dt.timedelta(days=5))
    acting(database.engine, "dep-1", "head", day - dt.timedelta(days=1), day + dt.timedelta(days=5))
    return view.id


def _decide(
    database: Database, approval_id: int, signer: str, cms: bytes | None, attempt: int = 1
) -> approval_decisions.DecisionOutcome:
    with sessionmaker(database.engine).begin() as session:
        return approval_decisions.record_decision(
            session,
            approval_id=approval_id,
            attempt=attempt,
            signer_id=signer,
            decision=Decision.APPROVE,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            cms=cms,
        )


def _text(database: Database, approval_id: int, decision: str = "approve") -> bytes:
    with Session(database.engine) as session:
        return approval_decisions.signed_content(session, approval_id, Decision(decision))


def test_acting_deputys_signature_is_accepted_and_verified_later(database: Database) -> None:
    approval_id = _approval_with_head_on_leave(database)
    cms = session_ca().sign("dep-1", _text(database, approval_id))
    outcome = _decide(database, approval_id, "dep-1", cms)
    assert outcome.accepted and outcome.signed
    with Session(database.engine) as session:
        signature = session.scalars(select(Signature)).one()
        decision = session.scalars(select(ApprovalDecision)).one()
    assert signature.cms == cms and signature.signer_iin == demo_iin("dep-1")
    assert decision.cms == cms and decision.cert_sha256 == signature.cert_sha256
    result = runner.invoke(app, ["documents", "verify", str(signature.document_id), "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["valid"] is True
    [check] = data["eds"]
    assert check["valid"] and check["name"] == "Омарова Айгүл Бекенқызы"
    assert check["iin"] == "********" + demo_iin("dep-1")[-4:]


def _refused(database: Database, approval_id: int) -> tuple[ApprovalDecision, AuditEntry]:
    with Session(database.engine) as session:
        row = session.scalars(select(ApprovalDecision)).one()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "approval.refused")
        ).one()
        assert session.scalars(select(Signature)).all() == []
    return row, entry


def test_heads_own_valid_certificate_is_refused_while_on_leave(database: Database) -> None:
    """Regulation cl. 14: while the head is absent the deputy replacing the head signs; the
    head's genuine signature does not make the head authorised."""
    approval_id = _approval_with_head_on_leave(database)
    cms = session_ca().sign("head", _text(database, approval_id))
    assert not _decide(database, approval_id, "head", cms).accepted
    row, entry = _refused(database, approval_id)
    assert row.cms == cms and row.signer_iin == demo_iin("head")
    assert "EDS" not in row.reason and json.loads(entry.payload)["reason"] == row.reason


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (OTHER_CA, "not issued by a CA of the office's trust store"),
        (EXPIRED, "the certificate expired"),
        (UNKNOWN, "is on no roster"),
    ],
)
def test_bad_certificates_are_refused_stored_and_audited(
    database: Database, key: str, reason: str
) -> None:
    approval_id = _approval_with_head_on_leave(database)
    cms = session_ca().sign(key, _text(database, approval_id))
    outcome = _decide(database, approval_id, "dep-1", cms)
    assert not outcome.accepted and reason in outcome.reason
    row, entry = _refused(database, approval_id)
    assert row.cms == cms and row.cert_sha256 and reason in row.reason
    payload = json.loads(entry.payload)
    assert reason in payload["reason"] and payload["eds"]["cert_sha256"] == row.cert_sha256


def test_signature_over_other_bytes_than_the_document_is_refused(database: Database) -> None:
    approval_id = _approval_with_head_on_leave(database)
    # a genuine signature of dep-1, but over the reject statement, not the document's text
    cms = session_ca().sign("dep-1", _text(database, approval_id, "reject"))
    outcome = _decide(database, approval_id, "dep-1", cms)
    assert not outcome.accepted and "other bytes" in outcome.reason
    row, _ = _refused(database, approval_id)
    assert row.cms == cms


def test_someone_elses_certificate_does_not_make_them_the_signer(database: Database) -> None:
    approval_id = _approval_with_head_on_leave(database)
    cms = session_ca().sign("dep-2", _text(database, approval_id))
    outcome = _decide(database, approval_id, "dep-1", cms)
    assert not outcome.accepted and "dep-2's, not dep-1's" in outcome.reason


def test_no_signature_is_refused_unless_eds_is_off_then_self_declared(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    approval_id = _approval_with_head_on_leave(database)
    outcome = _decide(database, approval_id, "dep-1", None)
    assert not outcome.accepted and "EDS signature is required" in outcome.reason
    monkeypatch.setenv("PROSECUTOR_EDS_REQUIRED", "false")
    get_settings.cache_clear()
    try:
        assert _decide(database, approval_id, "dep-1", None, attempt=2).accepted
    finally:
        get_settings.cache_clear()
    with Session(database.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "approval.approved")
        ).one()
    assert json.loads(entry.payload)["self_declared"] is True


def test_documents_verify_fails_after_the_text_is_changed(database: Database) -> None:
    """Even with every stored hash rewritten to match, the EDS over the text no longer does."""
    approval_id = _approval_with_head_on_leave(database)
    assert _decide(database, approval_id, "dep-1", eds_of_dep1(database, approval_id)).accepted
    with Session(database.engine) as session:
        doc_id = session.scalars(select(Signature.document_id)).one()
    changed = "Другой текст"
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE documents SET body = :b, sha256 = :h WHERE id = :id"),
            {"b": changed, "h": document_store.document_hash(changed), "id": doc_id},
        )
        conn.execute(
            text("UPDATE signatures SET document_sha256 = :h"),
            {"h": document_store.document_hash(changed)},
        )
    result = runner.invoke(app, ["documents", "verify", str(doc_id)])
    assert result.exit_code == 1
    assert "INVALID" in result.stdout and "other bytes" in result.stdout


def eds_of_dep1(database: Database, approval_id: int) -> bytes:
    with Session(database.engine) as session:
        return eds_of(session, approval_id, "dep-1")


def test_cli_decide_takes_the_signer_from_the_key(database: Database) -> None:
    """No ``--as``: the head's key is the head, refused while on leave, and audited."""
    approval_id = _approval_with_head_on_leave(database)
    args = ["approvals", "decide", str(approval_id), "--decision", "approve"]
    refused = runner.invoke(app, [*args, *key_args("head")])
    assert refused.exit_code == 1 and "refused: " in refused.stderr
    assert runner.invoke(app, [*args, "--as", "dep-1"]).exit_code != 0
    with Session(database.engine) as session:
        row = session.scalars(select(ApprovalDecision)).one()
    assert (row.signer_id, row.channel, row.signer_iin) == ("head", "cli", demo_iin("head"))


def test_secret_document_is_read_only_with_a_signed_one_time_challenge(
    database: Database,
) -> None:
    """Regulation cl. 8, obligation 5: secret materials only for cleared staff, who prove who
    they are with their EDS; a self-declared ``--as`` is not enough."""
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today(), day=today())
        session.get_one(Document, view.document_id).access_level = AccessLevel.SECRET
    show = ["documents", "show", str(view.document_id)]
    assert runner.invoke(app, [*show, "--as", "head"]).exit_code == 1
    assert "no clearance" in runner.invoke(app, [*show, *key_args("as-3")]).stderr
    assert "on no roster" in runner.invoke(app, [*show, *key_args(UNKNOWN)]).stderr
    read = runner.invoke(app, [*show, *key_args("head")])
    assert read.exit_code == 0 and "Reply text" in read.stdout
    with Session(database.engine) as session:
        challenges = session.scalars(select(ReadChallenge).order_by(ReadChallenge.id)).all()
        refusals = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "document.access_refused")
        ).all()
    # --as on a secret document is refused before any challenge; the unknown IIN reads nothing
    assert [c.reader_id for c in challenges] == ["as-3", None, "head"]
    assert len(refusals) == 2


def test_a_read_challenge_is_used_once(database: Database) -> None:
    from models.office import eds, eds_store

    load_demo_office(database.engine)
    now = dt.datetime.now(dt.UTC)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today(), day=today())
        challenge = eds_store.issue_challenge(session, view.document_id, now)
        cms = session_ca().sign("head", challenge.content)
        assert eds_store.answer_challenge(session, challenge.id, cms, now).id == "head"
        with pytest.raises(eds.SignatureRefused, match="already used"):
            eds_store.answer_challenge(session, challenge.id, cms, now)
        late = eds_store.issue_challenge(session, view.document_id, now)
        cms = session_ca().sign("head", late.content)
        with pytest.raises(eds.SignatureRefused, match="expired"):
            eds_store.answer_challenge(session, late.id, cms, now + dt.timedelta(minutes=6))
