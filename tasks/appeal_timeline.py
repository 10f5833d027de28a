"""The appeal's timeline as a Markdown artifact in the Prefect UI."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from models.db import transaction
from models.timeline import procedure_timeline
from tasks.appeals import AppealCase


@task(name="publish-timeline", cache_policy=NO_CACHE)
def publish_timeline(case: AppealCase) -> str:
    with transaction() as session:
        markdown = procedure_timeline(session, case.procedure_id)
    key = "appeal-" + case.registration_number.lower()
    create_markdown_artifact(
        key=key, markdown=markdown, description=f"Timeline of {case.registration_number}"
    )
    return markdown
