"""Errors a user can fix, and one-line messages for everything else."""

from __future__ import annotations

from pydantic import ValidationError


class BadInput(Exception):
    """Input the user can correct; its message is shown as is."""


def describe_validation(exc: ValidationError, source: str = "") -> str:
    """All problems of a pydantic error on one line, each with where it is."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    prefix = f"{source}: " if source else ""
    return prefix + "; ".join(parts)


def one_line(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return describe_validation(exc)
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 500 else text[:497] + "..."
