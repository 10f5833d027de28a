"""Notifications: one small interface, so an e-mail or messenger adapter can plug in later.

The deadline sweep stores every reminder, reassignment and escalation as a row (a supervisor
can list them); a ``Notifier`` then delivers the new rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Notification


class Notifier(Protocol):
    def deliver(self, notifications: Sequence[Notification]) -> None: ...


def list_notifications(
    session: Session, recipient: str | None = None, limit: int = 100
) -> list[Notification]:
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if recipient is not None:
        query = query.where(
            (Notification.recipient_id == recipient)
            | (Notification.external_recipient == recipient)
        )
    return list(session.scalars(query))
