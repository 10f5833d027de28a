"""Notifications: one small interface, so an e-mail or messenger adapter can plug in later.

The deadline sweep stores every reminder, reassignment and escalation as a row (a supervisor
can list them); a ``Notifier`` then delivers the new rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db.sql import insert_ignoring_duplicates
from models.db.tables import Notification
from models.office.roster import REGIONAL_OFFICE


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


def notify_from_select(session: Session, query: Any) -> int:
    """INSERT ... SELECT into notifications, skipping rows whose dedupe key exists."""
    columns = [
        "dedupe_key",
        "recipient_id",
        "external_recipient",
        "kind",
        "subject_kind",
        "subject_id",
        "on_date",
        "message",
    ]
    stmt = (
        insert_ignoring_duplicates(session, Notification)
        .from_select(columns, query)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    # psycopg reports no rowcount for INSERT ... SELECT ... ON CONFLICT: count what came back
    return len(session.scalars(stmt).all())


def notify(
    session: Session,
    *,
    key: str,
    recipient: str | None,
    kind: str,
    subject_kind: str,
    subject_id: int,
    on: dt.date,
    message: str,
) -> int:
    stmt = (
        insert_ignoring_duplicates(session, Notification)
        .values(
            dedupe_key=key,
            recipient_id=recipient,
            external_recipient=None if recipient else REGIONAL_OFFICE,
            kind=kind,
            subject_kind=subject_kind,
            subject_id=subject_id,
            on_date=on,
            message=message[:1000],
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    return len(session.scalars(stmt).all())


def notifications_since(session: Session, after_id: int) -> Sequence[Notification]:
    return session.scalars(
        select(Notification).where(Notification.id > after_id).order_by(Notification.id)
    ).all()


def last_notification_id(session: Session) -> int:
    return session.scalar(select(func.max(Notification.id))) or 0
