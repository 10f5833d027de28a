"""Event to running flow, and flow runs per minute, with a real Prefect server and served
deployments: appeals submitted at the terminal emit `prosecutor.appeal.received`; the served
`review-appeal` deployment's runs are timed from the event to their start (p50/p95) and until
they wait for the assistant's report (runs per minute)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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

from bench.report import table
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


def run_case(n: int, server_db: str, processes: int, poll: str, spaced: bool) -> list[object]:
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
                    [str(BIN / "prosecutor"), "serve", "--only", "review-appeal"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
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
        time.sleep(3)  # let the runners start polling
        received = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        lines = [json.dumps(_appeal(i, received), ensure_ascii=False) for i in range(n)]
        submitted = time.time()
        # spaced: one appeal at a time (latency); otherwise one burst of n (throughput)
        for i, chunk in enumerate([[line] for line in lines] if spaced else [lines]):
            batch = home / f"appeals-{i}.jsonl"
            batch.write_text("\n".join(chunk), encoding="utf-8")
            subprocess.run(
                [str(BIN / "prosecutor"), "appeals", "submit", str(batch), "--json"],
                env=env,
                check=True,
                capture_output=True,
            )

        def runs() -> list[dict]:
            response = httpx.post(
                f"{api}/flow_runs/filter",
                json={"flow_runs": {"name": {"like_": "ALM-BST-APL-"}}, "limit": 200},
                timeout=10,
            )
            return response.json()

        _wait(lambda: sum(r["state"]["name"] == "Suspended" for r in runs()) >= n, 60 + 10 * n)
        finished = time.time()
        with Session(engine) as session:
            emitted = {
                r.review_flow_run_id: r.event_emitted_at for r in session.scalars(select(AppealRow))
            }
        latencies = []
        for r in runs():
            sent = emitted.get(r["id"])
            if r["start_time"] and sent:
                sent = sent if sent.tzinfo else sent.replace(tzinfo=dt.UTC)
                latencies.append(
                    (dt.datetime.fromisoformat(r["start_time"]) - sent).total_seconds()
                )
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        per_minute = n / ((finished - submitted) / 60)
        return [
            server_db,
            processes,
            poll or "2 (project default)",
            f"{n}, {'one at a time' if spaced else 'one burst'}",
            f"{p50:.2f}",
            f"{p95:.2f}",
            f"{per_minute:.1f}",
        ]
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        engine.dispose()
        if pg_name:
            with create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument(
        "--cases",
        default="sqlite:1:10:spaced,sqlite:1::spaced,postgresql:2::burst",
        help="server-db:processes:poll (empty: the project default):spaced|burst",
    )
    args = parser.parse_args(argv)
    rows = []
    for case in args.cases.split(","):
        server_db, processes, poll, mode = case.split(":")
        rows.append(run_case(args.n, server_db, int(processes), poll, mode == "spaced"))
    table(
        "Event to running review, and reviews per minute up to the first wait (targets: p95 < 3 s)",
        [
            "Prefect server on",
            "serving processes",
            "runner poll s",
            "appeals",
            "p50 s",
            "p95 s",
            "runs/min",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
