"""A real local Prefect server and `prosecutor serve`, for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.db import make_engine
from models.db.migrate import upgrade
from tests.office import load_demo_office
from tests.support.polling import wait_until

BIN = Path(sys.executable).parent
# what these tests drive; the scheduled checks are tested through flows, not left to fire here
SERVED = "sign-document,review-appeal,record-answer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The server and `prosecutor serve --only` the deployments the module names with
    ``pytestmark = pytest.mark.served("a,b")`` (default: ``SERVED``), shared by the tests of
    the module (starting them is most of an end-to-end test's time)."""
    tmp_path = tmp_path_factory.mktemp("stack")
    marker = request.node.get_closest_marker("served")
    served_names = marker.args[0] if marker else SERVED
    first = served_names.split(",")[0]
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
                [str(BIN / "prosecutor"), "serve", "--only", served_names],
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
        wait_until(
            lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 90, what="the server"
        )
        start_serving()
        deployment = wait_until(
            lambda: (
                httpx.get(f"{api}/deployments/name/{first}/{first}", timeout=2).json().get("id")
            ),
            90,
            what="the served deployment",
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
    return wait_until(check, timeout, what=what)


def waiting_at(api: str, run_id: str, prefix: str, timeout: float = 180) -> None:
    """Until the run is suspended at a wait whose key starts with ``prefix``."""

    def ready() -> bool:
        s = state(api, run_id)
        key = (s.get("state_details") or {}).get("pause_key") or ""
        return s["name"] == "Suspended" and key.startswith(prefix)

    wait(ready, timeout, f"the run to wait at {prefix}")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "prosecutor"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def _lines(stream: Any, into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@contextmanager
def started_office(
    tmp_path: Path, *args: str, domain_url: str | None = None, **extra_env: str
) -> Iterator[dict[str, Any]]:
    """`prosecutor start` (the README's main command) on a free port, its data in a temporary
    folder; stopped with Ctrl-C (SIGINT) on leaving unless the test stopped it."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PROSECUTOR_DATABASE_URL", "PREFECT_API_URL", "PREFECT_HOME"}
    }
    env |= {
        "PROSECUTOR_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        **extra_env,
    }
    proc = subprocess.Popen(
        [str(BIN / "prosecutor"), "start", "--port", str(port), "--no-demo", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "start.log").open("w"),
        text=True,
    )
    out: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, out), daemon=True).start()
    printed: list[str] = []
    deadline = time.monotonic() + 300
    while not any("Prefect UI:" in line for line in printed):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log = (tmp_path / "start.log").read_text()
            raise AssertionError(f"`prosecutor start` did not come up:\n{log[-3000:]}")
        with contextlib.suppress(queue.Empty):
            printed.append(out.get(timeout=1))
    ui = f"http://127.0.0.1:{port}"
    domain_url = domain_url or f"sqlite:///{tmp_path / 'data' / 'prosecutor.db'}"
    engine = make_engine(domain_url)
    try:
        yield {
            "ui": ui,
            "api": f"{ui}/api",
            "env": {
                **env,
                "PREFECT_API_URL": f"{ui}/api",
                "PROSECUTOR_DATABASE_URL": domain_url,
            },
            "engine": engine,
            "proc": proc,
            "printed": printed,
            "log": tmp_path / "start.log",
            "tmp": tmp_path,
        }
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                proc.kill()
        engine.dispose()
