"""The hourly check of urgent matters, every few minutes around the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from models.calendar import WorkingCalendar
from models.db import transaction
from models.notifications import last_notification_id, notifications_since
from models.urgent_sweep import UrgentReport, sweep_urgent
from tasks.deadlines import LogNotifier
from tasks.decision_forms import refresh_decision_forms


@task(name="sweep-urgent", cache_policy=NO_CACHE)
def sweep(at: dt.datetime, every_hours: float) -> UrgentReport:
    with transaction() as session:
        before = last_notification_id(session)
        report = sweep_urgent(session, at, WorkingCalendar(), every_hours)
        new = list(notifications_since(session, before))
    LogNotifier().deliver(new)
    return report


@flow(name="check-urgent", flow_run_name="urgent-check")
def check_urgent(at: dt.datetime | None = None, every_hours: float = 1) -> dict[str, Any]:
    """Escalate work counted in hours that is past its hour, one level per ``every_hours``;
    then let every waiting decision form offer whoever is authorised now (an escalation, a
    shift change at the end of office hours, a leave that began today)."""
    report = sweep(at or dt.datetime.now(dt.UTC), every_hours)
    refreshed = refresh_decision_forms()
    if report.escalations:
        create_table_artifact(
            key="urgent-check", table=report.escalations, description="Urgent work escalated"
        )
    return {"at": report.at, "escalated": report.escalated, "forms_refreshed": refreshed}
