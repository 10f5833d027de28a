"""What a supervisor sees of a procedure in the Prefect UI: its page as a Markdown artifact
(keyed by registration number, so the Artifacts page keeps its history) and the run's name,
which says the registration number and the step the run is at."""

from __future__ import annotations

import re
from typing import TypeVar

from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey
from prefect.context import FlowRunContext

from models.db import transaction
from models.db.tables import Procedure
from models.procedures.parties import personal_data_of
from models.procedures.timeline import procedure_timeline
from tasks.log_masking import mask_known, remember
from tasks.step import step

T = TypeVar("T")


def artifact_key(registration_number: str) -> str:
    """Prefect keys take lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", registration_number.lower()).strip("-")


def name_run(name: str) -> None:
    """Rename the current flow run (a run outside Prefect has nothing to rename); the name is
    masked like a log line (a step may quote what someone wrote)."""
    name = mask_known(name)
    context = FlowRunContext.get()
    if context is None or context.flow_run is None or context.flow_run.name == name:
        return
    with get_client(sync_client=True) as client:
        client.update_flow_run(context.flow_run.id, name=name)
    context.flow_run.name = name


def latest_markdown(key: str) -> str | None:
    with get_client(sync_client=True) as client:
        latest = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key])),
            limit=1,
        )
    return latest[0].data if latest and isinstance(latest[0].data, str) else None


def finished(procedure_id: int, step: str, result: T) -> T:
    """A flow's last word: the procedure's page published, the run named by its outcome."""
    publish_procedure(procedure_id, step)
    return result


@step
def masked(procedure_id: int, text: str) -> str:
    """``text`` as the Prefect UI may show it for this procedure (a form's description): the
    parties' names in any grammatical case, their identifiers and contacts, and any IIN, phone
    or e-mail masked. The parties are remembered for the run's logs too."""
    with transaction() as session:
        personal = personal_data_of(session, procedure_id)
    remember(personal)
    return personal.redact(mask_known(text))


@step
def publish_procedure(procedure_id: int, step: str | None = None) -> str:
    """Publish the procedure's page; with ``step``, name the run ``<number> · <step>``."""
    with transaction() as session:
        markdown = procedure_timeline(session, procedure_id)
        number = session.get_one(Procedure, procedure_id).registration_number
        remember(personal_data_of(session, procedure_id))
    key = artifact_key(number)
    if markdown != latest_markdown(key):  # a replayed run publishes no copy of the same page
        create_markdown_artifact(
            key=key, markdown=markdown, description=f"{number}: the procedure's page"
        )
    if step:
        name_run(f"{number} · {step}")
    return markdown
