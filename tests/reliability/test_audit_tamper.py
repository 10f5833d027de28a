"""A record that cannot be rewritten unnoticed, on SQLite and PostgreSQL.

The audit log is the office's proof of who decided what (Regulation cl. 14-15; the EDS of a
procedural decision, CPC art. 193(1)(6)). The application may only add to it; whatever the
database's owner does anyway is caught against signed checkpoints kept outside the database;
and a signed document is held to the hash the log recorded when it was signed.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from deployments.postgres import app_login
from models.approvals import Decision
from models.approvals import decisions as approval_decisions
from models.db import make_engine
from models.db.tables import Approval, AuditEntry, Document, Signature
from models.records import audit, audit_checkpoint, document_store
from models.settings import get_settings
from models.timing.calendar import today
from tests.conftest import Database
from tests.office import load_demo_office, pending_approval

runner = CliRunner()


@pytest.fixture(autouse=True)
def checkpoint_files(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Path]]:
    """This test's own checkpoint file and key; on PostgreSQL the TRUNCATE guard on, and off
    again for the fixture that empties the shared test database afterwards."""
    paths = (tmp_path / "audit" / "checkpoints.jsonl", tmp_path / "audit" / "checkpoint.key")
    monkeypatch.setenv("PROSECUTOR_AUDIT_CHECKPOINTS", str(paths[0]))
    monkeypatch.setenv("PROSECUTOR_AUDIT_CHECKPOINT_KEY", str(paths[1]))
    get_settings.cache_clear()
    _truncate_guard(database, "ENABLE")
    yield paths
    _truncate_guard(database, "DISABLE")
    get_settings.cache_clear()


def _truncate_guard(database: Database, verb: str) -> None:
    if database.name == "postgresql":
        with database.engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE audit_log {verb} TRIGGER audit_log_no_truncate"))


@pytest.fixture(scope="module")
def app_user() -> Iterator[str]:
    """A login role of the application (a member of prosecutor_app), for the whole module."""
    yield f"office_app_{uuid.uuid4().hex[:8]}"


def _as_application(database: Database, user: str) -> Engine:
    return make_engine(app_login(database.url, user))


def _drop_login(database: Database, user: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{user}"'))


def _write(database: Database, n: int, what: str = "genuine") -> None:
    with sessionmaker(database.engine).begin() as session:
        for i in range(n):
            audit.append(
                session,
                actor="tester",
                action="test.event",
                entity_kind="thing",
                entity_id=i,
                payload={"i": i, "what": what},
            )


def _as_owner(database: Database, *statements: str) -> None:
    """Tamper as the database's owner would: around the append-only triggers."""
    with database.engine.begin() as conn:
        if database.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            for sql in statements:
                conn.execute(text(sql))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            for trigger in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
            for sql in statements:
                conn.execute(text(sql))


def _checkpoint(database: Database) -> audit_checkpoint.Checkpoint:
    s = get_settings()
    with Session(database.engine) as session:
        return audit_checkpoint.write_checkpoint(
            session, "ALM-BST", s.resolved_audit_checkpoints, s.resolved_audit_checkpoint_key
        )


def _verify(database: Database) -> audit_checkpoint.AuditReport:
    s = get_settings()
    with Session(database.engine) as session:
        return audit_checkpoint.verify(
            session, s.resolved_audit_checkpoints, s.resolved_audit_checkpoint_key
        )


def _cli_verify() -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "verify"])
    return result.exit_code, result.stdout


# --- the database refuses -----------------------------------------------------------------


def test_an_entry_cannot_be_replaced_in_place(database: Database, app_user: str) -> None:
    """SQLite: INSERT OR REPLACE deletes the old row without firing DELETE triggers.
    PostgreSQL: the application's role may not INSERT ... ON CONFLICT DO UPDATE."""
    _write(database, 3)
    forged = (
        "INSERT {verb} INTO audit_log SELECT seq, at, 'intruder', action, entity_kind,"
        " entity_id, payload, prev_hash, hash FROM audit_log WHERE seq = 2 {tail}"
    )
    if database.name == "sqlite":
        refused = _refused(database.engine, forged.format(verb="OR REPLACE", tail=""))
        assert "append-only" in refused
    else:
        engine = _as_application(database, app_user)
        upsert = forged.format(
            verb="", tail="ON CONFLICT (seq) DO UPDATE SET actor = EXCLUDED.actor"
        )
        try:
            assert "permission denied" in _refused(engine, upsert)
        finally:
            engine.dispose()
            _drop_login(database, app_user)
    with Session(database.engine) as session:
        assert session.get_one(AuditEntry, 2).actor == "tester"
    assert _verify(database).valid


def test_truncate_is_refused_even_to_the_owner(database: Database) -> None:
    if database.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused by the triggers of 0001")
    _write(database, 3)
    assert "TRUNCATE refused" in _refused(database.engine, "TRUNCATE audit_log")
    assert _verify(database).chain.entries == 3


def test_the_application_role_may_only_read_and_append(database: Database, app_user: str) -> None:
    """Privileges, not triggers: the owner can drop triggers, the application's role cannot,
    and without UPDATE, DELETE and TRUNCATE rights it cannot rewrite the log even with the
    triggers off."""
    if database.name != "postgresql":
        pytest.skip("SQLite has no roles: its guard is the triggers and the checkpoints")
    load_demo_office(database.engine)
    _write(database, 3)
    engine = _as_application(database, app_user)
    try:
        with sessionmaker(engine).begin() as session:  # its everyday work goes on
            audit.append(session, actor="app", action="test.event", entity_kind="t", entity_id=1)
            pending_approval(session, due=today() + dt.timedelta(days=5), day=today())
        assert "must be owner" in _refused(engine, "ALTER TABLE audit_log DISABLE TRIGGER USER")
        with database.engine.begin() as conn:  # the owner switches the triggers off ...
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        try:
            for sql in (
                "UPDATE audit_log SET actor = 'intruder' WHERE seq = 2",
                "DELETE FROM audit_log WHERE seq = 4",
                "TRUNCATE audit_log",
            ):
                # ... and the application still cannot
                assert "permission denied" in _refused(engine, sql), sql
        finally:
            with database.engine.begin() as conn:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    finally:
        engine.dispose()
        _drop_login(database, app_user)
    with Session(database.engine) as session:
        assert session.get_one(AuditEntry, 2).actor == "tester"
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"test.event", "approval.requested"} <= actions
    assert _verify(database).valid


def _refused(engine: Engine, sql: str) -> str:
    """Why the database refused ``sql`` (rolled back either way)."""
    with engine.connect() as conn:
        try:
            conn.execute(text(sql))
        except DBAPIError as exc:
            return str(exc.orig)
        finally:
            conn.rollback()
    return "executed"


# --- the checkpoints catch what the owner does anyway -------------------------------------


def test_deleting_the_newest_entries_is_caught(database: Database) -> None:
    _write(database, 5)
    _checkpoint(database)
    _as_owner(database, "DELETE FROM audit_log WHERE seq >= 4")
    report = _verify(database)
    assert report.chain.valid  # the chain alone cannot tell: what is left is a valid prefix
    assert not report.valid and "fewer than the 5 checkpointed" in str(report.problem)
    code, stdout = _cli_verify()
    assert code == 1 and "BROKEN at entry 4" in stdout


def test_rewriting_the_log_with_recomputed_hashes_is_caught(database: Database) -> None:
    _write(database, 5)
    _checkpoint(database)
    wipe = "TRUNCATE audit_log" if database.name == "postgresql" else "DELETE FROM audit_log"
    _as_owner(database, wipe)
    _write(database, 5, what="forged")  # a whole new chain, every hash recomputed
    report = _verify(database)
    assert report.chain.valid and report.chain.entries == 5
    assert not report.valid and report.first_broken_seq == 5
    assert "rewritten" in str(report.problem)
    assert _cli_verify()[0] == 1


def test_an_empty_log_with_a_checkpoint_on_record_is_invalid(database: Database) -> None:
    _write(database, 2)
    _checkpoint(database)
    _as_owner(database, "DELETE FROM audit_log")
    report = _verify(database)
    assert report.chain.valid and report.chain.entries == 0
    assert not report.valid and "has 0 entries" in str(report.problem)
    code, stdout = _cli_verify()
    assert code == 1 and "has 0 entries" in stdout


def test_a_forged_checkpoint_line_is_rejected(
    database: Database, checkpoint_files: tuple[Path, Path]
) -> None:
    """Cutting the log and rewriting the last checkpoint to fit does not pass: the line's
    signature no longer matches; neither does a line signed with another key or none."""
    path, _ = checkpoint_files
    _write(database, 5)
    _checkpoint(database)
    _as_owner(database, "DELETE FROM audit_log WHERE seq >= 4")
    with Session(database.engine) as session:
        head = session.get_one(AuditEntry, 3)
    genuine = path.read_text(encoding="utf-8")
    line = json.loads(genuine)
    line.update(seq=3, hash=head.hash, entries=3)
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    report = _verify(database)
    assert not report.valid and "checkpoint line 1: bad signature" in str(report.problem)
    assert _cli_verify()[0] == 1

    del line["signature"]
    path.write_text(genuine + json.dumps(line) + "\n", encoding="utf-8")
    assert "checkpoint line 2: unreadable" in str(_verify(database).problem)
    with Session(database.engine) as session, pytest.raises(audit_checkpoint.CheckpointRefused):
        s = get_settings()
        audit_checkpoint.write_checkpoint(
            session, "ALM-BST", s.resolved_audit_checkpoints, s.resolved_audit_checkpoint_key
        )


def test_a_checkpoint_is_never_written_over_a_tampered_log(database: Database) -> None:
    _write(database, 4)
    _checkpoint(database)
    _write(database, 2)
    _as_owner(database, "UPDATE audit_log SET actor = 'intruder' WHERE seq = 6")
    with pytest.raises(audit_checkpoint.CheckpointRefused, match="entry 6"):
        _checkpoint(database)
    result = runner.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "no checkpoint written" in result.stderr


def test_the_checkpoint_key_is_its_owners_alone(
    database: Database, checkpoint_files: tuple[Path, Path]
) -> None:
    _write(database, 1)
    checkpoint = _checkpoint(database)
    _, key = checkpoint_files
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (checkpoint.seq, checkpoint.entries) == (1, 1)
    assert _verify(database).valid and _cli_verify()[0] == 0


# --- a signed document held to the audit log ----------------------------------------------


def test_a_document_whose_text_and_stored_hashes_are_changed_fails_verify(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signature recorded without EDS (self-declared): its three stored hashes (document,
    approval, signature) rewritten with the text no longer pass, since the audit entry of the
    signing recorded the text's hash."""
    load_demo_office(database.engine)
    day = today()
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=day + dt.timedelta(days=5), day=day)
    monkeypatch.setenv("PROSECUTOR_EDS_REQUIRED", "false")
    get_settings.cache_clear()
    with sessionmaker(database.engine).begin() as session:
        signer = session.get_one(Approval, view.id).signatory_id
        outcome = approval_decisions.record_decision(
            session,
            approval_id=view.id,
            attempt=1,
            signer_id=signer,
            decision=Decision.APPROVE,
            comment=None,
            at=dt.datetime.now(dt.UTC),
            cms=None,
        )
    assert outcome.accepted
    with Session(database.engine) as session:
        doc_id = session.scalars(select(Signature.document_id)).one()
    ok = runner.invoke(app, ["documents", "verify", str(doc_id)])
    assert ok.exit_code == 0, ok.stdout

    changed = "Ответ заявителю: в удовлетворении отказать."
    digest = document_store.document_hash(changed)
    with sessionmaker(database.engine).begin() as session:
        session.execute(update(Document).values(body=changed, sha256=digest))
        session.execute(update(Approval).values(document_sha256=digest))
        session.execute(update(Signature).values(document_sha256=digest))
    result = runner.invoke(app, ["documents", "verify", str(doc_id)])
    assert result.exit_code == 1
    assert "INVALID" in result.stdout and "audit log recorded" in result.stdout
