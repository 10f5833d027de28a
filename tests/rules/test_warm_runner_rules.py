"""The pure parts of warm flow runs: the version pin and its fallback, the heartbeat loop that
ends at once and keeps its beats, and which server events wake the runner."""

from __future__ import annotations

import inspect
import logging
import threading
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import prefect.flow_engine as flow_engine
import prefect.runner._starter_direct as starter_direct
import pytest

from deployments import warm_runner
from tests.support.polling import wait_until


def test_the_pinned_prefect_is_the_installed_one_and_still_has_the_replaced_parts() -> None:
    assert warm_runner.pinned()
    ours = inspect.signature(warm_runner.run_flow_in_forked_process).parameters
    theirs = inspect.signature(flow_engine.run_flow_in_subprocess).parameters
    assert list(ours) == list(theirs)
    assert list(inspect.signature(flow_engine._send_heartbeats).parameters) == [
        "engine",
        "join_on_exit",
    ]
    for helper in ("_run_serialized_call_with_control_bootstrap", "_runtime_subprocess_env"):
        assert callable(getattr(flow_engine, helper))


def test_another_prefect_version_keeps_prefects_own_starter_and_heartbeats(
    caplog: pytest.LogCaptureFixture,
) -> None:
    starter, heartbeats = starter_direct.run_flow_in_subprocess, flow_engine._send_heartbeats
    with caplog.at_level(logging.WARNING, logger=warm_runner.logger.name):
        assert warm_runner.install(["flows.review_appeal"], version="3.10.0") is False
        assert warm_runner.install_quick_heartbeats(version="3.10.0") is False
    assert starter_direct.run_flow_in_subprocess is starter
    assert flow_engine._send_heartbeats is heartbeats
    assert "need Prefect 3.9.1 (installed: 3.10.0)" in caplog.text


class _Engine:
    """What the heartbeat context uses of Prefect's flow run engine."""

    def __init__(self, seconds: float) -> None:
        self.heartbeat_seconds = seconds
        self.flow_run = SimpleNamespace(state=SimpleNamespace(is_final=lambda: False))
        self.logger = logging.getLogger("test-heartbeats")
        self.beats: list[threading.Thread] = []

    def _build_heartbeat_event_template(self) -> tuple[dict[str, str], list[Any]]:
        return {"prefect.resource.id": "prefect.flow-run.x"}, []

    def _emit_flow_run_heartbeat(self, resource: Any, related: Any) -> None:
        self.beats.append(threading.current_thread())


def test_a_run_ends_without_waiting_for_its_heartbeat_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Prefect's loop sleeps in time.sleep(1) steps; a sleep that never returns would keep its
    # thread alive past the join. The quick loop does not sleep: it waits on its stop event.
    never, real_sleep = threading.Event(), flow_engine.time.sleep

    def sleep(seconds: float) -> None:  # time.sleep is global: hang only the heartbeat thread
        if threading.current_thread() is threading.main_thread():
            real_sleep(seconds)
        else:
            never.wait()

    monkeypatch.setattr(flow_engine.time, "sleep", sleep)
    engine = _Engine(seconds=180)
    with warm_runner.quick_heartbeats(engine):
        wait_until(lambda: engine.beats, 5, interval=0.01, what="the first heartbeat")
    assert len(engine.beats) == 1  # the first one at the start, as Prefect sends it
    assert not engine.beats[0].is_alive()


def test_the_heartbeat_keeps_its_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow_engine, "MINIMUM_HEARTBEAT_INTERVAL", 0)
    engine = _Engine(seconds=0.01)
    with warm_runner.quick_heartbeats(engine):
        wait_until(lambda: len(engine.beats) >= 3, 5, interval=0.01, what="three heartbeats")
    assert not engine.beats[-1].is_alive()


def test_no_heartbeats_when_they_are_off() -> None:
    engine = _Engine(seconds=0)
    engine.heartbeat_seconds = None  # type: ignore[assignment]
    with warm_runner.quick_heartbeats(engine):
        pass
    assert engine.beats == []


def _event(name: str, state_type: str, deployment: Any) -> Any:
    resource = {"prefect.resource.id": f"prefect.flow-run.{uuid4()}"}
    if state_type:
        resource["prefect.state-type"] = state_type
    related = [SimpleNamespace(id=f"prefect.deployment.{deployment}")]
    return SimpleNamespace(event=name, resource=resource, related=related)


def test_only_a_served_deployments_run_becoming_ready_wakes_the_runner() -> None:
    served, other = uuid4(), uuid4()
    ids = {served}
    assert warm_runner.wake_wanted(_event("prefect.flow-run.Scheduled", "SCHEDULED", served), ids)
    # a suspended run resumed by a person is Scheduled again, under the name Resuming
    assert warm_runner.wake_wanted(_event("prefect.flow-run.Resuming", "SCHEDULED", served), ids)
    assert warm_runner.wake_wanted(_event("prefect.flow-run.Pending", "PENDING", served), ids)
    assert not warm_runner.wake_wanted(_event("prefect.flow-run.Running", "RUNNING", served), ids)
    assert not warm_runner.wake_wanted(_event("prefect.flow-run.heartbeat", "", served), ids)
    assert not warm_runner.wake_wanted(
        _event("prefect.flow-run.Scheduled", "SCHEDULED", other), ids
    )


def test_the_warm_server_preloads_every_served_flows_module() -> None:
    flows = [SimpleNamespace(fn=SimpleNamespace(__module__="flows.review_appeal"))]
    modules = warm_runner.preload_modules(flows)  # type: ignore[arg-type]
    assert {"flows.review_appeal", "prefect.flow_engine", "deployments.warm_runner"} <= set(modules)


def test_a_run_that_ends_wakes_the_runner_for_a_run_that_did_not_fit() -> None:
    import asyncio

    class Poller:
        async def _submit_run(self, fail: bool) -> None:
            if fail:
                raise RuntimeError("the run could not start")

    async def scenario() -> list[bool]:
        poller, woken, seen = Poller(), asyncio.Event(), []
        warm_runner.wake_after_each_run(poller, woken)
        await poller._submit_run(False)
        seen.append(woken.is_set())
        woken.clear()
        with pytest.raises(RuntimeError):
            await poller._submit_run(True)
        seen.append(woken.is_set())
        return seen

    assert asyncio.run(scenario()) == [True, True]


def test_a_served_flow_goes_to_its_run_by_reference_not_pickled_by_value() -> None:
    """A flow function pickled by value keeps only the globals its code names: the annotation
    ``language: Language`` of sign-document could not be resolved and every run failed its
    parameter validation. A flow that is a module's attribute is looked up there instead."""
    from prefect import flow

    from deployments.warm_runner import flow_location
    from flows.sign_document import sign_document

    assert flow_location(sign_document) == ("flows.sign_document", "sign_document")

    @flow
    def made_here() -> None:  # not importable: pickled as before
        return None

    assert flow_location(made_here) is None
