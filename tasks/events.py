"""Events the office emits to Prefect, after the data they announce is stored.

Events go to the server's ``POST /api/events`` in one request per batch, so a command knows
whether they arrived: a server that is down or refuses the login is a failure with its reason,
never a silent success (the stored records are announced again by reconciling).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from models.vocabulary import APPEAL_RECEIVED
from tasks.connection import NoOffice, NotConnected, connect, resolve

SEND_SECONDS = 10  # a stale or wrong address fails within this, it never hangs a command
BATCH = 500  # events per request


@dataclass(frozen=True, slots=True)
class Announcement:
    announced: bool
    reason: str | None = None  # why not, in one line
    # False when no server is configured at all (offline intake, announced later); True when
    # one was expected and failed (down, stale connection file, login refused)
    failed: bool = False


_last: list[Announcement] = [Announcement(False, "nothing announced yet")]


def last_announcement() -> Announcement:
    """The outcome of this process's latest announcement (its reason for a failure)."""
    return _last[-1]


def prefect_configured() -> bool:
    """A real server to talk to (from the environment or the running office's connection
    file, which is then exported for Prefect's client); events reach deployment triggers only
    there, not on the ephemeral server."""
    return connect() is not None


def event(name: str, resource_id: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "occurred": dt.datetime.now(dt.UTC).isoformat(),
        "event": name,
        "resource": {"prefect.resource.id": resource_id, "prosecutor.kind": kind},
        "related": [],
        "payload": payload,
    }


def announce(events: list[dict[str, Any]]) -> Announcement:
    """Send the events; announced only when the server took every one."""
    import httpx

    outcome = Announcement(True)
    try:
        connection = resolve()
    except NotConnected as exc:
        outcome = Announcement(False, f"Prefect not reached: {exc}", not isinstance(exc, NoOffice))
    else:
        headers = {}
        if connection.auth_string:
            token = base64.b64encode(connection.auth_string.encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        url = connection.api_url.rstrip("/") + "/events"
        try:
            for start in range(0, len(events), BATCH):
                response = httpx.post(
                    url, json=events[start : start + BATCH], headers=headers, timeout=SEND_SECONDS
                )
                if response.status_code == 401:
                    outcome = Announcement(
                        False,
                        f"the Prefect server at {connection.api_url} refused the login (401):"
                        " check PREFECT_API_AUTH_STRING",
                        failed=True,
                    )
                    break
                response.raise_for_status()
        except httpx.HTTPError as exc:
            outcome = Announcement(
                False,
                f"Prefect not reached at {connection.api_url}: {type(exc).__name__} {exc}",
                failed=True,
            )
    _last.append(outcome)
    return outcome


def emit_appeals_received(numbers: list[str]) -> bool:
    """Announce registered appeals; False when they could not be announced (reconcile later)."""
    return emit_registered(APPEAL_RECEIVED, "appeal", numbers)


def emit_answer(event_name: str, duty_id: int, answer_sha256: str) -> bool:
    """Announce an answer from outside already stored on its duty (information, a body's
    report, a release confirmed) by the duty's id and the SHA-256 of the stored answer: its text
    may name people and stays in the office's database."""
    # every key a trigger's template names must be present: an undefined one fails the run
    found = event(
        event_name, f"prosecutor.duty.{duty_id}", "duty", {"answer_sha256": answer_sha256}
    )
    return announce([found]).announced


def emit_registered(event_name: str, kind: str, numbers: list[str]) -> bool:
    """Announce stored records by the registration numbers of their procedures (never their
    contents: personal data stay in the office's database). The resource is
    ``prosecutor.<kind>.<number>`` with label ``prosecutor.kind`` = ``kind``; False when they
    could not be announced (they are announced later by reconciling)."""
    if not numbers:
        return False
    return announce(
        [
            event(event_name, f"prosecutor.{kind}.{n}", kind, {"registration_number": n})
            for n in numbers
        ]
    ).announced
