"""Intake throughput: appeals validated, stored and numbered per second, one transaction per
appeal (as `appeals submit` does, so one bad appeal spoils nothing) against one transaction per
batch, on SQLite and PostgreSQL. The event is emitted after storing, off the critical path."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from sqlalchemy.orm import Session

from bench.report import table
from bench.sweep import database
from models import appeal_store
from models.calendar import WorkingCalendar
from tests.office import load_demo_office


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
                "text": f"Прошу проверить законность действий работодателя, обращение {i}.",
                "received_at": received,
            },
            ensure_ascii=False,
        )
        for i in range(n)
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    calendar = WorkingCalendar()
    rows = []
    for kind in args.databases.split(","):
        with database(kind, args.postgres) as engine:
            load_demo_office(engine)
            start = time.perf_counter()
            for raw in appeals(args.n, "one"):
                with Session(engine) as session, session.begin():
                    appeal_store.intake(session, raw, "ALM-BST", calendar)
            one = args.n / (time.perf_counter() - start)
            start = time.perf_counter()
            batch = appeals(args.n, "batch")
            for i in range(0, args.n, 100):
                with Session(engine) as session, session.begin():
                    for raw in batch[i : i + 100]:
                        appeal_store.intake(session, raw, "ALM-BST", calendar)
            batched = args.n / (time.perf_counter() - start)
            rows.append([kind, args.n, f"{one:,.0f}", f"{batched:,.0f}", ">= 500/s"])
    table(
        "Intake (appeals stored and numbered per second)",
        ["database", "appeals", "one per transaction", "100 per transaction", "target"],
        rows,
    )


if __name__ == "__main__":
    main()
