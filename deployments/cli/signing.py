"""EDS (ЭЦП) on the command line: the key and its password, and ``prosecutor sign``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from deployments.cli.errors import BadInput
from deployments.cli.support import JsonFlag, emit, fails_cleanly
from models.office import eds

KeyFile = Annotated[
    Path, typer.Option("--key", help="Your EDS key and certificate (.p12), e.g. from NCA RK.")
]
PasswordFile = Annotated[
    Path | None,
    typer.Option("--password-file", help="File holding the key's password (default: a prompt)."),
]


def read_key(key: Path, password_file: Path | None) -> tuple[bytes, bytes]:
    """The .p12 file and its password: from the file given, else asked without echo (never
    under CI or without a terminal, where nobody can answer)."""
    if not key.is_file():
        raise BadInput(f"--key: no such file {key}")
    if password_file is not None:
        if not password_file.is_file():
            raise BadInput(f"--password-file: no such file {password_file}")
        password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
    elif os.environ.get("CI") or not sys.stdin.isatty():
        raise BadInput("no terminal to ask the key's password: give --password-file")
    else:
        password = typer.prompt(f"Password of {key.name}", hide_input=True)
    return key.read_bytes(), password.encode("utf-8")


def sign_bytes(content: bytes, key: Path, password_file: Path | None) -> bytes:
    """A detached CMS of the key's holder over ``content``; a refused key is one line."""
    p12, password = read_key(key, password_file)
    try:
        return eds.sign(content, p12, password)
    except eds.SignatureRefused as exc:
        raise BadInput(f"--key: {exc.reason}") from None


@fails_cleanly
def sign(
    file: Annotated[Path, typer.Argument(help="The file to sign, exactly as it is.")],
    key: KeyFile,
    password_file: PasswordFile = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the signature (default FILE.p7s).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Sign a file with your EDS: a detached CMS (PKCS#7, DER) over its exact bytes."""
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    content = file.read_bytes()
    cms = sign_bytes(content, key, password_file)
    iin, cert_sha256 = eds.inspect(cms)
    path = out or file.with_name(file.name + ".p7s")
    path.write_bytes(cms)
    data = {
        "signature": str(path),
        "signed_sha256": eds.content_sha256(content),
        "iin": eds.masked_iin(iin),
        "cert_sha256": cert_sha256,
    }
    emit(data, as_json, lambda d: f"{d['signature']} (IIN {d['iin']})")
