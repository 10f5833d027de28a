"""One PostgreSQL server for both the office's database and the Prefect server's own.

The two live in separate databases of that server (``<name>`` and ``<name>_prefect``): each
has its own Alembic history in a table called ``alembic_version``, so they cannot share one.

The office's database is migrated by its owner (the user of ``--postgres URL``); the running
office should connect as a login role that is a member of ``prosecutor_app`` (made by migration
0011: normal rights on every table, but only SELECT and INSERT on the audit log), so that
nothing the application does can rewrite, delete or truncate the log (``app_login``).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from deployments.errors import BadInput

APP_ROLE = "prosecutor_app"  # made by migration 0011 (models/db/migrations/versions)


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
        domain=_text(parsed.set(drivername="postgresql+psycopg")),
        prefect=_text(prefect),
    )


def _text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def ensure_databases(urls: PostgresUrls) -> list[str]:
    """Create either database if it is missing (and pg_trgm, which Prefect's server uses);
    the names of those created."""
    import psycopg
    from psycopg import sql

    created = []
    for url in (urls.domain, urls.prefect):
        target = make_url(url)
        admin = target.set(drivername="postgresql", database="postgres")
        try:
            with psycopg.connect(_text(admin), autocommit=True, connect_timeout=5) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
                ).fetchone()
                if not exists:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database))
                    )
                    created.append(str(target.database))
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BadInput(f"--postgres: cannot reach {target.host}: {first}") from exc
    prefect = make_url(urls.prefect).set(drivername="postgresql")
    with psycopg.connect(_text(prefect), autocommit=True, connect_timeout=5) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return created


def app_login(owner_url: str, user: str, password: str | None = None) -> str:
    """Make ``user`` a login role of the application (a member of ``prosecutor_app``, nothing
    more) on the server of ``owner_url``, an already migrated office database; the URL the
    office should then run with (``PROSECUTOR_DATABASE_URL``)."""
    import psycopg
    from psycopg import sql

    owner = make_url(owner_url).set(drivername="postgresql")
    if user == owner.username:
        raise BadInput(f"{user}: the owner of the database cannot be the application's role")
    with psycopg.connect(_text(owner), autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone():
            raise BadInput(f"no role {APP_ROLE}: migrate the office's database first")
        row = conn.execute(
            "SELECT rolsuper OR rolbypassrls OR rolcreaterole FROM pg_roles WHERE rolname = %s",
            (user,),
        ).fetchone()
        if row is None:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(user)))
        elif row[0]:
            raise BadInput(f"{user}: a privileged role cannot be the application's role")
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(APP_ROLE), sql.Identifier(user))
        )
        if password is not None:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(user), sql.Literal(password)
                )
            )
        owns = conn.execute(
            "SELECT 1 FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE c.relname = 'audit_log' AND r.rolname = %s",
            (user,),
        ).fetchone()
        if owns:
            raise BadInput(f"{user} owns the audit log: choose another role for the application")
    app = make_url(owner_url).set(username=user, password=password)
    return _text(app.set(drivername="postgresql+psycopg"))


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
