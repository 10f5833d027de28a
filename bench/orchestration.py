"""Orchestration overhead: a three-step flow in the Prefect test harness, written as the
project's flows are (synchronous) and asynchronously, against the same steps as plain function
calls, in one process. Reports milliseconds of orchestration per step."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from bench.report import table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE
    from prefect.testing.utilities import prefect_test_harness

    @task(cache_policy=NO_CACHE)
    def step(x: int) -> int:
        return x + 1

    @flow
    def three(x: int) -> int:
        return step(step(step(x)))

    @flow
    async def three_async(x: int) -> int:
        return step(step(step(x)))

    @flow
    def fifteen(x: int) -> int:  # about the number of steps of an appeal review
        for _ in range(15):
            x = step(x)
        return x

    def measure(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for i in range(args.runs):
            start = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    plain = measure(lambda i: step.fn(step.fn(step.fn(i))))
    with prefect_test_harness(server_startup_timeout=120):
        three(0), asyncio.run(three_async(0))  # warm up
        sync_s = measure(three)
        async_s = measure(lambda i: asyncio.run(three_async(i)))
        long_s = measure(fifteen)
    rows = [
        ["plain function calls", f"{plain * 1000:.3f}", "-", "-"],
        [
            "sync flow (the project's flows)",
            f"{sync_s * 1000:.0f}",
            f"{(sync_s - plain) / 3 * 1000:.0f}",
            "< 150 ms",
        ],
        ["async flow", f"{async_s * 1000:.0f}", f"{(async_s - plain) / 3 * 1000:.0f}", "< 150 ms"],
        [
            "sync flow of 15 steps",
            f"{long_s * 1000:.0f}",
            f"{(long_s - 5 * plain) / 15 * 1000:.0f}",
            "< 150 ms",
        ],
    ]
    table(
        f"Orchestration overhead, median of {args.runs} runs of 3 steps",
        ["style", "run ms", "overhead per step ms", "target"],
        rows,
    )


if __name__ == "__main__":
    main()
