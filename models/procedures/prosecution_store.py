"""State prosecutions in the database (поддержание государственного обвинения): one per case
sent to court, found again by its title on a replay. The rules are in
``models/procedures/state_prosecution.py``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Procedure
from models.procedures import ProcedureKind


def prosecution_titled(session: Session, title: str) -> Procedure | None:
    """The state prosecution registered under ``title`` (one per case sent to court)."""
    return session.scalar(
        select(Procedure).where(
            Procedure.kind == ProcedureKind.STATE_PROSECUTION, Procedure.title == title
        )
    )
