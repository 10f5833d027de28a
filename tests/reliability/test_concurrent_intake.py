"""Several submitters at once lose nothing (issue 19, part 1): eight `prosecutor appeals submit`
processes, each with its own batch of 40 appeals, let go at the same instant against one
database. Every appeal is stored once, numbered 1..320 without a gap or a repeat, each with its
audit entry, and the audit chain stays one valid line. Before the registration counters and
the explicit SQLite transactions, most processes died ("database is locked" on SQLite, the
registration-number key on PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db.tables import AppealRow, AppealStatus, AuditEntry, Procedure, RegistrationCounter
from models.procedures import ProcedureKind
from models.records.audit import verify_stored_chain
from tests.conftest import Database
from tests.office import OFFICE, load_demo_office
from tests.support.appeals import appeal_json
from tests.support.polling import wait_until

PROCESSES, PER_BATCH = 8, 40
# Each process imports everything first, then waits for the start file: the batches begin
# together instead of one after another as the interpreters finish starting.
STARTER = """
import os, sys, time
from deployments.cli import app
start, batch = sys.argv[1], sys.argv[2]
open(batch + ".ready", "w").close()
while not os.path.exists(start):
    time.sleep(0.01)
sys.argv = ["prosecutor", "appeals", "submit", batch, "--json"]
app()
"""


def batch(process: int) -> str:
    return "".join(
        appeal_json(
            f"p{process}-{n}",
            language="kk",
            channel="e_otinish",
            topic=None,
            subject=f"Өтініш {process}-{n}",
            text=f"Тексеруді сұраймын, нөмір {process}-{n}.",
            received_at="2026-11-20T10:00:00+05:00",
        )
        + "\n"
        for n in range(PER_BATCH)
    )


def test_eight_submitters_at_once_lose_nothing(database: Database, tmp_path: Path) -> None:
    load_demo_office(database.engine)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PROSECUTOR_DATABASE_URL"] = database.url
    start = tmp_path / "go"
    procs = []
    for p in range(PROCESSES):
        (tmp_path / f"batch-{p}.jsonl").write_text(batch(p), encoding="utf-8")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", STARTER, str(start), str(tmp_path / f"batch-{p}.jsonl")],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        wait_until(
            lambda: len(list(tmp_path.glob("*.ready"))) >= PROCESSES,
            60,
            0.05,
            f"all {PROCESSES} submitters ready",
        )
    finally:
        start.touch()  # let go of the processes either way, so none waits forever
    began = time.monotonic()
    outcomes = [proc.communicate(timeout=120) for proc in procs]
    print(f"{PROCESSES * PER_BATCH} appeals in {time.monotonic() - began:.1f} s")
    for proc, (out, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err[-2000:]
        assert json.loads(out)["registered"] == PER_BATCH

    with Session(database.engine) as session:
        ids = session.scalars(
            select(AppealRow.external_id).where(AppealRow.status == AppealStatus.REGISTERED)
        ).all()
        seqs = session.scalars(
            select(Procedure.seq)
            .where(Procedure.kind == ProcedureKind.APPEAL)
            .order_by(Procedure.seq)
        ).all()
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "appeal.registered")
        )
        counter = session.scalar(
            select(RegistrationCounter.last_seq).where(
                RegistrationCounter.office_code == OFFICE,
                RegistrationCounter.kind == ProcedureKind.APPEAL.value,
            )
        )
        chain = verify_stored_chain(session)
    total = PROCESSES * PER_BATCH
    assert sorted(ids) == sorted(f"p{p}-{n}" for p in range(PROCESSES) for n in range(PER_BATCH))
    assert list(seqs) == list(range(1, total + 1))  # unique and gap-free
    assert audited == total and counter == total
    assert chain.valid, chain.problem
