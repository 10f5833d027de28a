"""The acting deputy's desk in the Prefect UI, in a real browser (Debian's Chromium driven by
Playwright, headless, no browser download; skipped like the supervisor's browser test).

`prosecutor start` brings up the office; the head is on leave and the first deputy acts for the
head under an order (Regulation cl. 14-15). An appeal's reply waits for the deputy's signature
and is made late; the deadline check publishes the desks. On the Artifacts page the deputy's
desk shows the late reply first and marked «ПРОСРОЧЕНО», with the head's absence and the acting
order; its link leads to the waiting run, where the deputy signs. The served `refresh-desks`
deployment, started by the run's completion, takes the reply off the desk. The desk in Kazakh
and in Russian keeps no English label. Screenshots go to docs/screenshots/desk-*.png.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from models.db.tables import Approval
from models.sweeps.desk import desk_key
from tests.e2e.conftest import cli, started_office, state, wait, waiting_at
from tests.e2e.test_supervisor_browser import (
    APPLICANT,
    CHROMIUM,
    CHROMIUM_ARGS,
    IIN,
    SCREENSHOTS,
    open_select,
    review_of,
    submit_appeal,
)
from tests.office import key_args

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
DESK = desk_key("dep-1")


@pytest.fixture
def office(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with started_office(tmp_path) as running:
        yield running


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
    office: dict[str, Any],
) -> None:
    env, api, ui = office["env"], office["api"], office["ui"]
    today = dt.date.today()
    leave = (str(today - dt.timedelta(days=1)), str(today + dt.timedelta(days=10)))
    order = f"№ 12-к от {today - dt.timedelta(days=2):%d.%m.%Y}"
    for args in (
        ("roster", "absence", "add", "head", "--from", leave[0], "--to", leave[1]),
        ("roster", "acting", "add", "dep-1", "--for", "head", "--from", leave[0], "--to", leave[1]),
    ):
        extra = ("--kind", "leave") if args[1] == "absence" else ("--reference", order)
        done = cli(env, *args, *extra)
        assert done.returncode == 0, done.stderr

    number = submit_appeal(office)
    run_id, assignee = review_of(office, number)
    waiting_at(api, run_id, "report-1")
    reported = cli(
        env, "appeals", "report", number, "--as", assignee, "--outcome", "upheld",
        "--findings", "Жұмыс берушіге жалақыны төлеу туралы ұсыныс енгізілді.",
    )  # fmt: skip
    assert reported.returncode == 0, reported.stderr
    waiting_at(api, run_id, "approval-")
    [pending] = json.loads(cli(env, "approvals", "list", "--pending", "--json").stdout)
    # the reply is late: its signature was due five days ago
    with office["engine"].begin() as conn:
        conn.execute(
            update(Approval)
            .where(Approval.id == pending["id"])
            .values(due_date=today - dt.timedelta(days=5))
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
        assert order in body and "отпуск" in body  # today's absence and the acting order
        assert IIN not in body and APPLICANT not in body
        page.screenshot(path=str(SCREENSHOTS / "desk-ru.png"), full_page=True)
        link = first_row.get_by_role("link").first.get_attribute("href") or ""
        assert link.endswith(f"/runs/flow-run/{run_id}")
        page.goto(link)

        # the waiting run's page: sign as the supervisor's browser test does
        def approve_in_the_form() -> None:
            page.get_by_role("button", name="Resume").click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Must decide now").wait_for()
            selects = dialog.locator(".p-select-button__control")
            open_select(selects.nth(1))  # the signer: only the acting deputy is offered
            page.get_by_role("option").first.click()
            open_select(selects.nth(0))  # the decision
            page.get_by_role("option", name="approve", exact=True).click()
            dialog.get_by_role("textbox").last.fill(signature_b64)
            dialog.get_by_role("button", name="Submit").click()

        def resumed() -> bool:
            return state(api, run_id)["name"] != "Suspended"

        approve_in_the_form()
        for _ in range(3):  # a SQLite server may answer "database is locked": press again
            try:
                wait(resumed, 20, "the run to leave its wait")
                break
            except AssertionError:
                page.reload()
                approve_in_the_form()
        wait(lambda: state(api, run_id)["type"] == "COMPLETED", 240, "the run to complete")
        browser.close()

    # the run's completion started `refresh-desks`: the reply is off the deputy's desk
    wait(
        lambda: number not in desk_versions(api)[0]["data"].split("## Мои сроки")[1],
        120,
        "the refreshed desk without the signed reply",
    )
    russian = desk_versions(api)[0]["data"]
    assert russian.startswith("# Рабочий стол") and english_left(russian) == []
