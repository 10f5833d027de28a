"""Values given on the command line and in files, read or refused with one line naming the
option or the file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from deployments.cli.errors import BadInput, describe_validation
from models.timing.calendar import ALMATY, today

M = TypeVar("M", bound=BaseModel)


def parse_date(value: str | None, option: str) -> dt.date:
    """A day, YYYY-MM-DD; today in Almaty when not given."""
    if value is None:
        return today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def parse_moment(value: str, option: str) -> dt.datetime:
    """A date (taken as 00:00 Almaty time) or a date and time, e.g. 2026-03-21T23:00."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            f"{option}: {value!r} is not a date or a moment (expected YYYY-MM-DD[THH:MM])"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ALMATY)


def read_structured(path: Path) -> Any:
    """A YAML or JSON file (JSON is YAML, but its errors read better from the JSON parser)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        raise BadInput(f"{path}: malformed YAML: {' '.join(str(exc).split())}") from None


def validated(model: type[M], data: Any, source: str) -> M:
    """``data`` as ``model``; every problem on one line, each with where it is."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadInput(describe_validation(exc, source)) from None
