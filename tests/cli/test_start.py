"""The main job on the embedded default: a fresh data folder comes up with the demo office."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deployments.cli import app
from models.db import default_engine
from models.settings import get_settings

runner = CliRunner()


@pytest.fixture
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("PROSECUTOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("PROSECUTOR_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    default_engine.cache_clear()
    yield tmp_path / "data"
    if default_engine.cache_info().currsize:
        default_engine().dispose()
    default_engine.cache_clear()
    get_settings.cache_clear()


def test_start_creates_the_database_and_loads_the_demo_office_once(fresh_data_dir: Path) -> None:
    first = runner.invoke(app, ["start", "--once", "--no-check", "--json"])
    assert first.exit_code == 0, first.stderr
    data = json.loads(first.stdout)
    assert (fresh_data_dir / "prosecutor.db").exists()
    assert data["roster_loaded"]["staff"] == 7
    assert data["signatory"]["staff_id"] == "head"  # nobody is absent in the demo office
    assert data["audit"]["valid"] and data["audit"]["entries"] == 1
    assert {d["term_id"] for d in data["deadlines_if_received_today"]} >= {"appeal.consideration"}

    again = json.loads(runner.invoke(app, ["start", "--once", "--no-check", "--json"]).stdout)
    assert again["roster_loaded"] is None and again["audit"]["entries"] == 1

    human = runner.invoke(app, ["start", "--once", "--no-check"])
    assert "Signs today:" in human.stdout and "Audit chain: valid" in human.stdout
