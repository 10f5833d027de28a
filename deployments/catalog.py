"""The deployments of ``prefect.yaml``, built for serving from this machine.

``prefect.yaml`` is the one declaration of every deployment (name, entrypoint, schedule,
trigger, tags, parameters); serving reads it instead of repeating it in code.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import yaml
from prefect.schedules import Cron

ROOT = Path(__file__).resolve().parent.parent
PREFECT_YAML = ROOT / "prefect.yaml"


def declared(path: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"])


def _flow(entrypoint: str) -> Any:
    module_path, name = entrypoint.split(":")
    module = ".".join(Path(module_path).with_suffix("").parts)
    return getattr(importlib.import_module(module), name)


def _schedules(spec: dict[str, Any]) -> list[Cron]:
    return [
        Cron(s["cron"], timezone=s.get("timezone", "Asia/Almaty"), active=s.get("active", True))
        for s in spec.get("schedules") or []
        if "cron" in s
    ]


def build(spec: dict[str, Any]) -> Any:
    """A ``RunnerDeployment`` for one entry of ``prefect.yaml``."""
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger

    flow = _flow(spec["entrypoint"])
    triggers = [DeploymentEventTrigger(**t) for t in spec.get("triggers") or []]
    return flow.to_deployment(
        name=spec["name"],
        description=spec.get("description"),
        tags=spec.get("tags"),
        parameters=spec.get("parameters"),
        schedules=_schedules(spec),
        triggers=triggers or None,
        concurrency_limit=spec.get("concurrency_limit"),
    )


def all_deployments(names: set[str] | None = None, path: Path = PREFECT_YAML) -> list[Any]:
    return [build(spec) for spec in declared(path) if names is None or spec["name"] in names]
