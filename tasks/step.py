"""The one decorator for the office's Prefect tasks.

Every step reads or writes the office's database, so a cached result would be a stale answer:
Prefect's result cache is off for all of them. The task's name is the function's name, so a
task run in the UI points to the code that ran it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, overload

from prefect import Task, task
from prefect.cache_policies import NO_CACHE

P = ParamSpec("P")
R = TypeVar("R")


@overload
def step(fn: Callable[P, R], /) -> Task[P, R]: ...


@overload
def step(*, retries: int = 0, **options: Any) -> Callable[[Callable[P, R]], Task[P, R]]: ...


def step(fn: Callable[P, R] | None = None, /, **options: Any) -> Any:
    """``@step`` or ``@step(retries=2)``: a Prefect task without result caching."""

    def make(function: Callable[P, R]) -> Task[P, R]:
        return task(function, cache_policy=NO_CACHE, **options)

    return make if fn is None else make(fn)
