"""Catch-up of the morning deadline check: an office started after 09:00 on a working day runs
the day's check at once when it has not run. Prefect's scheduler creates runs from now on only,
so without this an office started at 09:30 would check nothing until the next morning.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import httpx

from models.timing.calendar import ALMATY, WorkingCalendar

DEPLOYMENT = "check-deadlines"
CHECK_AT = dt.time(9, 0)  # the hour of the check-deadlines schedule in prefect.yaml
ASK_SECONDS = 5


def catch_up_due(now: dt.datetime, working_day: bool, ran_today: bool) -> bool:
    """The day's check is due at once: a working day, at or after 09:00 in Almaty, and no
    check of the day has run (or is waiting to run)."""
    return working_day and now.astimezone(ALMATY).time() >= CHECK_AT and not ran_today


def _day_bounds(day: dt.date) -> tuple[str, str]:
    start = dt.datetime.combine(day, dt.time(0), ALMATY)
    return start.isoformat(), (start + dt.timedelta(days=1)).isoformat()


def catch_up(
    api_url: str,
    headers: dict[str, str],
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> str | None:
    """Start today's deadline check if it is due; the id of the run started, else None. A run
    of the day in any state but cancelled counts as run (a late scheduled one runs anyway)."""
    now = now or dt.datetime.now(ALMATY)
    day = now.astimezone(ALMATY).date()
    working = (calendar or WorkingCalendar()).is_working_day(day)
    if not catch_up_due(now, working, ran_today=False):
        return None  # not a working day, or before the hour: the schedule does it
    api = api_url.rstrip("/")
    deployment = httpx.get(
        f"{api}/deployments/name/{DEPLOYMENT}/{DEPLOYMENT}", headers=headers, timeout=ASK_SECONDS
    )
    deployment.raise_for_status()
    deployment_id = deployment.json()["id"]
    after, before = _day_bounds(day)
    runs = httpx.post(
        f"{api}/flow_runs/filter",
        json={
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {
                "expected_start_time": {"after_": after, "before_": before},
                "state": {"type": {"not_any_": ["CANCELLED", "CANCELLING"]}},
            },
            "limit": 1,
        },
        headers=headers,
        timeout=ASK_SECONDS,
    )
    runs.raise_for_status()
    if not catch_up_due(now, working, ran_today=bool(runs.json())):
        return None
    created = httpx.post(
        f"{api}/deployments/{deployment_id}/create_flow_run",
        json={
            "parameters": {"on": day.isoformat()},
            "state": {
                "type": "SCHEDULED",
                "name": "Scheduled",
                "state_details": {"scheduled_time": now.isoformat()},
            },
            "tags": ["catch-up"],
            # `start` and `serve` may both try: one run a day
            "idempotency_key": f"catch-up-{DEPLOYMENT}-{day.isoformat()}",
        },
        headers=headers,
        timeout=ASK_SECONDS,
    )
    created.raise_for_status()
    return str(created.json()["id"])


def catch_up_when_served(
    api_url: str,
    headers: dict[str, str],
    say: Callable[[str], None],
    wait_seconds: float = 180,
) -> None:
    """For `prosecutor serve`: once the deployment is registered, catch up; a failure is one
    line in the log, never a stopped office."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            run_id = catch_up(api_url, headers)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 404 or time.monotonic() > deadline:
                say(f"deadline check catch-up failed: {exc}")
                return
            time.sleep(1)  # the deployment is not registered yet
            continue
        except httpx.HTTPError as exc:
            say(f"deadline check catch-up failed: {exc}")
            return
        if run_id:
            say(f"today's deadline check had not run: started it now (flow run {run_id})")
        return
