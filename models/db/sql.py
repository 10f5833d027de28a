"""Small SQL helpers shared by the set-based sweeps, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, String, cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(session: Session, table: Any) -> Insert:
    dialect = session.get_bind().dialect.name
    module = {"postgresql": postgresql, "sqlite": sqlite}.get(dialect)
    if module is None:  # pragma: no cover - the project supports these two
        raise NotImplementedError(f"deadline sweep on {dialect}")
    return module.insert(table)


def as_text(value: Any) -> Any:
    return cast(value, String)
