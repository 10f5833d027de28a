"""A bad line never stops a batch (issue 19, part 3), on both databases: each bad input sits
between good appeals of one `prosecutor appeals submit`; it is stored as rejected with a reason
that names the problem and a bounded excerpt (or found as the appeal already registered), and
every good appeal around it is registered. A killed batch run again registers nothing twice,
also without external ids; oversized input is not stored again whole; an implausibly old
`received_at` is rejected."""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from deployments.cli import app
from deployments.cli import inputs as cli_support
from models.db import reading
from models.db.tables import AppealRow, AppealStatus, Procedure
from models.office.schemas import APPEAL_MAX_BYTES, EXCERPT_BYTES
from models.procedures import ProcedureKind
from tests.conftest import Database
from tests.office import load_demo_office
from tests.support.appeals import appeal as make_appeal
from tests.support.polling import wait_until

runner = CliRunner()


def appeal(n: int | str, **change: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "external_id": f"eo-{n}",
        "channel": "post",
        "topic": None,
        "subject": f"Жалоба {n}",
        "text": f"Прошу проверить законность действий, обращение {n}.",
        "received_at": "2026-11-20T10:00:00+05:00",
    }
    return make_appeal(**(fields | change))


def line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def submit(target: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["appeals", "submit", str(target), "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def rows(database: Database) -> list[AppealRow]:
    with Session(database.engine) as session:
        return list(session.scalars(select(AppealRow).order_by(AppealRow.id)))


DEEP = b"[" * 100_000 + b"]" * 100_000
# (file name, its bytes, what happens to it, words its reason must contain)
CASES: dict[str, tuple[str, bytes, str, str]] = {
    "lone surrogate in external_id": (
        "b.jsonl",
        line(appeal(1)).replace(b'"eo-1"', b'"\\ud800"'),
        "rejected",
        "external_id: contains a lone surrogate",
    ),
    "external_id with spaces, its trimmed form registered": (
        "b.jsonl",
        line(appeal("a", external_id="  eo-a  ")),
        "duplicate",
        "",
    ),
    "100 000-deep JSON": ("b.jsonl", DEEP, "rejected", "nested too deeply"),
    "NUL in a field": (
        "b.jsonl",
        line(appeal(2, text="Прошу проверить\u0000 законность действий.")),
        "rejected",
        "text: contains a NUL character",
    ),
    "raw NUL byte": ("b.jsonl", line(appeal(3)).replace(b"A", b"\x00"), "rejected", "NUL byte"),
    "UTF-16 file": (
        "b.json",
        codecs.BOM_UTF16_LE + json.dumps(appeal(4), ensure_ascii=False).encode("utf-16-le"),
        "rejected",
        "UTF-16 text, not UTF-8",
    ),
    "received_at before the floor": (
        "b.jsonl",
        line(appeal(5, received_at="1985-05-05T10:00:00+05:00")),
        "rejected",
        "received_at is before 1991-12-16",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_input_never_stops_the_batch(database: Database, tmp_path: Path, case: str) -> None:
    load_demo_office(database.engine)
    name, content, outcome, reason = CASES[case]
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(line(appeal("a")) + b"\n" + line(appeal("b")) + b"\n")
    (folder / name).write_bytes(content + (b"\n" if name.endswith("l") else b""))
    (folder / "c.jsonl").write_bytes(line(appeal("c")) + b"\n")

    summary = submit(folder)
    bad = next(a for a in summary["appeals"] if Path(a["source"].split(":")[0]).name == name)
    assert bad["status"] == outcome, bad
    assert reason in (bad["reason"] or "")
    assert summary["registered"] == 3  # every good appeal, before and after the bad one
    stored = rows(database)
    assert sorted(r.external_id for r in stored if r.status is AppealStatus.REGISTERED) == [
        "eo-a",
        "eo-b",
        "eo-c",
    ]
    if outcome == "rejected":
        kept = next(r for r in stored if r.status is AppealStatus.REJECTED)
        assert reason in kept.rejection_reason
        assert len(kept.raw.encode("utf-8")) <= EXCERPT_BYTES + 100
    else:  # the same appeal sent again with spaces around its id: found, not registered again
        first = next(a for a in summary["appeals"] if a["external_id"] == "eo-a")
        assert bad["registration_number"] == first["registration_number"]


def test_oversized_input_is_refused_before_it_is_read_whole(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An appeal over the limit per record (a 3 MiB line) and a file over the limit per file
    (lowered here) are each stored as rejected with the reason and an excerpt of at most 64 KiB;
    the appeals around them are registered."""
    load_demo_office(database.engine)
    batch = tmp_path / "batch.jsonl"
    huge = line(appeal("h", text="Прошу проверить. " + "x" * (3 * APPEAL_MAX_BYTES)))
    batch.write_bytes(line(appeal("a")) + b"\n" + huge + b"\n" + line(appeal("b")))
    summary = submit(batch)
    assert (summary["registered"], summary["rejected"]) == (2, 1)
    assert (
        f"over the limit of {APPEAL_MAX_BYTES} bytes per record" in summary["appeals"][1]["reason"]
    )

    monkeypatch.setattr(cli_support, "INPUT_FILE_MAX_BYTES", 200_000)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "b.jsonl").write_bytes((line(appeal("big")) + b"\n") * 1000)  # about 300 KB
    (folder / "c.json").write_bytes(line(appeal("c")))
    summary = submit(folder)
    assert (summary["registered"], summary["rejected"]) == (1, 1)
    assert "over the limit of 200000 bytes per file" in summary["appeals"][0]["reason"]
    rejected = [r for r in rows(database) if r.status is AppealStatus.REJECTED]
    assert len(rejected) == 2
    assert all(len(r.raw.encode("utf-8")) <= EXCERPT_BYTES + 100 for r in rejected)  # not 3 MiB


def no_id(n: int) -> dict[str, Any]:
    data = appeal(n, text=f"Прошу проверить законность действий, анонимное обращение {n}.")
    del data["external_id"]
    return data


def test_a_killed_batch_run_again_registers_nothing_twice(
    database: Database, tmp_path: Path
) -> None:
    """Appeals without an external id are recognised by their content: the same applicant, text
    and moment of receipt. The batch is killed (SIGKILL) part-way, then submitted again."""
    load_demo_office(database.engine)
    total = 80
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(b"\n".join(line(no_id(n)) for n in range(total)) + b"\n")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PROSECUTOR_DATABASE_URL"] = database.url
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "prosecutor"), "appeals", "submit", str(batch)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def registered() -> int:
        with reading(database.engine) as session:
            return session.scalar(select(func.count()).select_from(AppealRow)) or 0

    try:  # killed part-way: polled often, so the batch is still running when it dies
        wait_until(lambda: registered() >= 10, 60, 0.02, "the first 10 appeals registered")
    finally:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    before = registered()
    assert proc.returncode == -signal.SIGKILL and 10 <= before < total

    summary = submit(batch)
    assert (summary["registered"], summary["duplicates"]) == (total - before, before)
    with Session(database.engine) as session:
        seqs = session.scalars(
            select(Procedure.seq)
            .where(Procedure.kind == ProcedureKind.APPEAL)
            .order_by(Procedure.seq)
        ).all()
        texts = session.scalars(select(AppealRow.text_sha256)).all()
    assert list(seqs) == list(range(1, total + 1))
    assert len(set(texts)) == len(texts) == total
