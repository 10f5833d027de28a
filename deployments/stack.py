"""The whole office on this machine: a Prefect server of its own, every deployment of
``prefect.yaml`` served with its schedules and triggers, and the demo appeals submitted.

Each part is a child process in a session of its own, so Ctrl-C reaches only this process, which
stops the parts in order: serving first (runs waiting for a person stay suspended on the server
and resume after the next start), then the server.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from deployments.catalog import declared
from deployments.cli.errors import BadInput
from tasks.connection import Connection, connection_file, remove_connection, write_connection

DEMO_APPEALS = Path(__file__).with_name("demo_appeals.yaml")
SERVER_READY_SECONDS = 180
STOP_SECONDS = 20


@dataclass(frozen=True, slots=True)
class StackConfig:
    data_dir: Path  # the server's SQLite database, its profile and the logs go under here
    domain_url: str  # the office's database, for the serving processes
    port: int = 4200
    host: str = "127.0.0.1"
    prefect_database_url: str | None = None  # None: the server's own SQLite file

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.ui_url}/api"

    @property
    def prefect_home(self) -> Path:
        return self.data_dir / "prefect"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def connection_file(self) -> Path:
        """How `prosecutor` in another terminal finds this office (tasks.connection)."""
        return connection_file(self.data_dir)


def urgent_names() -> list[str]:
    """Deployments that go to the `urgent` queue: served by a process of their own, so a busy
    office never holds up a release."""
    return [
        spec["name"]
        for spec in declared()
        if (spec.get("work_pool") or {}).get("work_queue_name") == "urgent"
    ]


def serving_groups() -> list[list[str]]:
    urgent = urgent_names()
    return [urgent, [spec["name"] for spec in declared() if spec["name"] not in urgent]]


def child_env(config: StackConfig, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    # An API key is for Prefect Cloud; beside basic auth it takes precedence and gives 401.
    env.pop("PREFECT_API_KEY", None)
    env.update(
        PREFECT_HOME=str(config.prefect_home),
        PREFECT_API_URL=config.api_url,
        PREFECT_SERVER_API_HOST=config.host,
        PREFECT_SERVER_API_PORT=str(config.port),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        # an offline office: no upgrade prompts or marketing banners in the UI
        PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        # the UI the README's screens show (Runs, the Resume form, Cancel asks to confirm); a
        # browser that chose the other one keeps its choice ("Switch to V1/V2 UI")
        PREFECT_SERVER_UI_V2_ENABLED="false",
        # a run of a deployment whose concurrency limit is full is sent back for this long
        # (Prefect's default 30 s would delay a queued desk refresh or deadline check)
        PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS="2",
        PROSECUTOR_DATABASE_URL=config.domain_url,
        PYTHONUNBUFFERED="1",
    )
    # a client of a server with basic auth uses the same user:password
    if "PREFECT_SERVER_API_AUTH_STRING" in env and "PREFECT_API_AUTH_STRING" not in env:
        env["PREFECT_API_AUTH_STRING"] = env["PREFECT_SERVER_API_AUTH_STRING"]
    if config.prefect_database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = config.prefect_database_url
    return env


def auth_headers(env: dict[str, str]) -> dict[str, str]:
    auth = env.get("PREFECT_API_AUTH_STRING")
    if not auth:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}


def port_taken(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def _executable(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise BadInput(f"`{name}` is not installed in this environment")
    return found


@dataclass
class Stack:
    """The running parts; ``stop`` ends them in order."""

    config: StackConfig
    env: dict[str, str]
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.config.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C is ours to handle; the group dies together
        )
        self.processes.append((name, proc))
        return proc

    def dead(self) -> list[str]:
        return [name for name, proc in self.processes if proc.poll() is not None]

    def stop(self, say: Callable[[str], None] = lambda _: None) -> None:
        for name, proc in reversed(self.processes):  # serving first, the server last
            if proc.poll() is not None:
                continue
            say(f"stopping {name}")
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _wait_until(check: Callable[[], Any], timeout: float, what: str, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.dead():
            raise BadInput(
                f"{', '.join(stack.dead())} stopped while waiting for {what}:"
                f" see {stack.config.logs}"
            )
        try:
            value = check()
        except (httpx.HTTPError, OSError, ValueError):
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise BadInput(f"timed out after {timeout:.0f} s waiting for {what}: see {stack.config.logs}")


def demo_appeals_file(folder: Path, now: dt.datetime | None = None) -> Path:
    """The demo appeals as JSON lines, received a few minutes ago."""
    moment = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)
    appeals = yaml.safe_load(DEMO_APPEALS.read_text(encoding="utf-8"))
    path = folder / "demo-appeals.jsonl"
    path.write_text(
        "".join(
            json.dumps({**a, "received_at": moment.isoformat()}, ensure_ascii=False) + "\n"
            for a in appeals
        ),
        encoding="utf-8",
    )
    return path


@contextmanager
def running(config: StackConfig, say: Callable[[str], None]) -> Iterator[Stack]:
    """Start the server and the serving processes; stop them all on leaving."""
    if port_taken(config.host, config.port):
        raise BadInput(
            f"{config.host}:{config.port} is already in use (another `prosecutor start`?):"
            " stop it or give --port"
        )
    config.logs.mkdir(parents=True, exist_ok=True)
    config.prefect_home.mkdir(parents=True, exist_ok=True)
    stack = Stack(config, child_env(config))
    headers = auth_headers(stack.env)
    try:
        say(f"Prefect server starting on {config.ui_url} (log: {config.logs / 'server.log'})")
        stack.spawn(
            "server",
            [
                _executable("prefect"),
                "server",
                "start",
                "--host",
                config.host,
                "--port",
                str(config.port),
            ],
        )
        _wait_until(
            lambda: httpx.get(f"{config.api_url}/ready", headers=headers, timeout=3).is_success,
            SERVER_READY_SECONDS,
            "the Prefect server",
            stack,
        )
        prosecutor = _executable("prosecutor")
        for n, names in enumerate(serving_groups()):
            say(f"serving {', '.join(names)}")
            # this process catches up the deadline check itself, once everything is served
            stack.spawn(
                f"serve-{n}", [prosecutor, "serve", "--only", ",".join(names), "--no-catch-up"]
            )
        expected = {spec["name"] for spec in declared()}
        _wait_until(
            lambda: expected <= _deployment_names(config.api_url, headers),
            SERVER_READY_SECONDS,
            "every deployment to be served",
            stack,
        )
        connection = Connection(
            api_url=config.api_url,
            auth_string=stack.env.get("PREFECT_API_AUTH_STRING"),
            ui_url=config.ui_url,
        )
        write_connection(config.connection_file, connection, os.getpid())
        yield stack
    finally:
        remove_connection(config.connection_file, os.getpid())
        stack.stop(say)


def _deployment_names(api_url: str, headers: dict[str, str]) -> set[str]:
    response = httpx.post(
        f"{api_url}/deployments/filter", json={"limit": 200}, headers=headers, timeout=5
    )
    response.raise_for_status()
    return {d["name"] for d in response.json()}


def catch_up_deadline_check(stack: Stack, say: Callable[[str], None]) -> str | None:
    """Today's deadline check started now if the office came up after 09:00 of a working day
    and it has not run (deployments.catch_up); a failure is one line, the office runs on."""
    from deployments.catch_up import catch_up

    try:
        run_id = catch_up(stack.config.api_url, auth_headers(stack.env))
    except httpx.HTTPError as exc:
        say(f"deadline check catch-up failed: {exc}")
        return None
    if run_id:
        say(f"today's deadline check had not run: started it now (flow run {run_id})")
    return run_id


def submit_demo_appeals(stack: Stack) -> subprocess.CompletedProcess[str]:
    path = demo_appeals_file(stack.config.data_dir)
    return subprocess.run(
        [_executable("prosecutor"), "appeals", "submit", str(path)],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def wait_for_stop(stack: Stack) -> str:
    """Block until Ctrl-C or SIGTERM, or until a part stops by itself; the reason."""
    stopping: list[str] = []

    def _on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signal.Signals(signum).name)

    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            if dead := stack.dead():
                return f"{', '.join(dead)} stopped by itself: see {stack.config.logs}"
            time.sleep(0.5)
        return f"{stopping[0]} received"
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
