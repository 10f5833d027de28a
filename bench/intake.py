"""Intake throughput: appeals validated, stored, numbered and audited per second, on SQLite and
PostgreSQL, with 1 and 8 submitter processes at once: one transaction per appeal
(``appeal_store.submit``, a batch of one) against batches of 500 (``submit_batch``, as
`appeals submit` stores a file). After each run the counts are verified: every appeal stored
once, numbers 1..n without a gap, one audit entry per appeal, the audit chain valid."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import time
from collections.abc import Callable

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.report import machine, table
from bench.sweep import database
from models.appeals import default_register
from models.appeals import store as appeal_store
from models.db import make_engine
from models.db.tables import AppealRow, AuditEntry, Procedure
from models.procedures import ProcedureKind
from models.records.audit import verify_stored_chain
from models.timing.calendar import WorkingCalendar
from models.timing.terms import default_terms
from tests.office import load_demo_office

OFFICE = "ALM-BST"
BATCH = 500


def appeals(n: int, tag: str) -> list[str]:
    received = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    return [
        json.dumps(
            {
                "external_id": f"{tag}-{i}",
                "applicant": {
                    "kind": "individual",
                    "iin": "850315400015",
                    "last_name": "A",
                    "first_name": "B",
                },
                "contact": {"email": "a@example.kz"},
                "language": "ru",
                "channel": "e_otinish",
                "topic": "labour_rights",
                "subject": f"Обращение {i}",
                "text": f"Прошу проверить законность действий работодателя, обращение {tag}-{i}.",
                "received_at": received,
            },
            ensure_ascii=False,
        )
        for i in range(n)
    ]


def one_per_transaction(engine: Engine, raws: list[str]) -> None:
    calendar = WorkingCalendar()
    for raw in raws:
        assert appeal_store.submit(raw, None, OFFICE, calendar, engine).status == "registered"


def batched(engine: Engine, raws: list[str]) -> None:
    calendar = WorkingCalendar()
    for i in range(0, len(raws), BATCH):
        records = [(raw, None) for raw in raws[i : i + BATCH]]
        results = appeal_store.submit_batch(records, OFFICE, calendar, engine)
        assert all(r.status == "registered" for r in results)


MODES: dict[str, Callable[[Engine, list[str]], None]] = {
    "one per transaction": one_per_transaction,
    f"batches of {BATCH}": batched,
}


def _submitter(url: str, mode: str, raws: list[str], ready: mp.Barrier) -> None:  # type: ignore[type-arg]
    engine = make_engine(url)
    default_terms(), default_register()  # loaded once per process, before the clock starts
    ready.wait()  # all processes start together
    MODES[mode](engine, raws)
    engine.dispose()


def run(engine: Engine, mode: str, n: int, processes: int, tag: str) -> float:
    """Appeals per second of ``processes`` submitters storing ``n`` appeals between them."""
    url = engine.url.render_as_string(hide_password=False)
    share = n // processes
    ready = mp.Barrier(processes + 1)
    workers = [
        mp.Process(target=_submitter, args=(url, mode, appeals(share, f"{tag}{p}"), ready))
        for p in range(processes)
    ]
    for w in workers:
        w.start()
    ready.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
        assert w.exitcode == 0, f"a submitter failed ({mode})"
    return share * processes / (time.perf_counter() - start)


def verify(engine: Engine, expected: int) -> None:
    with Session(engine) as session:
        seqs = session.scalars(
            select(Procedure.seq)
            .where(Procedure.kind == ProcedureKind.APPEAL)
            .order_by(Procedure.seq)
        ).all()
        ids = session.scalar(select(func.count(func.distinct(AppealRow.external_id))))
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "appeal.registered")
        )
        assert list(seqs) == list(range(1, expected + 1)), "numbers not gap-free"
        assert ids == audited == expected, (ids, audited, expected)
        assert verify_stored_chain(session).valid, "audit chain broken"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="appeals per run")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--processes", default="1,8")
    args = parser.parse_args(argv)
    rows = []
    for kind in args.databases.split(","):
        for processes in (int(p) for p in args.processes.split(",")):
            rates = []
            for m, mode in enumerate(MODES):
                with database(kind, args.postgres) as engine:
                    load_demo_office(engine)
                    rates.append(run(engine, mode, args.n, processes, f"m{m}p"))
                    verify(engine, args.n // processes * processes)
            target = ">= 1,500/s" if processes == 1 else ">= 1,000/s"
            rows.append(
                [
                    kind,
                    processes,
                    args.n,
                    f"{rates[0]:,.0f}",
                    f"{rates[1]:,.0f}",
                    target,
                    "verified",
                ]
            )
    table(
        f"Intake, appeals per second ({machine()}, {dt.date.today()})",
        ["database", "submitters", "appeals", *MODES, "target", "counts, numbers, chain"],
        rows,
    )


if __name__ == "__main__":
    main()
