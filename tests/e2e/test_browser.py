"""The Prefect UI in a real browser: Debian's Chromium driven by Playwright (headless, no
browser download). One office (`prosecutor start`, the README's main command) and one browser
serve every test of the module: starting them is most of a browser test's time.

The head is on leave and the first deputy acts for the head under an order (Regulation
cl. 14-15). In each test an appeal comes in, the assistant reports, and the run waits for the
reply to be signed by the acting deputy.

- The deputy's desk: the reply is made late and the deadline check publishes the desks. On the
  Artifacts page the desk shows the late reply first, marked «ПРОСРОЧЕНО», with the head's
  absence and the acting order; its link leads to the waiting run, where the deputy signs. The
  served `refresh-desks` deployment, started by the run's completion, takes the reply off the
  desk. The desk in Kazakh and in Russian keeps no English label.
- The supervisor's approval: the supervisor finds the run by its registration number, opens
  its form, which offers only the acting deputy, and approves. The run completes, the signed
  reply is recorded, and the procedure's page shows who signed on what authority, with the
  applicant's personal data masked.
- Ctrl-C then stops the whole office.

Screenshots go to docs/screenshots/ for the README (runs-waiting, approval-form,
procedure-page, desk-kk, desk-ru).
"""

from __future__ import annotations

import datetime as dt
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.db.tables import Approval, Document, Procedure, Signature
from models.sweeps.desk import desk_key
from tests.e2e.appeals import APPLICANT, IIN, awaiting_signature
from tests.e2e.conftest import cli, started_office, state, wait
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
DESK = desk_key("dep-1")
TODAY = dt.date.today()
LEAVE = (str(TODAY - dt.timedelta(days=1)), str(TODAY + dt.timedelta(days=10)))
ORDER = f"№ 12-к от {TODAY - dt.timedelta(days=2):%d.%m.%Y}"

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


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The running office, the head on leave and the first deputy acting for the head."""
    with started_office(tmp_path_factory.mktemp("browser")) as running:
        period = ("--from", LEAVE[0], "--to", LEAVE[1])
        for args in (
            ("roster", "absence", "add", "head", *period, "--kind", "leave"),
            ("roster", "acting", "add", "dep-1", "--for", "head", *period, "--reference", ORDER),
        ):
            done = cli(running["env"], *args)
            assert done.returncode == 0, done.stderr
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module; each test opens its own page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1300})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


# --- the way to the signature, shared by the tests ------------------------------------------


def deputys_signature(office: dict[str, Any], approval_id: int) -> str:
    """The acting deputy's EDS over the document, as the form's description says to make it."""
    signed = cli(
        office["env"], "approvals", "sign", str(approval_id), "--decision", "approve",
        *key_args("dep-1"),
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    return signed.stdout.strip()


def open_select(select: Any) -> None:
    """Open one of the UI's select boxes (it opens from the keyboard, not on a bare click)."""
    select.focus()
    select.press("ArrowDown")


def approve_in_the_form(page: Any, signature_b64: str, screenshot: Path | None = None) -> None:
    """The waiting run's Resume form: the document masked, who must decide, only the acting
    deputy offered as the signer; approve with the pasted signature."""
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
    if screenshot:
        dialog.screenshot(path=str(screenshot))
    dialog.get_by_role("button", name="Submit").click()


def approve_until_resumed(
    page: Any, api: str, run_id: str, signature_b64: str, screenshot: Path | None = None
) -> None:
    """Approve in the form until the run completes. The Prefect server on SQLite may answer a
    Resume with "database is locked" while its services write; the UI then shows an error and
    the supervisor presses Resume again."""

    def resumed() -> bool:
        return state(api, run_id)["name"] != "Suspended"

    approve_in_the_form(page, signature_b64, screenshot)
    for _ in range(3):
        try:
            wait(resumed, 20, "the run to leave its wait")
            break
        except AssertionError:
            page.reload()
            approve_in_the_form(page, signature_b64)
    wait(lambda: state(api, run_id)["type"] == "COMPLETED", 240, "the run to complete")


# --- the acting deputy's desk ---------------------------------------------------------------


def desk_versions(api: str) -> list[dict[str, Any]]:
    """The deputy's desk, newest version first."""
    return httpx.post(
        f"{api}/artifacts/filter",
        json={"artifacts": {"key": {"any_": [DESK]}}, "sort": "CREATED_DESC", "limit": 20},
        timeout=5,
    ).json()


def english_left(markdown: str) -> list[str]:
    """Latin words of a desk once links, registration numbers and staff ids are taken out."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    text = re.sub(r"[A-Z]{3}-[A-Z]{3}-[A-Z]{3}-\d{4}-\d{6}", "", text)
    text = re.sub(r"\((?:head|dep-\d|sa-\d|as-\d)\)", "", text)
    return re.findall(r"[A-Za-z]+", text)


def test_the_deputy_finds_the_late_reply_first_on_the_desk_and_signs_it_from_there(
    office: dict[str, Any], page: Any
) -> None:
    env, api, ui = office["env"], office["api"], office["ui"]
    number, run_id, approval_id = awaiting_signature(office, "browser-desk")
    # the reply is late: its signature was due five days ago
    with office["engine"].begin() as conn:
        conn.execute(
            update(Approval)
            .where(Approval.id == approval_id)
            .values(due_date=TODAY - dt.timedelta(days=5))
        )
    checked = cli(env, "deadlines", "check", "--force", "--json")
    assert checked.returncode == 0, checked.stderr

    def late_on_the_desk() -> dict[str, Any] | None:
        return next(
            (v for v in desk_versions(api) if "ПРОСРОЧЕНО" in v["data"] and number in v["data"]),
            None,
        )

    wait(late_on_the_desk, 60, "the deputy's desk to show the late reply")
    # the same desk in Kazakh, published by a check run in that language
    kazakh = cli({**env, "PROSECUTOR_DESK_LANGUAGE": "kk"}, "deadlines", "check", "--force")
    assert kazakh.returncode == 0, kazakh.stderr
    in_kazakh = wait(
        lambda: next(
            (v for v in desk_versions(api) if v["data"].startswith("# Жұмыс үстелі")), None
        ),
        60,
        "the desk in Kazakh",
    )
    assert "МЕРЗІМІ ӨТКЕН" in in_kazakh["data"] and number in in_kazakh["data"]
    assert english_left(in_kazakh["data"]) == []
    signature_b64 = deputys_signature(office, approval_id)

    page.goto(f"{ui}/artifacts/artifact/{in_kazakh['id']}")
    page.get_by_text("МЕРЗІМІ ӨТКЕН").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "desk-kk.png"), full_page=True)

    # the Artifacts page: the deputy's desk by its key, in the office's language (Russian)
    wait(
        lambda: desk_versions(api)[0]["data"].startswith("# Рабочий стол"),
        60,
        "the desk in the office's language again",
    )
    page.goto(f"{ui}/artifacts")
    page.get_by_text(DESK, exact=True).first.click()
    page.wait_for_url(f"**/artifacts/key/{DESK}**")
    page.screenshot(path=str(office["tmp"] / "desk-key.png"), full_page=True)
    # its latest version, as the key's page links it
    page.goto(f"{ui}/artifacts/artifact/{desk_versions(api)[0]['id']}")
    page.get_by_text("ПРОСРОЧЕНО").first.wait_for()
    waiting = page.locator("table").first
    first_row = waiting.locator("tbody tr").first
    assert "ПРОСРОЧЕНО" in first_row.inner_text() and number in first_row.inner_text()
    body = page.locator("body").inner_text()
    assert ORDER in body and "отпуск" in body  # today's absence and the acting order
    assert IIN not in body and APPLICANT not in body
    page.screenshot(path=str(SCREENSHOTS / "desk-ru.png"), full_page=True)
    link = first_row.get_by_role("link").first.get_attribute("href") or ""
    assert link.endswith(f"/runs/flow-run/{run_id}")
    page.goto(link)

    # the waiting run's page: sign as the supervisor does
    approve_until_resumed(page, api, run_id, signature_b64)

    # the run's completion started `refresh-desks`: the reply is off the deputy's desk
    wait(
        lambda: number not in desk_versions(api)[0]["data"].split("## Мои сроки")[1],
        120,
        "the refreshed desk without the signed reply",
    )
    russian = desk_versions(api)[0]["data"]
    assert russian.startswith("# Рабочий стол") and english_left(russian) == []


# --- the supervisor's approval in the Runs page ---------------------------------------------


def test_acting_deputy_approves_in_the_prefect_ui_while_the_head_is_on_leave(
    office: dict[str, Any], page: Any
) -> None:
    api, ui = office["api"], office["ui"]
    number, run_id, approval_id = awaiting_signature(office, "browser-supervisor")
    signature_b64 = deputys_signature(office, approval_id)

    # Runs: the waiting run is named by registration number and step
    page.goto(f"{ui}/runs")
    page.locator('input[placeholder="Search by flow run name"]:visible').fill(number)
    run_link = page.get_by_role("link", name=f"{number} · ")
    run_link.first.wait_for()
    assert "reply: for signature by dep-1" in run_link.first.inner_text()
    page.get_by_text("1 run", exact=True).wait_for()  # the search has filtered the list
    page.screenshot(path=str(SCREENSHOTS / "runs-waiting.png"))
    run_link.first.click()

    approve_until_resumed(page, api, run_id, signature_b64, SCREENSHOTS / "approval-form.png")

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
    page.get_by_text("acting order for the district prosecutor").first.wait_for()  # rendered
    artifact = page.locator("body").inner_text()
    assert "acting order for the district prosecutor" in artifact
    assert "********0015" in artifact and IIN not in artifact and APPLICANT not in artifact
    page.screenshot(path=str(SCREENSHOTS / "procedure-page.png"), full_page=True)

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


def test_ctrl_c_stops_the_whole_office(office: dict[str, Any]) -> None:
    proc = office["proc"]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=90) == 0, office["log"].read_text()[-2000:]
    assert "stopped" in office["log"].read_text()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{office['api']}/health", timeout=2)
