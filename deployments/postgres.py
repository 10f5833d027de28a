"""One PostgreSQL server for both the office's database and the Prefect server's own.

The two live in separate databases of that server (``<name>`` and ``<name>_prefect``): each
has its own Alembic history in a table called ``alembic_version``, so they cannot share one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

from deployments.errors import BadInput


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
