"""``prosecutor validate``: outside input checked without storing it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deployments.cli.errors import BadInput
from deployments.cli.parsing import read_structured, validated
from deployments.cli.support import JsonFlag, emit, fails_cleanly
from models.office.identifiers import iin_birth_date, validate_bin, validate_iin
from models.office.schemas import AppealIn

validate_app = typer.Typer(help="Check input without storing it.", no_args_is_help=True)


@validate_app.command("iin")
@fails_cleanly
def validate_iin_command(
    value: Annotated[str, typer.Argument()], as_json: JsonFlag = False
) -> None:
    """Check an individual identification number (ИИН / ЖСН)."""
    try:
        iin = validate_iin(value)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    emit(
        {"iin": iin, "birth_date": iin_birth_date(iin)},
        as_json,
        lambda d: f"IIN {d['iin']} valid, born {d['birth_date']}",
    )


@validate_app.command("bin")
@fails_cleanly
def validate_bin_command(
    value: Annotated[str, typer.Argument()], as_json: JsonFlag = False
) -> None:
    """Check a business identification number (БИН / БСН)."""
    try:
        data = {"bin": validate_bin(value)}
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    emit(data, as_json, lambda d: f"BIN {d['bin']} valid")


@validate_app.command("appeal")
@fails_cleanly
def validate_appeal(file: Annotated[Path, typer.Argument()], as_json: JsonFlag = False) -> None:
    """Check an appeal file (JSON) against the intake schema without storing it."""
    appeal = validated(AppealIn, read_structured(file), str(file))
    data = {
        "subject": appeal.subject,
        "anonymous": appeal.anonymous,
        "language": appeal.language.value,
    }
    emit(data, as_json, lambda d: f"appeal valid: {d['subject']}")
