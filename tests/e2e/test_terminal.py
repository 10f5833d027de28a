"""The office behind basic auth, from the terminal; one office (`prosecutor start` with a login)
serves the tests of the module, the last of which stops it.

Basic auth on the office's Prefect server: `PREFECT_SERVER_API_AUTH_STRING` on the server,
`PREFECT_API_AUTH_STRING` on every client. The open-source server has one shared login and no
per-user rights: the signatory rules and the audit log decide who may sign, not the login.

A second terminal beside the running office: `prosecutor start` writes where its server is
and the login into its data folder, so a fresh shell with no Prefect variable at all submits an
appeal and its review starts; a wrong login is exit 1 and `"announced": false`, never a
success. The morning deadline check is caught up once on a working day past 09:00."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployments.catalog import declared
from deployments.catch_up import catch_up
from models.timing.calendar import ALMATY, WorkingCalendar
from tasks.connection import FILE_NAME
from tests.e2e.conftest import BIN, cli, started_office, wait
from tests.support.appeals import appeal_file

pytestmark = pytest.mark.e2e

LOGIN = "office:correct-horse-battery"
HEADERS = {"Authorization": "Basic " + base64.b64encode(LOGIN.encode()).decode()}


def fresh_shell(data_dir: Path, **extra: str) -> dict[str, str]:
    """A new terminal in the same folder: no PREFECT_* variable, no database URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PREFECT_") and k != "PROSECUTOR_DATABASE_URL"
    }
    return {**env, "PROSECUTOR_DATA_DIR": str(data_dir), **extra}


def prosecutor(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "prosecutor"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def terminal_appeal(folder: Path, n: int) -> Path:
    return appeal_file(
        folder,
        f"terminal-{n}",
        last_name="Сейтқали",
        first_name="Айгүл",
        channel="e_otinish",
        topic=None,
        subject="Отказ в пособии",
        text=f"Отдел занятости отказал в пособии без объяснения причин ({n}).",
        received_at="2026-11-02T10:00:00+05:00",
    )


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("terminal")
    with started_office(folder, PREFECT_SERVER_API_AUTH_STRING=LOGIN) as running:
        yield running


def prefect(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "prefect"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def review_runs(api: str, number: str) -> list[dict[str, Any]]:
    runs = httpx.post(
        f"{api}/flow_runs/filter",
        json={"deployments": {"name": {"any_": ["review-appeal"]}}},
        headers=HEADERS,
        timeout=5,
    )
    runs.raise_for_status()
    # the trigger passes the event's resource id, `prosecutor.appeal.<number>`
    return [r for r in runs.json() if r["parameters"].get("appeal_ref", "").endswith(number)]


def last_check_day(now: dt.datetime) -> dt.date:
    """The latest working day whose 09:00 check is already due (today after 09:00)."""
    calendar = WorkingCalendar()
    day = now.date() if now.hour >= 9 else now.date() - dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def test_the_office_behind_basic_auth(office: dict[str, Any], tmp_path: Path) -> None:
    api = office["api"]
    bad = {"Authorization": "Basic " + base64.b64encode(b"office:wrong").decode()}
    filter_deployments = f"{api}/deployments/filter"

    # nobody gets in without the login, or with a wrong one
    assert httpx.post(filter_deployments, json={}, timeout=5).status_code == 401
    assert httpx.post(filter_deployments, json={}, headers=bad, timeout=5).status_code == 401

    # the serving processes logged in: every deployment is registered
    served = httpx.post(filter_deployments, json={}, headers=HEADERS, timeout=5)
    assert served.status_code == 200 and len(served.json()) == len(declared())

    # a client without the login is refused; with PREFECT_API_AUTH_STRING it works, and
    # the appeal's event reaches the server and starts its review
    appeal = appeal_file(
        tmp_path,
        "auth-1",
        iin="900712500120",
        last_name="Иванов",
        first_name="Пётр",
        contact={"email": "p.ivanov@example.kz"},
        channel="e_otinish",
        topic="social_benefits",
        subject="Отказ в пособии",
        text="Отдел занятости отказал в пособии без объяснения причин.",
        received_at="2026-11-02T10:00:00+05:00",
    )
    logged_in = {**office["env"], "PREFECT_API_AUTH_STRING": LOGIN}
    assert prefect(office["env"], "deployment", "ls").returncode != 0
    listed = prefect(logged_in, "deployment", "ls")
    assert listed.returncode == 0 and "review-appeal" in listed.stdout, listed.stderr

    submitted = cli(logged_in, "appeals", "submit", str(appeal), "--json")
    assert submitted.returncode == 0, submitted.stderr
    number = json.loads(submitted.stdout)["appeals"][0]["registration_number"]

    def review_started() -> bool:
        runs = httpx.post(
            f"{api}/flow_runs/filter",
            json={"flow_runs": {"name": {"like_": number}}},
            headers=HEADERS,
            timeout=5,
        )
        return any(r["state_type"] in {"PAUSED", "RUNNING"} for r in runs.json())

    wait(review_started, 180, f"the review of {number} to start")


def test_a_fresh_shell_reaches_the_running_office(office: dict[str, Any], tmp_path: Path) -> None:
    data = office["tmp"] / "data"
    api = office["api"]
    connection = data / FILE_NAME
    assert connection.stat().st_mode & 0o777 == 0o600  # it holds the login
    shell = fresh_shell(data)

    submitted = prosecutor(shell, tmp_path, "appeals", "submit", str(terminal_appeal(tmp_path, 1)))
    submitted_json = prosecutor(
        shell, tmp_path, "appeals", "submit", str(terminal_appeal(tmp_path, 2)), "--json"
    )
    assert submitted.returncode == 0, submitted.stderr + submitted.stdout
    result = json.loads(submitted_json.stdout)
    assert submitted_json.returncode == 0 and result["announced"] is True, result
    number = result["appeals"][0]["registration_number"]

    def review_started() -> bool:
        return any(
            r["state_name"] in {"Running", "Paused", "Suspended"} for r in review_runs(api, number)
        )

    wait(review_started, 180, f"the review of {number} to start")
    shown = prosecutor(shell, tmp_path, "appeals", "show", number, "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["registration_number"] == number

    # a wrong login (given explicitly, it wins over the file's): exit 1, not announced
    wrong = fresh_shell(data, PREFECT_API_AUTH_STRING="office:wrong")
    refused = prosecutor(
        wrong, tmp_path, "appeals", "submit", str(terminal_appeal(tmp_path, 3)), "--json"
    )
    assert refused.returncode == 1
    refused_json = json.loads(refused.stdout)
    assert refused_json["announced"] is False
    assert "401" in refused_json["announce_error"]
    late = refused_json["appeals"][0]["registration_number"]
    assert review_runs(api, late) == []  # stored, its review waits for reconciling

    # the morning check, caught up once for a working day past 09:00
    now = dt.datetime.now(ALMATY)
    day = last_check_day(now)
    at = dt.datetime.combine(day, dt.time(10, 0), ALMATY)
    run_id = catch_up(api, HEADERS, at)
    assert run_id

    def checked() -> dict[str, Any] | None:
        run = httpx.get(f"{api}/flow_runs/{run_id}", headers=HEADERS, timeout=5).json()
        return run if run["state_type"] == "COMPLETED" else None

    run = wait(checked, 180, "the caught-up deadline check")
    assert run["name"] == f"check-deadlines · {day:%d.%m.%Y}"
    assert catch_up(api, HEADERS, at + dt.timedelta(hours=3)) is None  # once a day

    office["proc"].send_signal(signal.SIGINT)  # Ctrl-C
    assert office["proc"].wait(timeout=90) == 0, office["log"].read_text()[-2000:]
    # stopped: the file is gone, and a fresh shell says there is no office, at once
    assert not connection.exists()
    offline = prosecutor(fresh_shell(data), tmp_path, "appeals", "reconcile")
    assert offline.returncode == 1 and "no office is running here" in offline.stderr
