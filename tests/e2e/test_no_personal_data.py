"""No personal data in Prefect (Law of the RK No. 94-V "On personal data and their protection",
art. 1; issue 16): the open Prefect server shows everything it keeps to everyone with the UI.

Through a real server: an appeal, a body's answer and a detention protocol carrying distinctive
names (written in other grammatical cases too), IINs, phone numbers and e-mails are submitted
from the terminal; the procedures run to their waits (the answer to its end), then everything
the Prefect API keeps is read (flow runs with parameters and names, task runs, run inputs,
logs, artifacts, events, variables) and none of the values is found there."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.appeals import store as appeal_store
from models.db.tables import Duty, Procedure
from tests.e2e.conftest import cli, state, wait, waiting_at
from tests.rules.test_detention_rules import iin_for
from tests.support.appeals import appeal_file
from tests.support.polling import retry_busy

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.served("review-appeal,record-answer,control-detention,release-detained"),
]

APPLICANT_IIN = iin_for(dt.date(1987, 4, 12), "0042")
WITNESS_IIN = iin_for(dt.date(1979, 9, 30), "0311")  # in the answer: nobody the office knows
HELD_BORN = dt.date(1995, 2, 7)
HELD_IIN = iin_for(HELD_BORN, "0777")
PHONE = "+7 701 987 65 43"
WITNESS_PHONE = "8 (747) 321-09-87"
EMAIL = "kudaibergenova.aigerim@mail.kz"
WITNESS_EMAIL = "zh.temirlan@inbox.kz"
# Stems of the names: any case of them is personal data (Құдайбергеновой, Жақсылықовқа, ...).
NAMES = ("Құдайбергенов", "Әйгерім", "Жақсылықов", "Темірлан", "Ерболұл", "Шыңғысхан")
PHONES = (PHONE, WITNESS_PHONE)
VALUES = (
    APPLICANT_IIN,
    WITNESS_IIN,
    HELD_IIN,
    EMAIL,
    WITNESS_EMAIL,
    "kudaibergenova",
    "zh.temirlan",
)


def _ok(done: Any) -> Any:
    assert done.returncode == 0, done.stderr or done.stdout
    return done


def _write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _appeal(tmp_path: Path) -> Path:
    return appeal_file(
        tmp_path,
        "pd-appeal-1",
        iin=APPLICANT_IIN,
        last_name="Құдайбергенова",
        first_name="Әйгерім",
        contact={"phone": PHONE, "email": EMAIL},
        channel="e_otinish",
        # the subject names the applicant in another case, with her phone and e-mail
        subject=f"Жалоба Құдайбергеновой Әйгерім, тел. {PHONE}, {EMAIL}",
        text="Работодатель Құдайбергеновой три месяца не платит зарплату. Прошу проверить.",
        received_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
    )


def _protocol(tmp_path: Path) -> Path:
    detained = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    return _write(
        tmp_path,
        "protocol.json",
        {
            "external_id": "pd-detention-1",
            "detained_at": detained.isoformat(),
            "person": {
                "last_name": "Жақсылықов",
                "first_name": "Темірлан",
                "patronymic": "Ерболұлы",
                "iin": HELD_IIN,
                "birth_date": HELD_BORN.isoformat(),
            },
            "body": "УП Бостандыкского района",
            "facility": "ИВС УП Бостандыкского района",
            "grounds": f"Жақсылықова застигли при совершении кражи у Шыңғысхана, тел. {PHONE}",
        },
    )


def _post(api: str, path: str, body: dict[str, Any]) -> Any:
    """POST, retried while the server on SQLite answers 503 (busy), as Prefect's client does."""
    response = retry_busy(lambda: httpx.post(f"{api}{path}", json=body, timeout=30))
    assert response.status_code < 300, response.text
    return response.json()


def _paged(api: str, path: str, key: str | None = None) -> list[Any]:
    """Every item of a ``/filter`` endpoint, page by page."""
    found: list[Any] = []
    while True:
        page = _post(api, path, {"limit": 200, "offset": len(found)})
        items = page[key] if key else page
        found += items
        if len(items) < 200:
            return found


def _events(api: str) -> list[Any]:
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    page = _post(
        api,
        "/events/filter",
        {"filter": {"occurred": {"since": since, "until": until}}, "limit": 50},
    )
    events = list(page["events"])
    while page.get("next_page"):
        page = httpx.get(page["next_page"], timeout=30).json()
        events += page["events"]
    return events


def everything_prefect_keeps(api: str) -> dict[str, list[Any]]:
    runs = _paged(api, "/flow_runs/filter")
    inputs = [
        _post(api, f"/flow_runs/{run['id']}/input/filter", {"prefix": "", "limit": 1000})
        for run in runs
    ]
    return {
        "flow runs": runs,
        "task runs": _paged(api, "/task_runs/filter"),
        "run inputs": inputs,
        "logs": _paged(api, "/logs/filter"),
        "artifacts": _paged(api, "/artifacts/filter"),
        "events": _events(api),
        "variables": _paged(api, "/variables/filter"),
    }


def _digits(phone: str) -> re.Pattern[str]:
    """The phone's last ten digits in any layout."""
    digits = re.sub(r"\D", "", phone)[-10:]
    return re.compile(r"\D{0,3}".join(digits))


def leaks(kept: dict[str, list[Any]]) -> list[str]:
    found = []
    for where, items in kept.items():
        # run inputs and event payloads hold JSON inside JSON: decode the escapes once more
        text = json.dumps(items, ensure_ascii=False).replace('\\"', '"').casefold()
        found += [f"{value} in {where}" for value in (*NAMES, *VALUES) if value.casefold() in text]
        found += [f"{phone} in {where}" for phone in PHONES if _digits(phone).search(text)]
    return found


def _review_run(engine: Any, number: str) -> str:
    def found() -> str | None:
        with Session(engine) as session:
            return appeal_store.by_number(session, number)[0].review_flow_run_id

    return wait(found, 90, f"the triggered review of {number}")


def _completed(api: str, deployment: str) -> str:
    """Until a run of ``deployment`` has completed: its id."""
    found = httpx.get(f"{api}/deployments/name/{deployment}/{deployment}", timeout=5).json()
    body = {"deployments": {"id": {"any_": [found["id"]]}}, "limit": 10}

    def done() -> str | None:
        runs = _post(api, "/flow_runs/filter", body)
        return next(
            (r["id"] for r in runs if r["state"] and r["state"]["type"] == "COMPLETED"), None
        )

    return wait(done, 120, f"a completed {deployment} run")


def _events_caught_up(api: str, *states: tuple[str, str]) -> None:
    """Until Prefect's event store (written after the fact) holds each (run id, state name)."""

    def recorded() -> bool:
        seen = {(e["event"], e["resource"]["prefect.resource.id"]) for e in _events(api)}
        return all(
            (f"prefect.flow-run.{name}", f"prefect.flow-run.{run}") in seen for run, name in states
        )

    wait(recorded, 60, f"the events of {states} in Prefect's event store")


def test_nothing_prefect_keeps_names_a_party(stack: dict[str, Any], tmp_path: Path) -> None:
    api, env, engine = stack["api"], stack["env"], stack["engine"]

    # 1. The appeal: registered, assigned, waiting for the assistant's report
    submitted = json.loads(
        _ok(cli(env, "appeals", "submit", str(_appeal(tmp_path)), "--json")).stdout
    )
    number = submitted["appeals"][0]["registration_number"]
    review = _review_run(engine, number)
    waiting_at(api, review, "report-1")
    # the assistant asks a body for information (what she types carries no personal data)
    _ok(cli(env, "appeals", "report", number, "--as", "sa-1", "--request", "ТОО «Алма»: сведения"))
    waiting_at(api, review, "report-2")

    # 2. The body's answer names people, identifiers and contacts: stored, announced by id
    with Session(engine) as session:
        proc = session.scalar(select(Procedure).where(Procedure.registration_number == number))
        request = session.scalar(
            select(Duty).where(Duty.procedure_id == proc.id, Duty.step == "request-1-1")
        )
    answer = (
        f"Құдайбергеновой Әйгерім начислено; свидетель Жақсылықовқа (ИИН {WITNESS_IIN}, тел."
        f" {WITNESS_PHONE}, {WITNESS_EMAIL}) вручено уведомление"
    )
    _ok(cli(env, "answer", str(request.id), "--text", answer))

    def answered() -> bool:
        with Session(engine) as session:
            return session.get_one(Duty, request.id).status.value == "done"

    wait(answered, 90, "the answer's run to close the request")
    with Session(engine) as session:
        assert session.get_one(Duty, request.id).answer is not None  # kept by the office

    # 3. The detention protocol: recorded, its control run ends; its release started by hand
    recorded = _ok(cli(env, "detention", "record", str(_protocol(tmp_path)), "--json"))
    held = json.loads(recorded.stdout)["detentions"][0]["registration_number"]
    release = httpx.get(f"{api}/deployments/name/release-detained/release-detained", timeout=5)
    run = _post(
        api,
        f"/deployments/{release.json()['id']}/create_flow_run",
        {
            "parameters": {
                "detention_ref": held,
                "ground": "no_lawful_grounds",
                "ordered_by": "as-1",
            }
        },
    )
    waiting_at(api, run["id"], "approval-")
    control = _completed(api, "control-detention")
    assert state(api, review)["name"] == "Suspended"

    # 4. Everything Prefect keeps, once its event store has caught up with the last runs
    _events_caught_up(api, (run["id"], "Suspended"), (control, "Completed"))
    kept = everything_prefect_keeps(api)
    assert kept["run inputs"] and kept["artifacts"] and kept["events"]  # read, not empty
    assert any(f"{number}" in json.dumps(a, ensure_ascii=False) for a in kept["artifacts"])
    # the forms are there, masked: the names as initials, the contacts hidden
    inputs = json.dumps(kept["run inputs"], ensure_ascii=False)
    assert "Жалоба Қ. Ә., тел. ***, ***" in inputs
    assert leaks({"the answer as stored": [answer]})  # the search finds what it looks for
    assert leaks(kept) == []
