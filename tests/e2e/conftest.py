"""A real local Prefect server and `prosecutor serve`, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.db import make_engine
from models.migrate import upgrade
from tests.office import load_demo_office

BIN = Path(sys.executable).parent
# what these tests drive; the scheduled checks are tested through flows, not left to fire here
SERVED = "sign-document,review-appeal,record-answer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    db_url = f"sqlite:///{tmp_path / 'office.db'}"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PROSECUTOR_DATABASE_URL": db_url,
    }
    upgrade(db_url)
    engine = make_engine(db_url)
    load_demo_office(engine)
    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=(logs / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    served: list[subprocess.Popen[bytes]] = []

    def start_serving() -> None:
        served.append(
            subprocess.Popen(
                [str(BIN / "prosecutor"), "serve", "--only", SERVED],
                env=env,
                stdout=(logs / f"serve-{len(served)}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its flow-run children die with it when killed
            )
        )

    def crash_serving() -> None:
        """Kill the serving process and every run it started, as a power cut would."""
        os.killpg(served[-1].pid, signal.SIGKILL)
        served[-1].wait()

    try:
        _wait(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 90, "the server")
        start_serving()
        deployment = _wait(
            lambda: (
                httpx.get(f"{api}/deployments/name/sign-document/sign-document", timeout=2)
                .json()
                .get("id")
            ),
            90,
            "the served deployment",
        )
        yield {
            "api": api,
            "env": env,
            "engine": engine,
            "deployment": deployment,
            "logs": logs,
            "crash_serving": crash_serving,
            "start_serving": start_serving,
        }
    finally:
        for proc in served:
            if proc.poll() is None:
                _stop(proc)
        _stop(server)
        engine.dispose()


def state(api: str, run_id: str) -> dict[str, Any]:
    return httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()["state"]


def wait(check: Any, timeout: float, what: str) -> Any:
    return _wait(check, timeout, what)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "prosecutor"), *args], env=env, capture_output=True, text=True, timeout=120
    )
