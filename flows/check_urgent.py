"""The hourly check of urgent matters, every few minutes around the clock."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from models.db import transaction
from models.sweeps.notifications import last_notification_id, notifications_since
from models.sweeps.urgent_sweep import UrgentReport, sweep_urgent
from models.timing.calendar import ALMATY, WorkingCalendar
from tasks.deadlines import LogNotifier
from tasks.decision_forms import refresh_decision_forms
from tasks.step import step

RELEASE_DEPLOYMENT = "release-detained/release-detained"

# Releases started in this process without a deployment (the test harness, a one-off check):
# a second sweep before the release is registered must not start it twice.
_IN_PROCESS: dict[str, threading.Thread] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class UrgentCheck:
    """What one urgent check did: escalations by the hour, detentions near their limit, and
    the releases it claimed and started (by detention number)."""

    at: dt.datetime
    escalated: int
    forms_refreshed: int
    detention_alerts: int
    releases_claimed: tuple[str, ...]
    releases_started: tuple[str, ...]


@step
def sweep_urgent_work(at: dt.datetime, every_hours: float) -> UrgentReport:
    with transaction() as session:
        before = last_notification_id(session)
        report = sweep_urgent(session, at, WorkingCalendar(), every_hours)
        new = list(notifications_since(session, before))
    LogNotifier().deliver(new)
    return report


def _release_in_process(number: str) -> str:
    from flows.release_detained import release_detained

    with _LOCK:
        running = _IN_PROCESS.get(number)
        if running is not None and running.is_alive():
            return "in-process (already running)"
        thread = threading.Thread(
            target=release_detained,
            kwargs={"detention_ref": number},
            name=f"release-{number}",
            daemon=True,
        )
        _IN_PROCESS[number] = thread
    thread.start()
    return "in-process"


def release_thread(number: str) -> threading.Thread | None:
    """The in-process release of a detention, when one was started here (tests join it)."""
    return _IN_PROCESS.get(number)


@step
def start_release(number: str) -> str:
    """Start the release of a detention past its limit (CL-155 art. 10(2)(9); CPC arts. 14(4),
    133(1)): the ``release-detained`` deployment when this check runs as a deployment (one run
    per detention whatever the retries: the idempotency key), else in this process. Only the
    detention's number is passed: the release reads the facts from the database."""
    from prefect.runtime import deployment

    if not deployment.id:
        return _release_in_process(number)
    from prefect.deployments import run_deployment

    run = run_deployment(
        RELEASE_DEPLOYMENT,
        parameters={"detention_ref": number},
        timeout=0,
        as_subflow=False,
        idempotency_key=f"release-detention-{number}",
    )
    return str(run.id)


def _run_name() -> str:
    """Readable in the UI's run list: ``check-urgent · 27.11.2026 14:30`` (Almaty)."""
    at = flow_run.scheduled_start_time.astimezone(ALMATY)
    return f"check-urgent · {at:%d.%m.%Y %H:%M}"


@flow(name="check-urgent", flow_run_name=_run_name)
def check_urgent(at: dt.datetime | None = None, every_hours: float = 1) -> UrgentCheck:
    """Alert before the end of a detention and start the release at its end (CPC arts. 14(2),
    131(4), 133(2)); escalate work counted in hours that is past its hour, one level per
    ``every_hours``; then let every waiting decision form offer whoever is authorised now (an
    escalation, a shift change at the end of office hours, a leave that began today)."""
    report = sweep_urgent_work(at or dt.datetime.now(dt.UTC), every_hours)
    started = {number: start_release(number) for number in report.releases_to_start}
    if started:
        get_run_logger().info("releases started: %s", ", ".join(started))
    refreshed = refresh_decision_forms()
    if report.escalations:
        create_table_artifact(
            key="urgent-check", table=report.escalations, description="Urgent work escalated"
        )
    return UrgentCheck(
        at=report.at,
        escalated=report.escalated,
        forms_refreshed=refreshed,
        detention_alerts=report.detention_alerts,
        releases_claimed=tuple(report.releases_claimed),
        releases_started=tuple(sorted(started)),
    )
