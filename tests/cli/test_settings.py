"""Every ``PROSECUTOR_*`` variable is read through the settings: the four-eyes rule, how often a
paused run looks for its decision, and the PostgreSQL server of ``prosecutor start``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from deployments.cli import app
from models.settings import get_settings
from tasks.approvals import four_eyes_enabled
from tasks.waiting import pause_poll_seconds

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize(("value", "enabled"), [("false", False), ("0", False), ("true", True)])
def test_four_eyes_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, enabled: bool
) -> None:
    monkeypatch.setenv("PROSECUTOR_FOUR_EYES", value)
    get_settings.cache_clear()
    assert four_eyes_enabled() is enabled


@pytest.mark.usefixtures("fresh_settings")
def test_four_eyes_is_on_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROSECUTOR_FOUR_EYES", raising=False)
    assert four_eyes_enabled() is True


@pytest.mark.usefixtures("fresh_settings")
def test_pause_poll_seconds_from_the_environment_and_never_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROSECUTOR_PAUSE_POLL_SECONDS", "3")
    assert pause_poll_seconds() == 3
    monkeypatch.setenv("PROSECUTOR_PAUSE_POLL_SECONDS", "0")
    get_settings.cache_clear()
    with pytest.raises(ValidationError, match="pause_poll_seconds"):
        pause_poll_seconds()


@pytest.mark.usefixtures("fresh_settings")
def test_start_takes_the_postgres_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without --postgres, PROSECUTOR_POSTGRES_URL is the server asked for: a URL that is not
    PostgreSQL is refused in one line before anything is created."""
    monkeypatch.setenv("PROSECUTOR_POSTGRES_URL", "sqlite:///office.db")
    result = runner.invoke(app, ["start", "--once", "--no-check"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --postgres: give postgresql://")


def test_python_m_runs_the_same_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deployments.cli", "approvals", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "decide" in done.stdout and "Usage: prosecutor approvals" in done.stdout
