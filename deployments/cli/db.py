"""``prosecutor db``: the office's database and its migrations."""

from __future__ import annotations

from typing import Any

import typer
from sqlalchemy.engine import make_url

from deployments.cli.support import JsonFlag, emit, fails_cleanly
from models.db import default_engine
from models.db.migrate import current_revision, upgrade
from models.settings import get_settings

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)


def masked_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def upgrade_database() -> dict[str, Any]:
    """Create or migrate the configured database to the newest schema."""
    url = get_settings().resolved_database_url
    upgrade(url)
    return {"revision": current_revision(default_engine()), "url": masked_url(url)}


@db_app.command("upgrade")
@fails_cleanly
def db_upgrade(as_json: JsonFlag = False) -> None:
    """Create or migrate the database to the newest schema."""
    emit(
        upgrade_database(),
        as_json,
        lambda d: f"database at revision {d['revision']}: {d['url']}",
    )
