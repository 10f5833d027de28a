"""A supervisor's approval in the Prefect UI, in a real browser: Debian's Chromium driven by
Playwright (headless, no browser download).

`prosecutor start` (the README's main command) brings up the office; the head is on leave and
the first deputy acts for the head (Regulation cl. 14-15). An appeal comes in, the assistant
reports, and the run waits for the reply to be signed. In the UI the supervisor finds the run,
opens its form, which offers only the acting deputy, and approves. The run completes, the
signed reply is recorded, and the procedure's page shows who signed on what authority, with the
applicant's personal data masked. Ctrl-C then stops the whole office.

Screenshots of the form and of the finished procedure's page are saved under docs/screenshots/
for the README.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import store as appeal_store
from models.db.tables import Document, Procedure, Signature
from tests.e2e.conftest import cli, started_office, state, wait, waiting_at
from tests.office import key_args

CHROMIUM = Path("/usr/bin/chromium")
# Chromium in a sandbox without a network: no sandbox as root, no calls home
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
IIN = "850315400015"
APPLICANT = "Сейтқали"

playwright = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no browser here: Debian's chromium is not installed (apt-get install -y chromium)",
    ),
]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with started_office(tmp_path) as running:
        yield running


def submit_appeal(office: dict[str, Any]) -> str:
    path = office["tmp"] / "appeal.json"
    appeal = {
        "external_id": "browser-1",
        "applicant": {
            "kind": "individual",
            "iin": IIN,
            "last_name": APPLICANT,
            "first_name": "Әсел",
        },
        "contact": {"address": "Алматы, Абай даңғылы 1", "phone": "+7 701 555 01 01"},
        "language": "kk",
        "channel": "e_otinish",
        "topic": "labour_rights",
        "subject": "Жалақы төленбеді",
        "text": "Жұмыс беруші үш ай бойы жалақы төлемеді.",
        "received_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
    }
    path.write_text(json.dumps(appeal, ensure_ascii=False), encoding="utf-8")
    submitted = cli(office["env"], "appeals", "submit", str(path), "--json")
    assert submitted.returncode == 0, submitted.stderr
    result = json.loads(submitted.stdout)
    assert result["announced"] is True
    return result["appeals"][0]["registration_number"]


def review_of(office: dict[str, Any], number: str) -> tuple[str, str]:
    """(flow run id, assignee) of the appeal's review once it has registered the appeal."""

    def found() -> tuple[str, str] | None:
        with Session(office["engine"]) as session:
            row, proc = appeal_store.by_number(session, number)
            if row.review_flow_run_id and proc is not None and proc.assignee_id:
                return row.review_flow_run_id, proc.assignee_id
        return None

    return wait(found, 180, f"the review of {number} to start")


def open_select(select: Any) -> None:
    """Open one of the UI's select boxes (it opens from the keyboard, not on a bare click)."""
    select.focus()
    select.press("ArrowDown")


def test_acting_deputy_approves_in_the_prefect_ui_while_the_head_is_on_leave(
    office: dict[str, Any],
) -> None:
    env, api, ui = office["env"], office["api"], office["ui"]
    today = dt.date.today()
    leave = (str(today - dt.timedelta(days=1)), str(today + dt.timedelta(days=10)))
    for args in (
        ("roster", "absence", "add", "head", "--from", leave[0], "--to", leave[1]),
        ("roster", "acting", "add", "dep-1", "--for", "head", "--from", leave[0], "--to", leave[1]),
    ):
        extra = ("--kind", "leave") if args[1] == "absence" else ("--reference", "№ 12-к")
        done = cli(env, *args, *extra)
        assert done.returncode == 0, done.stderr

    number = submit_appeal(office)
    run_id, assignee = review_of(office, number)
    waiting_at(api, run_id, "report-1")
    reported = cli(
        env,
        "appeals",
        "report",
        number,
        "--as",
        assignee,
        "--outcome",
        "upheld",
        "--findings",
        "Жұмыс берушіге жалақыны төлеу туралы ұсыныс енгізілді.",
    )
    assert reported.returncode == 0, reported.stderr
    waiting_at(api, run_id, "approval-")
    # the acting deputy's EDS over the document, as the form's description says to make it
    [pending] = json.loads(cli(env, "approvals", "list", "--pending", "--json").stdout)
    signed = cli(
        env, "approvals", "sign", str(pending["id"]), "--decision", "approve", *key_args("dep-1")
    )
    assert signed.returncode == 0, signed.stderr
    signature_b64 = signed.stdout.strip()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.set_default_timeout(60_000)

        # Runs: the waiting run is named by registration number and step
        page.goto(f"{ui}/runs")
        page.locator('input[placeholder="Search by flow run name"]:visible').fill(number)
        run_link = page.get_by_role("link", name=f"{number} · ")
        run_link.first.wait_for()
        assert "reply: for signature by dep-1" in run_link.first.inner_text()
        page.get_by_text("1 run", exact=True).wait_for()  # the search has filtered the list
        page.screenshot(path=str(SCREENSHOTS / "runs-waiting.png"))
        run_link.first.click()

        # the form: the document masked, who must decide, and only the acting deputy offered
        def approve_in_the_form(first: bool) -> None:
            page.get_by_role("button", name="Resume").click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Must decide now").wait_for()
            text = dialog.inner_text()
            assert "acting order for the district prosecutor" in text
            assert APPLICANT not in text and IIN not in text  # personal data masked
            selects = dialog.locator(".p-select-button__control")
            open_select(selects.nth(1))  # the signer
            offered = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
            assert len(offered) == 1 and offered[0].startswith("dep-1 · ")
            page.get_by_role("option").first.click()
            open_select(selects.nth(0))  # the decision
            page.get_by_role("option", name="approve", exact=True).click()
            assert "prosecutor approvals sign" in text  # the form says how to sign
            dialog.get_by_role("textbox").last.fill(signature_b64)  # the signature field
            if first:
                dialog.screenshot(path=str(SCREENSHOTS / "approval-form.png"))
            dialog.get_by_role("button", name="Submit").click()

        def resumed() -> bool:
            return state(api, run_id)["name"] != "Suspended"

        approve_in_the_form(first=True)
        # The Prefect server on SQLite may answer a Resume with "database is locked" while its
        # services write; the UI then shows an error and the supervisor presses Resume again.
        for _ in range(3):
            try:
                wait(resumed, 20, "the run to leave its wait")
                break
            except AssertionError:
                page.reload()
                approve_in_the_form(first=False)
        wait(lambda: state(api, run_id)["type"] == "COMPLETED", 240, "the run to complete")

        # the procedure's page: who signed on what authority, personal data masked
        latest = httpx.post(
            f"{api}/artifacts/filter",
            json={
                "artifacts": {"key": {"any_": [number.lower()]}},
                "sort": "CREATED_DESC",
                "limit": 1,
            },
            timeout=5,
        ).json()[0]
        page.goto(f"{ui}/artifacts/artifact/{latest['id']}")
        page.get_by_text("on what authority").first.wait_for()
        page.wait_for_timeout(1000)
        artifact = page.locator("body").inner_text()
        assert "acting order for the district prosecutor" in artifact
        assert "********0015" in artifact and IIN not in artifact and APPLICANT not in artifact
        page.screenshot(path=str(SCREENSHOTS / "procedure-page.png"), full_page=True)
        browser.close()

    with Session(office["engine"]) as session:
        proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
        assert proc is not None and proc.status.value == "closed"
        reply = session.scalar(
            select(Document).where(Document.procedure_id == proc.id, Document.kind == "reply")
        )
        assert reply is not None and reply.dispatched_at is not None
        signature = session.scalar(select(Signature).where(Signature.document_id == reply.id))
    assert signature is not None and signature.signer_id == "dep-1" and signature.acting
    run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
    assert run["name"].startswith(number)

    # Ctrl-C stops the whole office
    proc = office["proc"]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=90) == 0, office["log"].read_text()[-2000:]
    assert "stopped" in office["log"].read_text()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{api}/health", timeout=2)
