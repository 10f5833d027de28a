"""Waiting on a condition instead of sleeping a fixed time, for every test tier."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import httpx

T = TypeVar("T")
# a server still starting or briefly unreachable is "not yet", not a failure
TRANSIENT: tuple[type[BaseException], ...] = (httpx.HTTPError, OSError)


def wait_until(
    condition: Callable[[], T | None],
    timeout: float = 60,
    interval: float = 0.5,
    what: str = "the condition",
    *,
    transient: tuple[type[BaseException], ...] = TRANSIENT,
) -> T:
    """Call ``condition`` every ``interval`` seconds until it returns something truthy, and
    return that; fail after ``timeout`` seconds naming ``what`` was awaited and the last value
    (or error) seen. Errors of the ``transient`` kinds count as "not yet"."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            value = condition()
        except transient as exc:
            last = exc
        else:
            if value:
                return value
            last = value
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:g}s waiting for {what} (last seen: {last!r})"
            )
        time.sleep(interval)


def retry_busy(
    send: Callable[[], httpx.Response], attempts: int = 20, interval: float = 1.0
) -> httpx.Response:
    """Send again while a Prefect server on SQLite answers 503 (busy writing), as Prefect's own
    client and the UI do; the last response otherwise."""
    response = send()
    for _ in range(attempts - 1):
        if response.status_code != 503:
            break
        time.sleep(interval)
        response = send()
    return response
