"""Events the office emits to Prefect, after the data they announce is stored."""

from __future__ import annotations

import os

APPEAL_RECEIVED = "prosecutor.appeal.received"
INFORMATION_ANSWERED = "prosecutor.information.answered"
COORDINATION_REPORTED = "prosecutor.coordination.reported"
RELEASE_CONFIRMED = "prosecutor.release.confirmed"
# Supervision of pre-trial investigation: each announces a stored inbox record's procedure.
CASE_REGISTERED = "prosecutor.case.registered"  # a case registered in ЕРДР
DETENTION_RECORDED = "prosecutor.detention.recorded"  # a detention protocol
COMPLAINT_RECEIVED = "prosecutor.complaint.received"  # a complaint under CPC art. 105
CASE_SUBMITTED = "prosecutor.case.submitted"  # a finished case sent to the prosecutor


def prefect_configured() -> bool:
    """Events reach deployment triggers only on a real server (not the ephemeral one)."""
    return bool(os.environ.get("PREFECT_API_URL"))


def emit_appeals_received(numbers: list[str]) -> bool:
    """Announce registered appeals; False when they could not be announced (reconcile later)."""
    if not numbers or not prefect_configured():
        return False
    from prefect.events import emit_event
    from prefect.events.worker import EventsWorker

    for number in numbers:
        emit_event(
            event=APPEAL_RECEIVED,
            resource={
                "prefect.resource.id": f"prosecutor.appeal.{number}",
                "prosecutor.kind": "appeal",
            },
            payload={"registration_number": number},
        )
    EventsWorker.drain_all()  # sent before this process exits
    return True


def emit_answer(event: str, duty_id: int, answer_sha256: str) -> bool:
    """Announce an answer from outside already stored on its duty (information, a body's
    report, a release confirmed) by the duty's id and the SHA-256 of the stored answer: its text
    may name people and stays in the office's database."""
    if not prefect_configured():
        return False
    from prefect.events import emit_event
    from prefect.events.worker import EventsWorker

    emit_event(
        event=event,
        resource={"prefect.resource.id": f"prosecutor.duty.{duty_id}", "prosecutor.kind": "duty"},
        # every key a trigger's template names must be present: an undefined one fails the run
        payload={"answer_sha256": answer_sha256},
    )
    EventsWorker.drain_all()
    return True


def emit_registered(event: str, kind: str, numbers: list[str]) -> bool:
    """Announce stored records by the registration numbers of their procedures (never their
    contents: personal data stay in the office's database). The resource is
    ``prosecutor.<kind>.<number>`` with label ``prosecutor.kind`` = ``kind``; False when they
    could not be announced (they are announced later by reconciling)."""
    if not numbers or not prefect_configured():
        return False
    from prefect.events import emit_event
    from prefect.events.worker import EventsWorker

    for number in numbers:
        emit_event(
            event=event,
            resource={
                "prefect.resource.id": f"prosecutor.{kind}.{number}",
                "prosecutor.kind": kind,
            },
            payload={"registration_number": number},
        )
    EventsWorker.drain_all()
    return True
