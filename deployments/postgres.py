"""One PostgreSQL server for both the office's database and the Prefect server's own.

The two live in separate databases of that server (``<name>`` and ``<name>_prefect``): each
has its own Alembic history in a table called ``alembic_version``, so they cannot share one.
The administration itself (databases, the application's login role) is in
``models.db.postgres_admin``; this module turns ``--postgres URL`` into the two URLs and its
refusals into one line for the terminal.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from deployments.cli.errors import BadInput
from models.db import postgres_admin
from models.db.postgres_admin import url_text


@dataclass(frozen=True, slots=True)
class PostgresUrls:
    domain: str  # SQLAlchemy URL of the office's database (psycopg 3)
    prefect: str  # the Prefect server's database (asyncpg, as Prefect requires)


def split(url: str) -> PostgresUrls:
    """The two database URLs for ``--postgres URL`` (postgresql://user:pass@host:port/name)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError for any unparsable URL
        raise BadInput(f"--postgres: not a database URL: {url!r}") from exc
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        raise BadInput("--postgres: give postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
    prefect = parsed.set(drivername="postgresql+asyncpg", database=f"{parsed.database}_prefect")
    return PostgresUrls(
        domain=url_text(parsed.set(drivername="postgresql+psycopg")),
        prefect=url_text(prefect),
    )


def ensure_databases(urls: PostgresUrls) -> list[str]:
    """Create either database if it is missing (and pg_trgm, which Prefect's server uses);
    the names of those created."""
    try:
        created = postgres_admin.create_missing_databases([urls.domain, urls.prefect])
    except postgres_admin.PostgresRefused as exc:
        raise BadInput(f"--postgres: {exc}") from exc
    postgres_admin.create_trigram_extension(urls.prefect)
    return created


def app_login(owner_url: str, user: str, password: str | None = None) -> str:
    """Make ``user`` a login role of the application (a member of ``prosecutor_app``, nothing
    more) on the server of ``owner_url``, an already migrated office database; the URL the
    office should then run with (``PROSECUTOR_DATABASE_URL``)."""
    try:
        postgres_admin.grant_application_role(owner_url, user, password)
    except postgres_admin.PostgresRefused as exc:
        raise BadInput(str(exc)) from None
    app = make_url(owner_url).set(username=user, password=password)
    return url_text(app.set(drivername="postgresql+psycopg"))


def application_url(owner_url: str, data_dir: Path) -> str:
    """The URL the running office uses: a login ``<database>_app`` of the application role,
    never the owner who migrates. Its password is made once and kept in ``data_dir``, readable
    by the office's user only."""
    database = make_url(owner_url).database or "office"
    secret = data_dir / "postgres-app.secret"
    if secret.exists():
        password = secret.read_text(encoding="utf-8").strip()
    else:
        password = secrets.token_urlsafe(24)
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(password)
    return app_login(owner_url, f"{database}_app"[:63], password)
