"""Warm flow runs with a real Prefect server: served by ``deployments.warm_runner.serve_warm``,
a run executes in a process forked from the warm server, is started by the server's event
(the runner's poll is set to a minute here), survives suspend and resume, still sends its
heartbeat, and serving comes back after a kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect import flow
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput

from tests.e2e.conftest import free_port
from tests.support.polling import retry_busy, wait_until

ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = "300"  # a run started well within this means the event woke the runner


class Answer(RunInput):
    text: str


def _process_facts() -> dict[str, Any]:
    """Where this run executes: its process, its parent, and who imported the warm runner."""
    import prefect.flow_engine as flow_engine

    import deployments.warm_runner as warm

    parent_cmdline = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().replace(b"\0", b" ")
    return {
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "imported_in": warm.IMPORTED_IN_PID,
        "parent_cmdline": parent_cmdline.decode(errors="replace"),
        "quick_heartbeats": flow_engine._send_heartbeats is warm.quick_heartbeats,
    }


@flow(name="warm-where")
def where(out: str) -> None:
    Path(out).write_text(json.dumps(_process_facts()), encoding="utf-8")


@flow(name="warm-asks")
def asks(out: str) -> None:
    answer = suspend_flow_run(wait_for_input=Answer, key="warm-answer", timeout=600)
    Path(out).write_text(json.dumps({**_process_facts(), "answer": answer.text}), "utf-8")


@flow(name="warm-sleeps")
def sleeps(out: str) -> None:
    Path(out).write_text(json.dumps(_process_facts()), encoding="utf-8")
    time.sleep(600)


FLOWS = (where, asks, sleeps)


def serve_test_flows() -> None:
    """The serving process of these tests (started with ``python -c``)."""
    from deployments.warm_runner import serve_warm

    serve_warm(*(f.to_deployment(name=f.name) for f in FLOWS))


def _start_serving(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", f"import {__name__} as t; t.serve_test_flows()"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # kill -9 of the group: the serving process and its runs
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("warm")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": POLL_SECONDS,
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
        "PROSECUTOR_WARM_RUNS": "true",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "prefect"), "server", "start", "--port", str(port)],
        env=env,
        stdout=(tmp / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    serving = []
    try:
        wait_until(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 120)
        serving.append(_start_serving(env, tmp / "serve.log"))
        stack = {"api": api, "env": env, "tmp": tmp, "serving": serving}
        _polled_once(stack)
        yield stack
    finally:
        for proc in serving:
            _stop(proc)
        server.terminate()
        server.wait(timeout=30)


def _deployment(stack: dict[str, Any], name: str) -> str:
    def found() -> str | None:
        response = httpx.get(f"{stack['api']}/deployments/name/{name}/{name}", timeout=5)
        return response.json().get("id") if response.status_code == 200 else None

    return wait_until(found, 120, what=f"the deployment {name}")


def _polled_once(stack: dict[str, Any]) -> None:
    """Until the runner's first poll is behind it: a run created after that is started by its
    event (or by the next poll, minutes later)."""
    ids = [_deployment(stack, f.name) for f in FLOWS]

    def polled() -> bool:
        return all(
            httpx.get(f"{stack['api']}/deployments/{d}", timeout=5).json().get("last_polled")
            for d in ids
        )

    wait_until(polled, 120, what="the runner's first poll")


def _run(stack: dict[str, Any], name: str, out: Path) -> str:
    deployment = _deployment(stack, name)
    response = retry_busy(  # a Prefect server on SQLite answers 503 while busy writing
        lambda: httpx.post(
            f"{stack['api']}/deployments/{deployment}/create_flow_run",
            json={"parameters": {"out": str(out)}},
            timeout=10,
        )
    )
    response.raise_for_status()
    return response.json()["id"]


def _state(stack: dict[str, Any], run_id: str) -> str:
    return httpx.get(f"{stack['api']}/flow_runs/{run_id}", timeout=5).json()["state"]["name"]


def _facts(out: Path) -> dict[str, Any]:
    return wait_until(
        lambda: out.exists() and json.loads(out.read_text("utf-8")), 50, what=f"{out.name}"
    )


def _assert_forked_warm(facts: dict[str, Any], serving_pid: int) -> None:
    # the module was imported by the run's parent, the warm forkserver, not by the run itself
    # (a spawned run imports everything again, so it would name its own pid)
    assert facts["imported_in"] == facts["ppid"] != facts["pid"]
    assert facts["ppid"] != serving_pid
    assert "multiprocessing.forkserver" in facts["parent_cmdline"]
    assert facts["quick_heartbeats"] is True


@pytest.mark.e2e
def test_a_served_run_is_forked_warm_started_by_its_event_and_sends_a_heartbeat(
    warm: dict[str, Any],
) -> None:
    out = warm["tmp"] / "where.json"
    run_id = _run(warm, "warm-where", out)
    # the runner polls once a minute here: only the Scheduled event can start it this soon
    facts = _facts(out)
    _assert_forked_warm(facts, warm["serving"][-1].pid)
    wait_until(lambda: _state(warm, run_id) == "Completed", 60, what="the run to complete")

    def heartbeats() -> int:
        response = httpx.post(
            f"{warm['api']}/events/filter",
            json={
                "filter": {
                    "event": {"name": ["prefect.flow-run.heartbeat"]},
                    "resource": {"id": [f"prefect.flow-run.{run_id}"]},
                }
            },
            timeout=10,
        )
        return len(response.json()["events"])

    assert wait_until(heartbeats, 60, what="the run's heartbeat event") >= 1


@pytest.mark.e2e
def test_a_warm_run_is_suspended_and_resumed_with_its_answer(warm: dict[str, Any]) -> None:
    out = warm["tmp"] / "asks.json"
    run_id = _run(warm, "warm-asks", out)
    wait_until(lambda: _state(warm, run_id) == "Suspended", 50, what="the run to suspend")

    def resume() -> httpx.Response | None:
        response = httpx.post(
            f"{warm['api']}/flow_runs/{run_id}/resume",
            json={"run_input": {"text": "согласовано"}},
            timeout=10,
        )
        return None if response.status_code >= 500 else response  # a busy server: again

    response = wait_until(resume, 30, what="the server to take the answer")
    assert response.json().get("status") == "ACCEPT", response.text
    facts = _facts(out)  # the resumed run, started again by its event
    assert facts["answer"] == "согласовано"
    _assert_forked_warm(facts, warm["serving"][-1].pid)
    wait_until(lambda: _state(warm, run_id) == "Completed", 60, what="the run to complete")


@pytest.mark.e2e
def test_a_warm_run_is_cancelled_by_killing_its_process(warm: dict[str, Any]) -> None:
    out = warm["tmp"] / "sleeps.json"
    run_id = _run(warm, "warm-sleeps", out)
    facts = _facts(out)
    _assert_forked_warm(facts, warm["serving"][-1].pid)
    response = retry_busy(
        lambda: httpx.post(
            f"{warm['api']}/flow_runs/{run_id}/set_state",
            json={"state": {"type": "CANCELLING", "name": "Cancelling"}, "force": True},
            timeout=10,
        )
    )
    response.raise_for_status()
    wait_until(lambda: _state(warm, run_id) == "Cancelled", 60, what="the run to be cancelled")
    wait_until(lambda: not Path(f"/proc/{facts['pid']}").exists(), 30, what="its process gone")


@pytest.mark.e2e
def test_serving_comes_back_warm_after_a_kill_9(warm: dict[str, Any]) -> None:
    killed = warm["serving"][-1]
    os.killpg(killed.pid, signal.SIGKILL)  # the serving process, its forkserver and its runs
    killed.wait()
    warm["serving"].append(_start_serving(warm["env"], warm["tmp"] / "serve.log"))
    _polled_once(warm)
    out = warm["tmp"] / "after-kill.json"
    run_id = _run(warm, "warm-where", out)
    facts = wait_until(
        lambda: out.exists() and json.loads(out.read_text("utf-8")), 120, what="the run"
    )
    _assert_forked_warm(facts, warm["serving"][-1].pid)
    wait_until(lambda: _state(warm, run_id) == "Completed", 60, what="the run to complete")
