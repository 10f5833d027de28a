"""``prosecutor audit verify`` and ``audit checkpoint``: exit 0 on an intact log held to its
checkpoint, exit 1 with one clear line otherwise; ``--json`` prints the report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from deployments.cli import app
from models.settings import get_settings
from tests.conftest import Database
from tests.reliability.test_audit_tamper import (
    _as_owner,
    _write,
    checkpoint_files,  # noqa: F401 - autouse: this test's own checkpoint file and key
)

runner = CliRunner()


def _lines() -> int:
    return len(_file().read_text(encoding="utf-8").splitlines())


def _file() -> Path:
    return get_settings().resolved_audit_checkpoints


def test_verify_and_checkpoint_exit_codes(database: Database) -> None:
    _write(database, 3)
    first = runner.invoke(app, ["audit", "verify"])
    assert first.exit_code == 0 and "3 entries, no checkpoint" in first.stdout

    made = runner.invoke(app, ["audit", "checkpoint", "--json"])
    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout)["seq"] == 3
    assert _lines() == 1

    _write(database, 1)  # entries after the checkpoint are fine
    held = runner.invoke(app, ["audit", "verify"])
    assert held.exit_code == 0 and "held to checkpoint of entry 3" in held.stdout

    _as_owner(database, "DELETE FROM audit_log WHERE seq >= 3")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert broken.stdout.strip().count("\n") == 0  # one line
    assert "BROKEN at entry 3" in broken.stdout and "entries removed" in broken.stdout

    report = runner.invoke(app, ["audit", "verify", "--json"])
    assert report.exit_code == 1
    data = json.loads(report.stdout)
    assert data["valid"] is False and data["entries"] == 2
    assert data["checkpoint"]["seq"] == 3 and data["checkpoints"] == 1

    refused = runner.invoke(app, ["audit", "checkpoint"])
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: audit log INVALID, no checkpoint written")
    assert _lines() == 1


def test_a_tampered_checkpoint_file_fails_verify(database: Database) -> None:
    _write(database, 2)
    assert runner.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    path = _file()
    line = json.loads(path.read_text(encoding="utf-8"))
    line["entries"] = 1
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "audit log INVALID: checkpoint line 1: bad signature" in result.stdout
