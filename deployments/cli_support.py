"""Shared pieces of the command line: output, one-line failures, the office's session."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from sqlalchemy.orm import Session

from deployments.errors import BadInput, one_line
from models.db import default_engine, transaction
from models.migrate import current_revision, head_revision

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


def input_records(path: Path) -> Iterator[tuple[str, str, str | None]]:
    """(where, text, problem) of each record (an appeal, a protocol, a complaint, ...) in a
    file, a JSON-lines file or a folder; a problem found before parsing (not UTF-8) is stored
    as the rejection reason."""
    if path.is_dir():
        for file in sorted(path.glob("*.json*")):
            yield from input_records(file)
        return
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        kept = data.decode("utf-8", errors="backslashreplace")  # as received, nothing lost
        yield str(path), kept, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        return
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield f"{path}:{number}", line, None
    else:
        yield str(path), text, None
