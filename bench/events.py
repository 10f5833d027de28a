"""Event to a review's first step, and reviews per minute, with a real Prefect server and the
`review-appeal` deployment served: appeals submitted at the terminal emit
`prosecutor.appeal.received`; each review is timed from the event to the start of its first step
(p50/p95), and a burst until every review waits for the assistant's report (reviews per minute).
Each case runs twice in one go, served by Prefect's own runner (a fresh process per run, found
by the runner's poll) and warm (`deployments.warm_runner`: forked from a warm process, started
on the run's event), side by side under the same load."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from bench.report import machine, table
from models.db import make_engine
from models.db.migrate import upgrade
from models.db.tables import AppealRow
from tests.office import load_demo_office

BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError("timed out")


def _appeal(i: int, received: str) -> dict[str, object]:
    return {
        "external_id": f"bench-{i}",
        "applicant": {
            "kind": "individual",
            "iin": "850315400015",
            "last_name": "A",
            "first_name": "B",
        },
        "contact": {"email": "a@example.kz"},
        "language": "ru",
        "channel": "email",
        "topic": "labour_rights",
        "subject": f"Обращение {i}",
        "text": f"Текст обращения номер {i} для замера.",
        "received_at": received,
    }


SERVE = (
    "import sys;"
    "from deployments.catalog import all_deployments;"
    "from deployments.warm_runner import serve_warm;"
    "serve_warm(*all_deployments({'review-appeal'}), limit=int(sys.argv[1]))"
)


def _first_steps(api: str, run_ids: list[str]) -> dict[str, dt.datetime]:
    """The start of each run's first step (task run)."""
    starts = {}
    for run_id in run_ids:
        response = httpx.post(
            f"{api}/task_runs/filter",
            json={
                "flow_runs": {"id": {"any_": [run_id]}},
                "sort": "EXPECTED_START_TIME_ASC",
                "limit": 20,
            },
            timeout=10,
        )
        times = [t["start_time"] for t in response.json() if t.get("start_time")]
        if times:
            starts[run_id] = min(dt.datetime.fromisoformat(t) for t in times)
    return starts


def _load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_case(
    n: int, server_db: str, processes: int, poll: str, spaced: bool, warm: bool, limit: int
) -> list[object]:
    home = Path(tempfile.mkdtemp(prefix="bench-events-"))
    port = _port()
    api = f"http://127.0.0.1:{port}/api"
    office = f"sqlite:///{home / 'office.db'}"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PROSECUTOR_DATABASE_URL": office,
    }
    if poll:
        env["PREFECT_RUNNER_POLL_FREQUENCY"] = poll
    env["PROSECUTOR_WARM_RUNS"] = "true" if warm else "false"
    pg_name = None
    if server_db == "postgresql":
        pg_name = f"bench_prefect_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = (
            f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_name}"
        )
    upgrade(office)
    engine = make_engine(office)
    load_demo_office(engine)
    procs = [
        subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        _wait(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 120)
        for _ in range(processes):
            procs.append(
                subprocess.Popen(
                    # what `prosecutor serve --only review-appeal` serves, warm or Prefect's own
                    [sys.executable, "-c", SERVE, str(limit)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # stopped with the runs it started
                )
            )
        _wait(
            lambda: (
                httpx.get(
                    f"{api}/deployments/name/review-appeal/review-appeal", timeout=2
                ).status_code
                == 200
            ),
            120,
        )
        # the runners have polled once (and a warm server has imported the flows)
        _wait(
            lambda: httpx.get(
                f"{api}/deployments/name/review-appeal/review-appeal", timeout=2
            ).json()["last_polled"],
            120,
        )
        time.sleep(3)
        received = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        lines = [json.dumps(_appeal(i, received), ensure_ascii=False) for i in range(n)]
        submitted = time.time()
        # spaced: one appeal at a time (latency); otherwise one burst of n (throughput)
        for i, chunk in enumerate([[line] for line in lines] if spaced else [lines]):
            batch = home / f"appeals-{i}.jsonl"
            batch.write_text("\n".join(chunk), encoding="utf-8")
            done = subprocess.run(
                [str(BIN / "prosecutor"), "appeals", "submit", str(batch), "--json"],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise RuntimeError(f"submitting {batch.name} failed:\n{done.stdout}{done.stderr}")

        def runs() -> list[dict]:
            response = httpx.post(
                f"{api}/flow_runs/filter",
                json={"flow_runs": {"name": {"like_": "ALM-BST-APL-"}}, "limit": 200},
                timeout=10,
            )
            return response.json()

        def waiting() -> int:
            return sum(r["state"]["name"] == "Suspended" for r in runs())

        # on time-out, the row says how many of the n reached their first wait in that time
        with contextlib.suppress(TimeoutError):
            _wait(lambda: waiting() >= n, 60 + 10 * n)
        finished = time.time()
        reached = waiting()
        with Session(engine) as session:
            emitted = {
                r.review_flow_run_id: r.event_emitted_at for r in session.scalars(select(AppealRow))
            }
        load = _load()
        latencies, created, started = [], [], []
        flow_runs = {r["id"]: r for r in runs()}
        for run_id, step in _first_steps(api, list(flow_runs)).items():
            sent, run = emitted.get(run_id), flow_runs[run_id]
            if sent and run["start_time"]:
                sent = sent if sent.tzinfo else sent.replace(tzinfo=dt.UTC)
                latencies.append((step - sent).total_seconds())
                # where the time goes: the server's trigger, the runner, the run's own start
                created.append((dt.datetime.fromisoformat(run["created"]) - sent).total_seconds())
                started.append(
                    (dt.datetime.fromisoformat(run["start_time"]) - sent).total_seconds()
                )
        latencies = sorted(latencies) or [float("nan")]  # nan: no run reached its first step
        p50 = statistics.median(latencies)
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        parts = "/".join(f"{statistics.median(x):.2f}" if x else "-" for x in (created, started))
        per_minute = reached / ((finished - submitted) / 60)
        return [
            "warm" if warm else "Prefect's own",
            server_db,
            processes,
            poll or "2 (project default)",
            f"{n}, {'one at a time' if spaced else 'one burst'}",
            limit,
            f"{reached} of {n}",
            f"{p50:.2f}",
            f"{p95:.2f}",
            parts,
            f"{per_minute:.1f}",
            load,
        ]
    finally:
        for p in reversed(procs[1:]):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)  # the serving process and its flow runs
            p.wait()
        procs[0].terminate()
        try:
            procs[0].wait(timeout=20)
        except subprocess.TimeoutExpired:
            procs[0].kill()
        engine.dispose()
        if pg_name:
            with create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20, help="appeals one at a time")
    parser.add_argument("--burst", type=int, default=50, help="appeals in one burst")
    parser.add_argument(
        "--limit", type=int, default=8, help="flow runs at once per serving process"
    )
    parser.add_argument(
        "--cases",
        default="sqlite:1::spaced,postgresql:1::burst",
        help="server-db:processes:poll (empty: the project default):spaced|burst; each case is"
        " run with Prefect's own runner and warm",
    )
    args = parser.parse_args(argv)
    rows = []
    for case in args.cases.split(","):
        server_db, processes, poll, mode = case.split(":")
        n = args.n if mode == "spaced" else args.burst
        for warm in (False, True):
            row = run_case(n, server_db, int(processes), poll, mode == "spaced", warm, args.limit)
            print(row, flush=True)  # a row as soon as it is measured
            rows.append(row)
    table(
        f"Event to a review's first step, and reviews per minute up to the first wait ({machine()};"
        " targets: p95 < 1 s one at a time, >= 100/min in a burst)",
        [
            "runner",
            "Prefect server on",
            "serving processes",
            "runner poll s",
            "appeals",
            "serve --limit",
            "at first wait",
            "p50 s",
            "p95 s",
            "p50 s to run created / to run running",
            "runs/min",
            "load (1, 5, 15 min) at the end",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
