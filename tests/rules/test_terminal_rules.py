"""Pure decisions of the office's terminal: when the morning deadline check is caught up, and
which Prefect server a command talks to (the environment first, then the running office's
connection file)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from deployments.catch_up import catch_up, catch_up_due
from models.timing.calendar import ALMATY, WorkingCalendar
from tasks.connection import (
    Connection,
    NoOffice,
    NotConnected,
    remove_connection,
    resolve,
    write_connection,
)


def almaty(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("now", "working", "ran", "due"),
    [
        (almaty(2026, 11, 27, 9, 30), True, False, True),  # started late on a Friday
        (almaty(2026, 11, 27, 9, 0), True, False, True),  # the schedule's own minute
        (almaty(2026, 11, 27, 8, 59), True, False, False),  # before 09:00: the schedule does it
        (almaty(2026, 11, 27, 15, 0), True, True, False),  # already ran (or waits to run)
        (almaty(2026, 11, 28, 10, 0), False, False, False),  # Saturday: no check
    ],
)
def test_catch_up_only_after_nine_on_a_working_day_not_yet_checked(
    now: dt.datetime, working: bool, ran: bool, due: bool
) -> None:
    assert catch_up_due(now, working, ran) is due


def test_catch_up_hour_is_in_almaty_whatever_the_clock_zone() -> None:
    # 04:30 UTC is 09:30 in Almaty (UTC+5)
    assert catch_up_due(dt.datetime(2026, 11, 27, 4, 30, tzinfo=dt.UTC), True, False)
    assert not catch_up_due(dt.datetime(2026, 11, 27, 3, 30, tzinfo=dt.UTC), True, False)


def test_no_catch_up_on_a_public_holiday_asks_no_server() -> None:
    """Independence Day, 16 December (Law "On holidays"): a day off, so no check, and no
    server is asked (the address is unreachable on purpose)."""
    cal = WorkingCalendar()
    assert not cal.is_working_day(dt.date(2026, 12, 16))
    assert catch_up("http://127.0.0.1:9/api", {}, almaty(2026, 12, 16, 11, 0), cal) is None


def test_the_environment_wins_over_the_connection_file(tmp_path: Path) -> None:
    path = tmp_path / "office-connection.json"
    write_connection(path, Connection("http://127.0.0.1:4300/api", "office:file"), os.getpid())
    env = {"PREFECT_API_URL": "http://example:1/api", "PREFECT_API_AUTH_STRING": "u:env"}
    assert resolve(env, path) == Connection("http://example:1/api", "u:env")
    # no URL in the environment: the file's office; a login given explicitly still wins
    assert resolve({}, path).api_url == "http://127.0.0.1:4300/api"
    assert resolve({}, path).auth_string == "office:file"
    assert resolve({"PREFECT_API_AUTH_STRING": "u:env"}, path).auth_string == "u:env"


def test_the_connection_file_is_private_and_removed_only_by_its_office(tmp_path: Path) -> None:
    path = tmp_path / "office-connection.json"
    write_connection(path, Connection("http://127.0.0.1:4300/api", "office:secret"), 4242)
    assert path.stat().st_mode & 0o777 == 0o600  # it holds the login
    remove_connection(path, pid=4243)  # another office's stop leaves it
    assert path.exists()
    remove_connection(path, pid=4242)
    assert not path.exists()


def test_a_stale_connection_file_is_refused_at_once_with_a_clear_reason(tmp_path: Path) -> None:
    """An office stopped by kill -9 leaves its file: the dead process id gives it away, with no
    network wait."""
    path = tmp_path / "office-connection.json"
    gone = _ended_pid()
    write_connection(path, Connection("http://127.0.0.1:4300/api"), gone)
    with pytest.raises(NotConnected, match=f"not running \\(process {gone} ended\\)") as info:
        resolve({}, path)
    assert not isinstance(info.value, NoOffice)  # an office was expected: a failure
    with pytest.raises(NoOffice, match="no office is running here"):
        resolve({}, tmp_path / "none.json")


def _ended_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
