"""Calendar, terms and validation commands: no database needed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from deployments.cli import app
from tests.support.appeals import appeal_file

runner = CliRunner()


def as_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_calendar_due_in_each_unit() -> None:
    """CC arts. 173, 174(3), 175, as in the rules tests, through the command line."""
    assert as_json("calendar", "due", "--start", "2026-03-18", "--working-days", "5") == {
        "start": "2026-03-18",
        "due": "2026-03-30",
        "unit": "working_days",
        "n": 5,
    }
    assert (
        as_json("calendar", "due", "--start", "2026-03-11", "--calendar-days", "10")["due"]
        == "2026-03-26"
    )
    assert (
        as_json("calendar", "due", "--start", "2026-01-31", "--months", "1")["due"] == "2026-03-02"
    )


def test_is_working_day_gives_the_reason() -> None:
    assert as_json("calendar", "is-working-day", "2026-12-16") == {
        "date": "2026-12-16",
        "working": False,
        "reason": "public holiday: Independence Day",
    }
    assert as_json("calendar", "is-working-day", "2025-01-05")["working"] is True
    assert as_json("calendar", "is-working-day", "2026-11-28")["reason"] == "weekend"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("calendar", "due", "--start", "2026-01-05"), "exactly one of"),
        (
            ("calendar", "due", "--start", "2026-01-05", "--working-days", "1", "--months", "1"),
            "exactly one of",
        ),
        (
            ("calendar", "due", "--start", "05.01.2026", "--working-days", "1"),
            "--start: '05.01.2026' is not a date",
        ),
        (("calendar", "is-working-day", "2026-02-30"), "not a date"),
        (("terms", "due", "appeal.nothing", "--start", "2026-01-05"), "no statutory term"),
        (("validate", "iin", "850315400016"), "wrong check digit"),
        (("validate", "bin", "94014000038"), "exactly 12 digits"),
    ],
)
def test_bad_input_is_one_line(args: tuple[str, ...], message: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_terms_list_and_due() -> None:
    """CL-155 art. 24(3): 15 working days from receipt, through the command line."""
    rows = json.loads(runner.invoke(app, ["terms", "list", "--json"]).stdout)
    assert any(
        r["id"] == "appeal.consideration" and r["source"] == "CL-155 art. 24(3)-(4)" for r in rows
    )
    due = as_json("terms", "due", "appeal.consideration", "--start", "2026-03-17")
    assert due["due"] == "2026-04-10" and due["status"] == "confirmed"


def test_terms_due_answers_every_row() -> None:
    """Issue 13: `terms due ID --json` answers every row of the table: a day for day terms, a
    moment for hour terms (CPC art. 48(5)), the rule and its source for rule-only rows."""
    rows = json.loads(runner.invoke(app, ["terms", "list", "--json"]).stdout)
    assert {"complaint.investigator", "complaint.investigator_urgent"} <= {r["id"] for r in rows}
    for row in rows:
        answer = as_json("terms", "due", row["id"], "--start", "2026-11-02")
        assert answer["term_id"] == row["id"] and answer["source"] == row["source"]
        if row["term"] is None:
            assert answer["due"] is None and answer["rule"], row["id"]
        elif row["unit"] == "hours":
            moment = dt.datetime.fromisoformat(answer["due"])
            assert moment.tzinfo is not None, row["id"]
        else:
            assert dt.date.fromisoformat(answer["due"]) >= dt.date(2026, 11, 2), row["id"]


def test_complaint_rows_through_the_command_line_cpc_art105_2() -> None:
    """CPC art. 105(2), 48: 7 сутки and 3 сутки from receipt on Monday 2 November 2026."""
    assert as_json("terms", "due", "complaint.investigator", "--start", "2026-11-02")["due"] == (
        "2026-11-09"
    )
    urgent = as_json("terms", "due", "complaint.investigator_urgent", "--start", "2026-11-02")
    assert urgent["due"] == "2026-11-05"


def test_detention_term_answers_a_moment_cpc_art14_2() -> None:
    """CPC arts. 14(2), 48(5): 48 hours from the moment of detention, not moved by days off."""
    answer = as_json("terms", "due", "detention.limit", "--start", "2026-03-21T23:15")
    assert answer["due"] == "2026-03-23T23:15:00+05:00"
    bad = runner.invoke(app, ["terms", "due", "detention.limit", "--start", "tonight"])
    assert bad.exit_code == 1 and "not a date or a moment" in bad.stderr


def test_rule_row_in_plain_text() -> None:
    """CL-155 art. 39(2): a rule, not a term; the plain answer says so."""
    result = runner.invoke(
        app, ["terms", "due", "supervision_act.rejected", "--start", "2026-11-02"]
    )
    assert result.exit_code == 0 and "a rule" in result.stdout and "39(2)" in result.stdout


def test_validate_appeal_file(tmp_path: Path) -> None:
    by_post: dict[str, Any] = {
        "contact": {"phone": "+7 701 000 00 00"},
        "channel": "post",
        "topic": None,
        "subject": "Жалоба",
        "text": "Прошу проверить законность действий.",
        "received_at": "2026-11-20T10:00:00+05:00",
    }
    path = appeal_file(tmp_path, **by_post)
    assert as_json("validate", "appeal", str(path))["language"] == "ru"
    appeal_file(tmp_path, iin="850315400016", **by_post)  # the same file, a wrong check digit
    result = runner.invoke(app, ["validate", "appeal", str(path)])
    assert result.exit_code == 1 and "applicant.individual.iin" in result.stderr
    path.write_bytes('{"text": "\xff"}'.encode("latin-1"))
    result = runner.invoke(app, ["validate", "appeal", str(path)])
    assert result.exit_code == 1 and "not UTF-8" in result.stderr
