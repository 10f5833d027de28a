"""Which Prefect server a ``prosecutor`` command talks to, and with what login.

``prosecutor start`` writes a connection file in its data folder (API URL, UI URL, the login,
its process id; readable by its owner only) and removes it on stop. A command in another
terminal of the same folder finds the running office through it, with no environment variable.
An explicit environment wins, variable by variable: ``PREFECT_API_URL`` over the file's URL,
``PREFECT_API_AUTH_STRING`` over the file's login.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass
from pathlib import Path

from models.settings import get_settings

FILE_NAME = "office-connection.json"


class NotConnected(Exception):
    """No Prefect server to talk to: the reason, in one line for the user."""


class NoOffice(NotConnected):
    """None configured at all (no environment, no connection file): work offline, stored
    records are announced later. A stale file is not this: an office was expected."""


@dataclass(frozen=True, slots=True)
class Connection:
    api_url: str
    auth_string: str | None = None
    ui_url: str | None = None
    source: str = "environment"  # or the connection file it came from


def connection_file(data_dir: Path | None = None) -> Path:
    return (data_dir or get_settings().data_dir).resolve() / FILE_NAME


def write_connection(path: Path, connection: Connection, pid: int) -> None:
    """Written whole (a reader never sees half a file), readable by the owner only: it holds
    the login."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        data = {**asdict(connection), "pid": pid}
        data.pop("source")
        json.dump(data, stream, indent=2)
    partial.chmod(0o600)  # os.open's mode is masked by the umask; this is not
    partial.replace(path)


def remove_connection(path: Path, pid: int) -> None:
    """Remove the file if this process wrote it (a second office may have written its own)."""
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def resolve(environ: Mapping[str, str] | None = None, path: Path | None = None) -> Connection:
    """The server to talk to: the environment's, else the running office's connection file.
    Raises ``NotConnected`` with the reason; never waits on the network (a stale file is
    recognised by its process id)."""
    env = os.environ if environ is None else environ
    url = env.get("PREFECT_API_URL")
    if url:
        return Connection(api_url=url, auth_string=env.get("PREFECT_API_AUTH_STRING") or None)
    path = path or connection_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoOffice(
            f"PREFECT_API_URL is unset and no office is running here (no {path}):"
            " start it with `prosecutor start` in this folder"
        ) from None
    except (OSError, ValueError) as exc:
        raise NotConnected(f"{path} is unreadable ({exc})") from None
    pid = data.get("pid")
    if not isinstance(pid, int) or not _alive(pid):
        raise NotConnected(
            f"the office that wrote {path} is not running (process {pid} ended):"
            " start it again with `prosecutor start`"
        )
    return Connection(
        api_url=str(data["api_url"]),
        auth_string=env.get("PREFECT_API_AUTH_STRING") or data.get("auth_string") or None,
        ui_url=data.get("ui_url"),
        source=str(path),
    )


def export(connection: Connection, environ: MutableMapping[str, str] | None = None) -> None:
    """Put the connection into the environment, for Prefect's client (which reads it when first
    imported) and for child processes."""
    env = os.environ if environ is None else environ
    env["PREFECT_API_URL"] = connection.api_url
    if connection.auth_string:
        env["PREFECT_API_AUTH_STRING"] = connection.auth_string


def connect() -> Connection | None:
    """Resolve and export the connection; None when there is no server to talk to."""
    try:
        connection = resolve()
    except NotConnected:
        return None
    export(connection)
    return connection
