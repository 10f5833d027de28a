"""Shared pieces of the command line: options, output, one-line failures, the office's session
and its Prefect server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from sqlalchemy.orm import Session

from deployments.cli.errors import BadInput, one_line
from models.db import default_engine, transaction
from models.db.migrate import current_revision, head_revision
from tasks.connection import Connection

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
OnDate = Annotated[
    str | None, typer.Option("--on", help="Date, YYYY-MM-DD (default today in Almaty).")
]
As = Annotated[str, typer.Option("--as", help="Who does this (recorded in the audit log).")]

P = ParamSpec("P")
R = TypeVar("R")


def emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))
    else:
        typer.echo(human(data))


def fails_cleanly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into one line on stderr and exit code 1."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except BadInput as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:  # anything else still gets one clear line
            if isinstance(exc, typer.Exit | typer.Abort | SystemExit):
                raise
            typer.echo(f"error: {one_line(exc)}", err=True)
            raise typer.Exit(1) from None

    return wrapper


@contextmanager
def office_session() -> Iterator[Session]:
    engine = default_engine()
    if current_revision(engine) != head_revision():
        raise BadInput("the database is not at the newest schema: run `prosecutor db upgrade`")
    with transaction(engine) as session:
        yield session


def require_current_schema() -> None:
    """Refuse early, before anything is stored, when the database is not migrated."""
    with office_session():
        pass


def note_announcement(summary: dict[str, Any], stored: int, announced: bool) -> bool:
    """Stored records that were not announced: the summary's ``announced`` stays false (or
    empty) and ``announce_error`` gives the reason. True, the command must exit 1, when a server
    was expected and failed (down, a stale connection file, the login refused); with none
    configured at all the records wait, stored, for reconciling."""
    from tasks.events import last_announcement

    if not stored or announced:
        return False
    outcome = last_announcement()
    summary["announce_error"] = outcome.reason
    return outcome.failed


def prefect_connection() -> Connection:
    """The Prefect server this command talks to (the environment's, else the running office's
    connection file), exported for Prefect's client; one clear line when there is none."""
    from tasks.connection import NotConnected, export, resolve

    try:
        connection = resolve()
    except NotConnected as exc:
        raise BadInput(str(exc)) from None
    export(connection)
    return connection


def run_state(flow_run_id: str) -> str:
    """The state name of a flow run on the office's server (``unknown`` when it has none)."""
    prefect_connection()  # before Prefect is imported: the running office's server
    from uuid import UUID

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    return state.name if state else "unknown"


WAITING_STATES = frozenset({"Paused", "Suspended"})  # a run waiting for a person
