"""Warm flow runs for `prosecutor serve`.

Prefect's runner starts every flow run of a served flow in a *spawned* Python process that
imports Prefect and the project again (seconds of CPU per run), finds a new run only at its next
poll, and a synchronous run waits about a second at its end for its heartbeat thread. Here:

- each flow run still gets a process of its own (crash isolation, cancellation by kill and
  Prefect's crash detection stay), but forked from a warm `forkserver` process that imported
  Prefect and every served flow module once;
- the runner listens to the server's event stream and polls at once when a run of a served
  deployment is scheduled; its periodic poll stays as the fallback;
- the heartbeat thread sleeps on its stop event instead of in one-second steps, so a run ends at
  once and still sends every heartbeat (they are how the server finds crashed runs).

The first and the last replace private parts of Prefect; they are installed only on the version
they were written and tested against (``PINNED_PREFECT``), otherwise serving is Prefect's own.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import sys
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments.runner import RunnerDeployment
    from prefect.flows import Flow
    from prefect.runner import Runner

PINNED_PREFECT = "3.9.1"
# the events that mean "a run may be ready to start": a flow run entering a state of these types
# (Scheduled, and its kinds Resuming after a suspension, AwaitingRetry, AwaitingConcurrencySlot)
WAKE_STATE_TYPES = ("SCHEDULED", "PENDING")
RECONNECT_SECONDS = 5.0
FOLLOW_UP_SECONDS = 1.0
# which process imported this module: in a warm run it is the forkserver, not the run itself
IMPORTED_IN_PID = os.getpid()

logger = logging.getLogger("prosecutor.warm_runner")


def pinned(version: str | None = None) -> bool:
    """True when the installed Prefect is the one the replaced private parts were taken from."""
    import prefect

    return (version or prefect.__version__) == PINNED_PREFECT


# --- heartbeats -------------------------------------------------------------------------------


@contextmanager
def quick_heartbeats(engine: Any, join_on_exit: bool = True) -> Generator[None, None, None]:
    """Prefect 3.9.1's ``flow_engine._send_heartbeats``, its loop waiting on the stop event.

    Stock, the thread sleeps in ``time.sleep(1)`` steps and is joined on exit: a synchronous run
    waits up to a second at its end. Waiting on the event sends the same heartbeats (the first at
    once, then every ``heartbeat_seconds``) and lets the join return at once."""
    from prefect.flow_engine import MINIMUM_HEARTBEAT_INTERVAL

    heartbeat_seconds = engine.heartbeat_seconds
    if heartbeat_seconds is None:
        yield
        return
    heartbeat_seconds = max(heartbeat_seconds, MINIMUM_HEARTBEAT_INTERVAL)
    resource, related = engine._build_heartbeat_event_template()
    stop_event = threading.Event()

    def heartbeat_loop() -> None:
        while not stop_event.is_set():
            state = engine.flow_run.state if engine.flow_run else None
            if state and state.is_final():
                engine.logger.debug("Flow run in terminal state, stopping heartbeat")
                return
            try:
                engine._emit_flow_run_heartbeat(resource, related)
            except Exception:
                engine.logger.debug("Failed to emit heartbeat", exc_info=True)
            stop_event.wait(heartbeat_seconds)

    # the thread sees the run's settings (its API URL), as in Prefect's version
    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(heartbeat_loop,), daemon=True
    )
    thread.start()
    engine.logger.debug("Started flow run heartbeat context")
    try:
        yield
    finally:
        stop_event.set()
        if join_on_exit:
            thread.join(timeout=2)
        engine.logger.debug("Stopped flow run heartbeat context")


def install_quick_heartbeats(version: str | None = None) -> bool:
    """Use ``quick_heartbeats`` for the flow runs of this process (on the pinned Prefect)."""
    if not pinned(version):
        return False
    import prefect.flow_engine as flow_engine

    flow_engine._send_heartbeats = quick_heartbeats  # type: ignore[assignment]
    return True


# --- warm processes ---------------------------------------------------------------------------


def _run_flow_with_env(
    *args: Any,
    env: dict[str, str] | None = None,
    remove_env: set[str] | None = None,
    flow_run: FlowRun | None = None,
    flow_at: tuple[str, str] | None = None,
    **kwargs: Any,
) -> None:
    """In the run's process: its environment and settings, then the flow (Prefect 3.9.1's
    ``run_flow_with_env`` of ``run_flow_in_subprocess``). ``flow_at``: the module and name of
    the flow, taken from the (preloaded) module instead of unpickled."""
    from prefect.context import SettingsContext, get_settings_context
    from prefect.engine import handle_engine_signals
    from prefect.flow_engine import run_flow
    from prefect.settings.models.root import Settings

    for key in remove_env or ():
        os.environ.pop(key, None)
    os.environ.update(env or {})
    if flow_at is not None:
        kwargs["flow"] = getattr(importlib.import_module(flow_at[0]), flow_at[1])
    current = get_settings_context()
    with (
        SettingsContext(profile=current.profile, settings=Settings()),
        handle_engine_signals(getattr(flow_run, "id", None)),
    ):
        maybe_coro = run_flow(*args, flow_run=flow_run, **kwargs)
        if asyncio.iscoroutine(maybe_coro):
            asyncio.run(maybe_coro)


def _run_warm(payload: bytes, startup_env: dict[str, str] | None = None) -> bytes:
    """The target of a warm run's process: quick heartbeats, then Prefect's own bootstrap."""
    from prefect.flow_engine import _run_serialized_call_with_control_bootstrap

    install_quick_heartbeats()
    return _run_serialized_call_with_control_bootstrap(payload, startup_env)


def run_flow_in_forked_process(
    flow: Flow[..., Any],
    flow_run: FlowRun | None = None,
    parameters: dict[str, Any] | None = None,
    wait_for: Iterable[Any] | None = None,
    context: dict[str, Any] | None = None,
    env: dict[str, str | None] | None = None,
) -> BaseProcess:
    """Prefect 3.9.1's ``flow_engine.run_flow_in_subprocess`` with the "forkserver" start
    method: the same environment, settings, control channel and serialised call, in a process
    forked from the warm server instead of a fresh interpreter."""
    from prefect.context import serialize_context
    from prefect.flow_engine import _CONTROL_CHANNEL_ENV_KEYS, _runtime_subprocess_env
    from prefect.settings.context import get_current_settings
    from prefect.utilities.callables import cloudpickle_wrapped_call
    from prefect.utilities.processutils import sanitize_subprocess_env

    merged_env: dict[str, str | None] = (
        get_current_settings().to_environment_variables(exclude_unset=True)
        | os.environ
        | {"PREFECT__ENABLE_CANCELLATION_AND_CRASHED_HOOKS": "false"}
        | (env or {})
    )
    sanitized = sanitize_subprocess_env(merged_env)
    startup_env = {k: v for k, v in sanitized.items() if k in _CONTROL_CHANNEL_ENV_KEYS}
    at = flow_location(flow)
    wrapped_call = cloudpickle_wrapped_call(
        _run_flow_with_env,
        env=_runtime_subprocess_env(sanitized),
        remove_env={key for key, value in merged_env.items() if value is None},
        # by reference when the flow is a module's attribute: a flow function pickled by value
        # keeps only the globals its code names, so annotations such as `language: Language`
        # could not be resolved when Prefect validates the parameters
        **({"flow_at": at} if at else {"flow": flow}),
        flow_run=flow_run,
        parameters=parameters,
        wait_for=wait_for,
        context=context or serialize_context(),
    )
    process = multiprocessing.get_context("forkserver").Process(
        target=_run_warm, args=(wrapped_call.args[0], startup_env)
    )
    process.start()
    return process


def flow_location(flow: Flow[..., Any]) -> tuple[str, str] | None:
    """(module, name) under which ``flow`` is importable, or None (a flow made at run time)."""
    module = sys.modules.get(flow.fn.__module__)
    name = flow.fn.__name__
    if module is None or module.__name__ == "__main__" or getattr(module, name, None) is not flow:
        return None
    return module.__name__, name


def preload_modules(flows: Iterable[Flow[..., Any]]) -> list[str]:
    """What the warm server imports once: Prefect's engine, this module and every served flow's
    module (each imports the project's models and tasks it needs)."""
    modules = {"prefect.flow_engine", "prefect.runner", __name__}
    modules.update(f.fn.__module__ for f in flows if f.fn.__module__ != "__main__")
    return sorted(modules)


def install(preload: Sequence[str], version: str | None = None) -> bool:
    """Start the warm server and make the runner's subprocess starter fork from it. False (and
    Prefect's own starter kept) on a Prefect other than the pinned one."""
    import prefect
    import prefect.runner._starter_direct as starter_direct

    if not pinned(version):
        logger.warning(
            "warm flow runs need Prefect %s (installed: %s): each run starts a fresh process",
            PINNED_PREFECT,
            version or prefect.__version__,
        )
        return False
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    # started now, in the serving process's final environment, not on the first run
    multiprocessing.forkserver.ensure_running()
    starter_direct.run_flow_in_subprocess = run_flow_in_forked_process  # type: ignore[assignment]
    return True


# --- waking the runner ------------------------------------------------------------------------


def wake_wanted(event: Any, deployment_ids: set[UUID]) -> bool:
    """An event of a flow run of one of the served deployments becoming ready to start."""
    if not event.event.startswith("prefect.flow-run."):
        return False
    if event.resource.get("prefect.state-type") not in WAKE_STATE_TYPES:
        return False
    served = {f"prefect.deployment.{d}" for d in deployment_ids}
    return any(r.id in served for r in event.related)


async def _listen(deployment_ids: set[UUID], wake: Callable[[], None]) -> None:
    """Call ``wake`` for every wanted event of the server's stream, reconnecting for ever."""
    from prefect.events.clients import get_events_subscriber
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter
    from prefect.events.schemas.events import ResourceSpecification

    flt = EventFilter(
        event=EventNameFilter(prefix=["prefect.flow-run."]),
        resource=EventResourceFilter(
            labels=ResourceSpecification({"prefect.state-type": list(WAKE_STATE_TYPES)})
        ),
    )
    while True:
        try:
            async with get_events_subscriber(filter=flt, reconnect_on_clean_close=True) as events:
                async for event in events:
                    if wake_wanted(event, deployment_ids):
                        wake()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("event stream lost; the runner's poll stays on", exc_info=True)
        await asyncio.sleep(RECONNECT_SECONDS)


def wake_after_each_run(poller: Any, woken: asyncio.Event) -> None:
    """A run's process that ends frees its place under the serving process's limit: poll again
    at once for a run that did not fit (instead of at the next periodic poll)."""
    submit = poller._submit_run

    async def submit_then_wake(*args: Any, **kwargs: Any) -> None:
        try:
            await submit(*args, **kwargs)
        finally:
            woken.set()

    poller._submit_run = submit_then_wake


async def _poll_when_woken(runner: Runner, woken: asyncio.Event) -> None:
    """One poll-and-submit per burst of events (the events of a burst collapse into one), and
    one more shortly after: the server may send a run's event before a query sees its state."""
    while getattr(runner, "_scheduled_run_poller", None) is None:
        await asyncio.sleep(0.05)
    poller = runner._scheduled_run_poller
    if runner.limit is not None:
        wake_after_each_run(poller, woken)
    while True:
        await woken.wait()
        woken.clear()
        await _poll(poller)
        try:
            await asyncio.wait_for(woken.wait(), FOLLOW_UP_SECONDS)
        except TimeoutError:
            await _poll(poller)


async def _poll(poller: Any) -> None:
    try:
        await poller._get_and_submit_flow_runs()
    except Exception:
        logger.warning("immediate poll failed; the periodic poll stays on", exc_info=True)


async def _serve(runner: Runner, deployment_ids: set[UUID]) -> None:
    woken = asyncio.Event()
    helpers = [
        asyncio.create_task(_listen(deployment_ids, woken.set)),
        asyncio.create_task(_poll_when_woken(runner, woken)),
    ]
    try:
        await runner.start()
    finally:
        for task in helpers:
            task.cancel()


# --- serving ----------------------------------------------------------------------------------


def flow_of(deployment: RunnerDeployment) -> Flow[..., Any] | None:
    """The flow object behind a deployment built from a flow of an imported module (its
    entrypoint ``path/to/module.py:function``), None when it cannot be found."""
    from prefect.flows import Flow

    path, _, name = (deployment.entrypoint or "").partition(":")
    target = (Path.cwd() / path).resolve()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == target:
            found = getattr(module, name, None)
            return found if isinstance(found, Flow) else None
    if path.endswith(".py") and not Path(path).is_absolute():
        module = importlib.import_module(".".join(Path(path).with_suffix("").parts))
        found = getattr(module, name, None)
        return found if isinstance(found, Flow) else None
    return None


def serve_warm(*deployments: RunnerDeployment, limit: int | None = None) -> None:
    """Serve the deployments like ``prefect.serve``, each flow run forked warm and started as
    soon as it is scheduled; Prefect's own serving when warm runs are off (setting
    ``PROSECUTOR_WARM_RUNS=false``) or the installed Prefect is not the pinned one."""
    from prefect import serve
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    from models.settings import get_settings

    flows = {d.name: flow_of(d) for d in deployments}
    served = [f for f in flows.values() if f is not None]
    if not get_settings().warm_runs or not served or not install(preload_modules(served)):
        serve(*deployments, limit=limit)
        return
    runner = Runner(pause_on_shutdown=True, limit=limit)
    deployment_ids: set[UUID] = set()
    for deployment in deployments:
        deployment.work_pool_name = None  # served here, as prefect.serve does
        deployment_id = runner.add_deployment(deployment)
        deployment_ids.add(deployment_id)
        flow = flows[deployment.name]
        if flow is not None:  # the runner forks this flow object instead of importing it again
            runner._deployment_registry.register_flow(deployment_id, flow)
    names = ", ".join(sorted(d.name for d in deployments))
    print(f"Your deployments are being served (warm flow runs): {names}", flush=True)
    try:
        asyncio.run(_serve(runner, deployment_ids))
    except (KeyboardInterrupt, TerminationSignal) as exc:
        logger.info("Received %s, shutting down...", type(exc).__name__)
