"""Coordination of law-enforcement and other state bodies (Regulation cl. 6.3, 7.4): the items
of a meeting's resolution, each executed by one or more bodies, and their execution control.

A district meeting is the office's own practice (no statutory district council): its frequency
is the schedule in ``prefect.yaml`` and its terms are office-practice rows of the terms table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import Body, Duty, DutyStatus, Procedure
from models.procedures import store as procedure_store
from models.records import audit


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    bodies: tuple[str, ...]
    due_date: dt.date


def item_step(index: int, body_id: str) -> str:
    return f"item-{index}-{body_id}"


def unknown_bodies(session: Session, body_ids: set[str]) -> list[str]:
    known = set(session.scalars(select(Body.id).where(Body.id.in_(body_ids), Body.active)))
    return sorted(body_ids - known)


def record_items(
    session: Session, procedure_id: int, items: list[Item], assignee: str, actor: str
) -> list[int]:
    """One duty per item and body, due on the item's date, watched by the responsible assistant."""
    ids = []
    for index, item in enumerate(items, start=1):
        for body_id in item.bodies:
            duty = procedure_store.open_duty(
                session,
                procedure_id=procedure_id,
                step=item_step(index, body_id),
                title=item.text[:300],
                assignee_id=assignee,
                due_date=item.due_date,
                term_id="coordination.execution",
                actor=actor,
            )
            duty.body_id = body_id
            ids.append(duty.id)
    session.flush()
    return ids


def close_item_if_reported(session: Session, duty: Duty, actor: str) -> bool:
    """An item is closed when every body it was given to has reported."""
    if not duty.step.startswith("item-"):
        return False
    prefix = duty.step.rsplit("-", 1)[0] + "-"
    siblings = session.scalars(
        select(Duty).where(Duty.procedure_id == duty.procedure_id, Duty.step.like(f"{prefix}%"))
    ).all()
    if any(d.status is DutyStatus.OPEN for d in siblings):
        return False
    proc = session.get_one(Procedure, duty.procedure_id)
    audit.append(
        session,
        actor=actor,
        action="coordination.item_closed",
        entity_kind="procedure",
        entity_id=f"{proc.registration_number}#{prefix.rstrip('-')}",
        payload={"bodies": sorted(d.body_id or "" for d in siblings)},
    )
    return True


@dataclass
class BodyExecution:
    body: str
    given: int = 0
    reported: int = 0
    open: int = 0
    overdue: int = 0


def execution_report(session: Session, procedure_id: int, on: dt.date) -> list[dict[str, object]]:
    """Execution per body: items given, reported, open, overdue."""
    names = {b.id: b.name_ru for b in session.scalars(select(Body))}
    rows: dict[str, BodyExecution] = {}
    for duty in session.scalars(
        select(Duty).where(Duty.procedure_id == procedure_id, Duty.body_id.is_not(None))
    ):
        body = duty.body_id or ""
        row = rows.setdefault(body, BodyExecution(names.get(body, body)))
        row.given += 1
        if duty.status is DutyStatus.DONE:
            row.reported += 1
        else:
            row.open += 1
            row.overdue += bool(duty.due_date and duty.due_date < on)
    return [asdict(rows[b]) for b in sorted(rows)]
