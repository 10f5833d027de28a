"""Publish the desks (``desk-<staff id>``) and the office board (``office-board``) as Markdown
artifacts: keyed, so the UI's Artifacts page keeps each one's latest version and history."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey
from prefect.settings import get_current_settings

from models.db import transaction
from models.settings import get_settings
from models.sweeps.desk import Language, render_all
from models.sweeps.desk_store import load_desks
from models.timing.calendar import ALMATY, WorkingCalendar, today
from tasks.step import step


def ui_url() -> str:
    """The Prefect UI's address, as the run's own settings know it (derived from the API's)."""
    settings = get_current_settings()
    if settings.ui_url:
        return str(settings.ui_url)
    api = str(settings.api.url or "")
    return api.removesuffix("/").removesuffix("/api")


def _latest(keys: list[str]) -> dict[str, str]:
    """The latest Markdown of each key, in one call: an unchanged desk is not published again."""
    with get_client(sync_client=True) as client:
        latest = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=keys)),
            limit=len(keys),
        )
    return {a.key: a.data for a in latest if a.key and isinstance(a.data, str)}


@step
def publish_desks(
    on: dt.date | None = None, language: Language | None = None, now: dt.datetime | None = None
) -> dict[str, str]:
    """Build every desk and the board for ``on`` (default today in Almaty) and publish those that
    changed. Returns the Markdown by artifact key."""
    day = on or today()
    moment = now or dt.datetime.now(ALMATY)
    with transaction() as session:
        data = load_desks(session, day, moment)
    pages = render_all(data, language or get_settings().desk_language, ui_url(), WorkingCalendar())
    before = _latest(list(pages))
    changed = 0
    for key, markdown in pages.items():
        if before.get(key) == _without_clock(markdown, before.get(key)):
            continue
        # the page's own title, in the office's language, is its description in the list
        title = markdown.split("\n", 1)[0].lstrip("# ")
        create_markdown_artifact(key=key, markdown=markdown, description=title)
        changed += 1
    get_run_logger().info("desks: %d of %d published (the rest unchanged)", changed, len(pages))
    return pages


def _without_clock(markdown: str, previous: str | None) -> str:
    """``markdown`` with its "as of" line taken from ``previous``: a desk whose content did not
    change is not published again only because the clock moved."""
    if previous is None:
        return markdown
    new_lines, old_lines = markdown.split("\n"), previous.split("\n")
    if len(new_lines) > 2 and len(old_lines) > 2:
        new_lines[2] = old_lines[2]
    return "\n".join(new_lines)
