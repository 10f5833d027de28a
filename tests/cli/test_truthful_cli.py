"""The terminal tells the truth, on both databases: a bad ``--decision`` and an unknown
recipient are one line and exit 1 like every other bad input, and no error line ever shows an
applicant's IIN or name (Law of the RK No. 94-V on personal data)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from deployments.cli import app
from models.timing.calendar import today
from tests.conftest import Database
from tests.office import key_args, load_demo_office, pending_approval
from tests.support.appeals import appeal_file

runner = CliRunner()
IIN = "850315400016"  # a wrong check digit: the appeal is rejected
SURNAME, FIRST_NAME = "Жумабекова", "Айгерим"


def one_error_line(result: object, *words: str) -> str:
    code, stderr = result.exit_code, result.stderr  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    for word in words:
        assert word in lines[0], stderr
    return lines[0]


@pytest.mark.parametrize("command", ["decide", "sign"])
def test_a_bad_decision_value_is_one_line(database: Database, command: str) -> None:
    load_demo_office(database.engine)
    with sessionmaker(database.engine).begin() as session:
        view = pending_approval(session, due=today() + dt.timedelta(days=5), day=today())
    result = runner.invoke(
        app, ["approvals", command, str(view.id), *key_args("head"), "--decision", "maybe"]
    )
    one_error_line(result, "--decision", "'maybe'", "approve, reject, return")


def test_notifications_for_an_unknown_staff_member(database: Database) -> None:
    load_demo_office(database.engine)
    result = runner.invoke(app, ["notifications", "list", "--to", "ghost"])
    one_error_line(result, "unknown staff member ghost")
    for known in ("head", "regional_office"):
        listed = runner.invoke(app, ["notifications", "list", "--to", known, "--json"])
        assert listed.exit_code == 0 and json.loads(listed.stdout) == []


def bad_appeal(tmp_path: Path) -> Path:
    """An appeal with two faults (a wrong IIN check digit, an unknown language) whose subject
    and text repeat the applicant's IIN and name."""
    return appeal_file(
        tmp_path,
        iin=IIN,
        last_name=SURNAME,
        first_name=FIRST_NAME,
        language="xx",
        channel="e_otinish",
        topic=None,
        subject=f"Жалоба {SURNAME} {FIRST_NAME}",
        text=f"Я, {SURNAME} {FIRST_NAME}, ИИН {IIN}, прошу проверить.",
        received_at="2026-11-20T10:00:00+05:00",
    )


def assert_no_personal_data(output: str) -> None:
    assert IIN not in output and SURNAME not in output and FIRST_NAME not in output, output


def test_error_lines_never_show_the_applicants_iin_or_name(
    database: Database, tmp_path: Path
) -> None:
    load_demo_office(database.engine)
    path = bad_appeal(tmp_path)
    validated = runner.invoke(app, ["validate", "appeal", str(path)])
    line = one_error_line(validated, "applicant.individual.iin", IIN[-4:])
    assert_no_personal_data(validated.output)
    assert "********0016" in line  # masked as the UI masks it, still naming the field
    checked = runner.invoke(app, ["validate", "iin", IIN])
    one_error_line(checked, "wrong check digit")
    assert_no_personal_data(checked.output)


def test_submit_never_prints_the_applicants_iin(database: Database, tmp_path: Path) -> None:
    load_demo_office(database.engine)
    for args in ([], ["--json"]):
        submitted = runner.invoke(app, ["appeals", "submit", str(bad_appeal(tmp_path)), *args])
        assert submitted.exit_code == 1
        assert_no_personal_data(submitted.output)


# --- forms: what an applicant wrote is shown as text, never as Markdown of its own -----------

HOSTILE = (
    "# Approve\n- [x] signed by the head\n| table | head |\n|---|---|\n"
    "[click](https://evil.example/approve) <b>bold</b> <script>alert(1)</script>\n"
    "```\n# Approved after the fence\n````"
)
FORBIDDEN = ["<h1", "<li", "<table", "<a ", "<b>", "<script", "<input"]


def rendered(markdown: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.render(markdown)


def test_the_approval_form_shows_the_document_as_text() -> None:
    from models.approvals.store import ApprovalView
    from tasks.approvals import approval_description

    view = ApprovalView(
        id=1,
        procedure_id=1,
        registration_number="ALM-BST-APL-2026-000001",
        step="sign-reply",
        document_id=1,
        document_title="Ответ заявителю",
        document_body=f"Заявитель пишет:\n{HOSTILE}",
        document_sha256="0" * 64,
        document_secret=False,
        signatory_id="head",
        signatory_name="Head",
        visa_by=None,
        drafter_id=None,
        status="pending",
        due_date=today(),
        flow_run_id=None,
        decided_by=None,
        escalation_level=0,
    )
    html = rendered(approval_description(view, []))
    assert all(tag not in html for tag in FORBIDDEN), html
    assert html.count("<h2>") == 1 and html.count("<pre>") == 1
    assert "```\n# Approved after the fence\n````" in html  # the text as written


def test_the_report_form_shows_the_appeals_subject_as_text() -> None:
    from flows.review_appeal import report_description
    from tasks.appeals import AppealCase

    case = AppealCase(
        appeal_id=1,
        procedure_id=1,
        registration_number="ALM-BST-APL-2026-000001",
        language="ru",
        anonymous=False,
        applicant_id=None,
        applicant_name="A B",
        applicant_address=None,
        subject=HOSTILE,
        topic=None,
        received_on=today(),
        due_date=today(),
    )
    html = rendered(report_description(case, "as-1"))
    assert all(tag not in html for tag in FORBIDDEN), html
    assert html.count("<h2>") == 1 and html.count("<pre>") == 0
    assert "# Approve - [x] signed by the head | table | head |" in html
