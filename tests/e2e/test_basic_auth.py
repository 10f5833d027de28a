"""Basic auth on the office's Prefect server: `PREFECT_SERVER_API_AUTH_STRING` on the server,
`PREFECT_API_AUTH_STRING` on every client. The open-source server has one shared login and no
per-user rights: the signatory rules and the audit log decide who may sign, not the login."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import httpx
import pytest

from deployments.catalog import declared
from tests.e2e.conftest import BIN, cli, started_office, wait

pytestmark = pytest.mark.e2e

LOGIN = "office:correct-horse-battery"


def prefect(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "prefect"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_office_behind_basic_auth(tmp_path: Path) -> None:
    with started_office(tmp_path, PREFECT_SERVER_API_AUTH_STRING=LOGIN) as office:
        api = office["api"]
        good = {"Authorization": "Basic " + base64.b64encode(LOGIN.encode()).decode()}
        bad = {"Authorization": "Basic " + base64.b64encode(b"office:wrong").decode()}
        filter_deployments = f"{api}/deployments/filter"

        # nobody gets in without the login, or with a wrong one
        assert httpx.post(filter_deployments, json={}, timeout=5).status_code == 401
        assert httpx.post(filter_deployments, json={}, headers=bad, timeout=5).status_code == 401

        # the serving processes logged in: every deployment is registered
        served = httpx.post(filter_deployments, json={}, headers=good, timeout=5)
        assert served.status_code == 200 and len(served.json()) == len(declared())

        # a client without the login is refused; with PREFECT_API_AUTH_STRING it works, and
        # the appeal's event reaches the server and starts its review
        appeal = tmp_path / "appeal.json"
        appeal.write_text(
            json.dumps(
                {
                    "applicant": {
                        "kind": "individual",
                        "iin": "900712500120",
                        "last_name": "Иванов",
                        "first_name": "Пётр",
                    },
                    "contact": {"email": "p.ivanov@example.kz"},
                    "language": "ru",
                    "channel": "e_otinish",
                    "topic": "social_benefits",
                    "subject": "Отказ в пособии",
                    "text": "Отдел занятости отказал в пособии без объяснения причин.",
                    "received_at": "2026-11-02T10:00:00+05:00",
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
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
                headers=good,
                timeout=5,
            )
            return any(r["state_type"] in {"PAUSED", "RUNNING"} for r in runs.json())

        wait(review_started, 180, f"the review of {number} to start")
