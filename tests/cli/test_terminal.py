"""The terminal beside a running office: `prosecutor` finds the office's server and login in the
connection file of its data folder (the environment wins), and an appeal that could not be
announced is never reported as a success. A small HTTP server stands in for Prefect's
``POST /api/events`` (the real server is in tests/e2e/test_terminal.py)."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.appeals import store as appeal_store
from models.approvals import store as approval_store
from models.procedures import store as procedure_store
from models.records import document_store
from models.settings import get_settings
from tasks.connection import Connection, connection_file, write_connection
from tests.conftest import Database
from tests.office import load_demo_office
from tests.support.appeals import appeal as shared_appeal

runner = CliRunner()
LOGIN = "office:correct-horse"


def appeal(n: int) -> dict[str, object]:
    """Appeal ``term-<n>`` through e-Otinish, received on 20 November 2026."""
    return shared_appeal(
        f"term-{n}",
        channel="e_otinish",
        topic=None,
        subject=f"Обращение {n}",
        text=f"Прошу проверить, номер {n}.",
        received_at="2026-11-20T10:00:00+05:00",
    )


class FakePrefect(ThreadingHTTPServer):
    """Accepts events with the right login only, like a server with basic auth."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.events: list[dict[str, Any]] = []

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


class _Handler(BaseHTTPRequestHandler):
    server: FakePrefect

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        expected = "Basic " + base64.b64encode(LOGIN.encode()).decode()
        if self.path != "/api/events" or self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        self.server.events.extend(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def office_here(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakePrefect]:
    """A fresh terminal (no Prefect variables) in the folder of a running office."""
    load_demo_office(database.engine)
    for name in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING", "PREFECT_API_KEY"):
        monkeypatch.setenv(name, "")  # restored after the test, whatever a command exported
        monkeypatch.delenv(name)
    monkeypatch.setenv("PROSECUTOR_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    server = FakePrefect()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        get_settings.cache_clear()


def office_file(api: str, login: str | None, pid: int | None = None) -> Path:
    path = connection_file()
    write_connection(path, Connection(api, login, api.removesuffix("/api")), pid or os.getpid())
    return path


def submit(tmp_path: Path, *appeals: dict[str, object]) -> tuple[int, dict[str, Any]]:
    batch = tmp_path / "appeals.jsonl"
    batch.write_text("".join(json.dumps(a) + "\n" for a in appeals), encoding="utf-8")
    result = runner.invoke(app, ["appeals", "submit", str(batch), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_submit_reaches_the_office_through_its_connection_file(
    office_here: FakePrefect, tmp_path: Path
) -> None:
    office_file(office_here.api, LOGIN)
    code, data = submit(tmp_path, appeal(1), appeal(2))
    assert code == 0, data
    assert data["announced"] is True and "announce_error" not in data
    numbers = {a["registration_number"] for a in data["appeals"]}
    assert {e["resource"]["prefect.resource.id"] for e in office_here.events} == {
        f"prosecutor.appeal.{n}" for n in numbers
    }
    assert {e["event"] for e in office_here.events} == {"prosecutor.appeal.received"}


def test_a_wrong_login_is_exit_1_and_not_announced_yet_the_appeal_is_stored(
    office_here: FakePrefect, tmp_path: Path, database: Database
) -> None:
    office_file(office_here.api, "office:wrong")
    code, data = submit(tmp_path, appeal(1))
    assert code == 1
    assert data["announced"] is False and "refused the login (401)" in data["announce_error"]
    assert office_here.events == []
    number = data["appeals"][0]["registration_number"]
    with sessionmaker(database.engine)() as session:
        row, _ = appeal_store.by_number(session, number)
        assert row.event_emitted_at is None  # reconciling will start its review
    # the environment's login wins over the file's: given right, the next appeal is announced
    os.environ["PREFECT_API_AUTH_STRING"] = LOGIN
    code, data = submit(tmp_path, appeal(2))
    assert (code, data["announced"]) == (0, True)


def test_a_server_that_is_down_is_exit_1_with_the_reason(
    office_here: FakePrefect, tmp_path: Path
) -> None:
    office_file("http://127.0.0.1:9/api", LOGIN)  # nothing listens on the discard port
    code, data = submit(tmp_path, appeal(1))
    assert code == 1
    assert data["announced"] is False and "Prefect not reached" in data["announce_error"]
    (tmp_path / "more.json").write_text(json.dumps(appeal(2)), encoding="utf-8")
    result = runner.invoke(app, ["appeals", "submit", str(tmp_path / "more.json")])
    assert result.exit_code == 1
    assert "not announced: Prefect not reached" in result.stdout  # said in plain words too


def test_a_stale_connection_file_fails_at_once(office_here: FakePrefect, tmp_path: Path) -> None:
    import subprocess
    import sys

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    office_file(office_here.api, LOGIN, pid=ended.pid)  # the office was killed with -9
    code, data = submit(tmp_path, appeal(1))
    assert code == 1 and data["announced"] is False
    assert f"process {ended.pid} ended" in data["announce_error"]
    assert office_here.events == []


def test_with_no_office_at_all_the_appeals_wait_stored(
    office_here: FakePrefect, tmp_path: Path
) -> None:
    """Offline intake (no server configured, no office running here): stored, announced by
    reconciling later; not an error."""
    code, data = submit(tmp_path, appeal(1))
    assert code == 0 and data["announced"] is False
    assert "no office is running here" in data["announce_error"]


def test_show_json_gives_the_ids_commands_need(
    office_here: FakePrefect, tmp_path: Path, database: Database
) -> None:
    office_file(office_here.api, LOGIN)
    _, data = submit(tmp_path, appeal(1))
    number = data["appeals"][0]["registration_number"]
    with sessionmaker(database.engine).begin() as session:
        _, proc = appeal_store.by_number(session, number)
        duty = procedure_store.open_duty(
            session,
            procedure_id=proc.id,
            step="request-1-1",
            title="Information requested",
            assignee_id="as-1",
            due_date=proc.due_date,
        )
        doc = document_store.create_document(
            session,
            procedure_id=proc.id,
            kind="reply",
            language="ru",
            title="Ответ заявителю",
            body="Reply",
            drafted_by="as-1",
        )
        approval = approval_store.open_approval(
            session,
            procedure_id=proc.id,
            step="sign-reply",
            document_id=doc.id,
            due_date=proc.due_date,
            day=proc.due_date,
            drafter_id="as-1",
        )
        duty_id = duty.id
    result = runner.invoke(app, ["appeals", "show", number, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["registration_number"] == number
    by_step = {d["step"]: d for d in shown["duties"]}
    assert by_step["request-1-1"]["id"] == duty_id
    assert by_step["request-1-1"]["command"] == f"prosecutor answer {duty_id} --text ..."
    assert shown["approvals"][0]["id"] == approval.id
    assert shown["approvals"][0]["command"].startswith(f"prosecutor approvals decide {approval.id}")
    # the Markdown page shows the same commands with the ids
    assert f"`prosecutor answer {duty_id} --text ...`" in shown["page"]
    assert f"`prosecutor approvals decide {approval.id} --decision ...`" in shown["page"]


def test_scheduled_runs_have_readable_names() -> None:
    """The UI's run list says what ran for which day: `check-deadlines · 27.11.2026`."""
    import re

    from flows import check_deadlines, check_urgent, receive_erdr
    from models.timing.calendar import today

    assert check_deadlines._run_name() == f"check-deadlines · {today():%d.%m.%Y}"
    moment = r"\d\d\.\d\d\.\d{4} \d\d:\d\d"
    assert re.fullmatch(f"check-urgent · {moment}", check_urgent._run_name())
    assert re.fullmatch(f"receive-erdr · {moment}", receive_erdr._run_name())
