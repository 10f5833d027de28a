"""``prosecutor notifications``: the stored reminders, reassignments and escalations."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput
from deployments.cli.support import JsonFlag, emit, fails_cleanly, office_session
from models.office.roster import REGIONAL_OFFICE
from models.office.roster_store import body_exists, staff_exists
from models.sweeps.notifications import list_notifications

notifications_app = typer.Typer(help="Reminders, reassignments, escalations.", no_args_is_help=True)


@notifications_app.command("list")
@fails_cleanly
def notifications_list(
    recipient: Annotated[
        str | None, typer.Option("--to", help="Staff id, regional_office or body:ID.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Stored reminders, reassignments and escalations, newest first."""
    with office_session() as session:
        if recipient is not None and not _known_recipient(session, recipient):
            raise BadInput(f"--to: unknown staff member {recipient}")
        rows = [
            {
                "id": n.id,
                "to": n.recipient_id or n.external_recipient,
                "kind": n.kind,
                "subject": f"{n.subject_kind} {n.subject_id}",
                "on": n.on_date,
                "message": n.message,
            }
            for n in list_notifications(session, recipient, limit)
        ]
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(f"{r['on']} {r['to']:<16} {r['kind']:<12} {r['message']}" for r in rs)
            or "no notifications"
        ),
    )


def _known_recipient(session: Session, recipient: str) -> bool:
    """A staff member, the regional office, or a body of the register (``body:ID``)."""
    if recipient == REGIONAL_OFFICE:
        return True
    if recipient.startswith("body:"):
        return body_exists(session, recipient.removeprefix("body:"))
    return staff_exists(session, recipient)
