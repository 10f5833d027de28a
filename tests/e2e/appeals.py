"""An appeal's way through a running office (`prosecutor start`), for the end-to-end tests:
submitted from the terminal, its review started, the assistant's report, the reply awaiting
the signature."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from models.appeals import store as appeal_store
from tests.e2e.conftest import cli, wait, waiting_at
from tests.support.appeals import appeal_file

IIN = "850315400015"
APPLICANT = "Сейтқали"


def submit_appeal(office: dict[str, Any], external_id: str = "browser-1") -> str:
    """A Kazakh-language appeal about unpaid wages, submitted; its registration number. Each
    ``external_id`` is a new appeal, so several can go through one office."""
    path = appeal_file(
        office["tmp"],
        external_id,
        iin=IIN,
        last_name=APPLICANT,
        first_name="Әсел",
        contact={"address": "Алматы, Абай даңғылы 1", "phone": "+7 701 555 01 01"},
        language="kk",
        channel="e_otinish",
        subject="Жалақы төленбеді",
        # its own text: the same text as an answered appeal is a repeat, ended (CL-155 art. 24(8))
        text=f"Жұмыс беруші үш ай бойы жалақы төлемеді ({external_id}).",
        received_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
    )
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


def awaiting_signature(office: dict[str, Any], external_id: str) -> tuple[str, str, int]:
    """An appeal reported on by its assistant: (number, run id, approval id) once its reply
    waits for a signature."""
    env, api = office["env"], office["api"]
    number = submit_appeal(office, external_id)
    run_id, assignee = review_of(office, number)
    waiting_at(api, run_id, "report-1")
    reported = cli(
        env, "appeals", "report", number, "--as", assignee, "--outcome", "upheld",
        "--findings", "Жұмыс берушіге жалақыны төлеу туралы ұсыныс енгізілді.",
    )  # fmt: skip
    assert reported.returncode == 0, reported.stderr
    waiting_at(api, run_id, "approval-")
    listed = json.loads(cli(env, "approvals", "list", "--pending", "--json").stdout)
    [pending] = [a for a in listed if a["registration_number"] == number]
    return number, run_id, pending["id"]
