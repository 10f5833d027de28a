"""Run logs reach the Prefect server with personal data masked (Law of the RK No. 94-V, art. 1):
everyone with the UI reads them, and the open-source server has no per-user access control."""

from __future__ import annotations

from uuid import UUID

import pytest
from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.runtime import flow_run

import tasks  # noqa: F401  (importing the steps installs the masking, as every flow does)
from tests.flows.waiting import wait_until

pytestmark = pytest.mark.usefixtures("prefect_harness")
IIN = "850315400015"


@flow(name="logs-personal-data")
def logs_personal_data() -> str:
    get_run_logger().info(
        "Applicant IIN %s, phone +7 701 555 01 01, e-mail p.ivanov@example.kz", IIN
    )
    return str(flow_run.id)


def test_identifiers_phones_and_emails_are_masked_in_run_logs() -> None:
    run_id = logs_personal_data()

    def stored() -> list[str] | None:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(run_id)]))
            )
        messages = [log.message for log in logs if "Applicant" in log.message]
        return messages or None

    [message] = wait_until(stored, what="the run's log on the server")
    assert IIN not in message and "********0015" in message
    assert "555 01 01" not in message and "***01" in message
    assert "p.ivanov" not in message and "***@example.kz" in message
